"""Profiles from a hostile or careless hand (issue 13): refused in one line, never hanging."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelfit import ProfileError, load_profile
from modelfit.inputs.profile import MAX_COMPANY_ID, check_company_id

from .conftest import VALID_TEXT


def _write(folder: Path, text: str, name: str = "acme.yaml") -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def _named(company: str) -> str:
    return VALID_TEXT.replace("company: Acme Trading", f"company: {company}")


@pytest.mark.parametrize("cid", ["portfolio"])
def test_reserved_id_is_refused(cid: str) -> None:
    """Issue 13, 3: `portfolio` would be overwritten by the batch's portfolio notebook."""
    with pytest.raises(ProfileError, match=rf"company id '{cid}' is reserved for the batch's own"):
        check_company_id(cid)


def test_reserved_id_file_is_refused_by_validation(tmp_path: Path) -> None:
    """Issue 13, 3: params/portfolio.yaml is refused when it is read, not silently lost."""
    with pytest.raises(ProfileError, match=r"portfolio\.yaml: the file name \(the company id\) "
                       r"'portfolio' is reserved"):
        load_profile(_write(tmp_path, VALID_TEXT, "portfolio.yaml"))


def test_ids_starting_with_portfolio_are_allowed() -> None:
    """Issue 13, 3: only the reserved id itself is refused; `portfolio-co` is a company."""
    assert check_company_id("portfolio-co") == "portfolio-co"


@pytest.mark.parametrize("length", [250, 300])
def test_long_id_is_refused_in_one_line(length: int) -> None:
    """Issue 13, 9: an id too long for the files it names is refused, quoted only in part."""
    with pytest.raises(ProfileError, match=rf"at most {MAX_COMPANY_ID} characters, got {length} "
                       r"\('aaaa[a]*… \(\d+ characters\)\)") as info:
        check_company_id("a" * length)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(("company", "why"), [
    ('"   "', "must hold at least one visible character"),
    ('"\\u200b\\u200b"', "must not hold invisible formatting characters"),
    ('"Acme\\0Co"', "must not hold control characters"),
    ('"Acme\\e[31mRed"', "must not hold control characters"),
    ('"Acme\\u202eoC"', "must not hold invisible formatting characters"),
    ('"Acme\\n# Recommended"', "must not hold control characters"),
])
def test_bad_company_names_are_refused(tmp_path: Path, company: str, why: str) -> None:
    """Issue 13, 10: blank, zero-width, NUL, escape sequences and RTL overrides are refused."""
    with pytest.raises(ProfileError, match=rf"acme\.yaml: company {why}"):
        load_profile(_write(tmp_path, _named(company)))


def test_duplicate_target_markets_are_refused(tmp_path: Path) -> None:
    """Issue 13, 10: a market listed twice is named in the error."""
    with pytest.raises(ProfileError, match=r"target_markets lists us more than once"):
        load_profile(_write(tmp_path, VALID_TEXT + "target_markets: [us, eu, us]\n"))


def test_huge_list_gives_a_short_error_line(tmp_path: Path) -> None:
    """Issue 13, 10: a 20,000-item list is quoted in part, not as a 100 KB line."""
    items = ", ".join(f"m{i}" for i in range(20000))
    with pytest.raises(ProfileError) as info:
        load_profile(_write(tmp_path, VALID_TEXT + f"target_markets: [{items}]\n"))
    assert max(len(line) for line in info.value.problems) < 400


@pytest.mark.parametrize("text", [
    "category: " + "[" * 400 + "]" * 400 + "\n",
    "category:\n" + "- " * 2000 + "x\n",
])
def test_deep_nesting_is_refused_in_one_line(tmp_path: Path, text: str) -> None:
    """Issue 13, 9: a profile nested hundreds deep is one error line, not a RecursionError."""
    with pytest.raises(ProfileError, match=r"acme\.yaml: .*nest"):
        load_profile(_write(tmp_path, VALID_TEXT + text))


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """Issue 13, 6: a FIFO named x.yaml is refused at once (reading it would block forever)."""
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ProfileError, match=r"x\.yaml: is not a regular file"):
        load_profile(fifo)


def test_symlink_to_a_system_file_does_not_show_its_lines(tmp_path: Path) -> None:
    """Issue 13, 7: a link to /etc/passwd is refused without quoting the file's lines."""
    link = tmp_path / "x.yaml"
    link.symlink_to("/etc/passwd")
    with pytest.raises(ProfileError, match=r"x\.yaml: is a link to a file that is not a \.yaml "
                       r"profile") as info:
        load_profile(link)
    assert "root:" not in str(info.value)


def test_symlink_to_a_profile_is_read(tmp_path: Path) -> None:
    """A link to a real .yaml profile still works."""
    target = _write(tmp_path, VALID_TEXT, "real.yaml")
    link = tmp_path / "acme.yaml"
    link.symlink_to(target)
    assert load_profile(link).company == "Acme Trading"
