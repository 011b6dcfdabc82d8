"""Numbers as the framework's texts show them: scores and points with one decimal at most, and
points with their sign in each language."""

from __future__ import annotations


def number(value: float) -> str:
    """A score or a number of points for display: one decimal, no trailing `.0`, no `-0`."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def signed_points(value: float, lang: str) -> str:
    """Points with their sign, as the texts quote them: `+4.5` / `-10` in English, `加 4.5` /
    `减 10` in Chinese (never "-9.0 分")."""
    text = number(abs(value))
    if text == "0":
        return "0"
    if lang == "zh":
        return f"{'加' if value > 0 else '减'} {text}"
    return f"{'+' if value > 0 else '-'}{text}"
