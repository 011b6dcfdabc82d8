"""Synthetic companies: a realistic population of profiles for the outcome model and classifier.

`generate_profiles(n, seed)` draws `n` companies from the distributions listed in `DATA_CARD`
(the single source: the generator reads its parameters from it, so the card cannot drift from
the code). Capabilities are correlated as in life through one latent "scale" factor per company:
a mature firm tends to have more capital, a bigger team and a bigger budget. Randomness comes
only from a `numpy.random.Generator` seeded by `seed`; the same seed gives the same frame.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import BASE_CHANNELS, CATEGORIES, MARKETS, RATINGS, STAGES
from modelfit.inputs.profile import FIELD_NAMES

# Every distribution of the synthetic population, with where its parameters come from.
# "judgement" marks a figure that is the authors' own assumption, not a published number.
DATA_CARD: Final[dict[str, dict[str, Any]]] = {
    "stage": {
        "distribution": "categorical",
        "p": {"startup": 0.50, "growth": 0.35, "mature": 0.15},
        "source": "judgement: most cross-border sellers are small and young; few reach 10→100",
    },
    "scale": {
        "distribution": "latent normal N(0, 1) per company, shared by capital, team and budget",
        "source": "judgement: one size factor makes capital, team and budget correlate",
    },
    "capital": {
        "distribution": "round(N(mean[stage] + 0.6*scale, 0.8)), clipped to 1..5",
        "mean": {"startup": 2.0, "growth": 3.0, "mature": 4.0},
        "loading": 0.6, "sd": 0.8,
        "source": "judgement: mature firms have more capital",
    },
    "supply_chain": {
        "distribution": "round(N(mean[stage] + 0.3*scale, 1.0)), clipped to 1..5",
        "mean": {"startup": 2.6, "growth": 3.1, "mature": 3.6},
        "loading": 0.3, "sd": 1.0,
        "source": "judgement: many Chinese exporters start from a factory (strong supply chain)",
    },
    "brand_content": {
        "distribution": "round(N(mean[stage] + 0.3*scale + 0.5*marketing, 0.9)), clipped to 1..5; "
                        "marketing ~ N(0, 1) is a second latent factor shared with tech_data",
        "mean": {"startup": 2.3, "growth": 3.0, "mature": 3.6},
        "loading": 0.3, "marketing_loading": 0.5, "sd": 0.9,
        "source": "judgement: brand and data skills grow with the firm and go together",
    },
    "tech_data": {
        "distribution": "round(N(mean[stage] + 0.3*scale + 0.5*marketing, 0.9)), clipped to 1..5",
        "mean": {"startup": 2.3, "growth": 2.9, "mature": 3.5},
        "loading": 0.3, "marketing_loading": 0.5, "sd": 0.9,
        "source": "judgement",
    },
    "category": {
        "distribution": "categorical",
        "p": {"apparel": 0.20, "beauty": 0.10, "electronics": 0.15, "food": 0.05, "home": 0.15,
              "jewelry": 0.05, "pet": 0.05, "sports": 0.08, "toys": 0.07, "other": 0.10},
        "source": "judgement: apparel, electronics and home lead cross-border listings",
    },
    "avg_order_value_usd": {
        "distribution": "lognormal: median[category] * exp(N(0, 0.5)), clipped to 5..5000",
        "median": {"apparel": 45.0, "beauty": 35.0, "electronics": 90.0, "food": 30.0,
                   "home": 70.0, "jewelry": 80.0, "pet": 40.0, "sports": 60.0, "toys": 35.0,
                   "other": 50.0},
        "sigma": 0.5, "low": 5.0, "high": 5000.0,
        "source": "judgement, consistent with the profile default of $40",
    },
    "gross_margin_pct": {
        "distribution": "N(mean[category] + 4*(brand_content - 3), 8), clipped to 5..90",
        "mean": {"apparel": 70.0, "beauty": 76.0, "electronics": 55.0, "food": 60.0,
                 "home": 64.0, "jewelry": 76.0, "pet": 66.0, "sports": 64.0, "toys": 64.0,
                 "other": 64.0},
        "brand_premium": 4.0, "sd": 8.0, "low": 5.0, "high": 90.0,
        "source": "margin of the product cost on the consumer price: DTC private label gross "
                  "50–80%; keystone pricing (retail twice wholesale, wholesale about twice "
                  "landed cost) puts product cost near 25% of retail for goods sold through "
                  "marketplaces and retailers, thinner for electronics and food; category "
                  "spread is judgement; a stronger brand earns a premium (R3)",
    },
    "marketing_budget_usd": {
        "distribution": "lognormal: median[stage] * exp(0.5*scale + 0.25*(capital-3) + N(0, 0.6)),"
                        " clipped to 0..1e7 (USD per month)",
        "median": {"startup": 1500.0, "growth": 12000.0, "mature": 80000.0},
        "scale_loading": 0.5, "capital_loading": 0.25, "sigma": 0.6, "high": 1e7,
        "source": "judgement: about 10–15% of revenue for sellers of $15K, $100K and $700K a month",
    },
    "team_size": {
        "distribution": "lognormal: median[stage] * exp(0.4*scale + N(0, 0.5)), rounded, "
                        "clipped to 1..100000",
        "median": {"startup": 3.0, "growth": 15.0, "mature": 120.0},
        "scale_loading": 0.4, "sigma": 0.5, "high": 100000,
        "source": "judgement",
    },
    "target_markets": {
        "distribution": "independent Bernoulli per market, p[market] * breadth[stage] (capped at "
                        "0.95); a company that draws none gets one market drawn by p",
        "p": {"us": 0.75, "eu": 0.40, "uk": 0.30, "jp": 0.12, "sea": 0.25, "latam": 0.12,
              "mea": 0.08, "other": 0.05},
        "breadth": {"startup": 0.6, "growth": 1.0, "mature": 1.5},
        "source": "judgement: the US is the first market of most Chinese cross-border sellers",
    },
    "existing_channels": {
        "distribution": "independent Bernoulli per channel, p[stage][channel]",
        "p": {"startup": {"platform": 0.45, "distribution": 0.20, "independent_site": 0.10},
              "growth": {"platform": 0.80, "distribution": 0.30, "independent_site": 0.35},
              "mature": {"platform": 0.85, "distribution": 0.55, "independent_site": 0.65}},
        "source": "judgement, in the spirit of the S-rules' description of typical firms",
    },
}

MAX_N = 10_000_000


def data_card_table() -> pd.DataFrame:
    """`DATA_CARD` as a table (field, distribution, source) for a notebook to display."""
    rows = [
        {"field": name, "distribution": spec["distribution"], "source": spec["source"]}
        for name, spec in DATA_CARD.items()
    ]
    return pd.DataFrame(rows)


def generate_profiles(n: int, seed: int) -> pd.DataFrame:
    """Draw `n` synthetic companies; the same `seed` gives the same frame.

    Returns one row per company with the column `company_id` (`syn-000001`, ...) and every
    profile field of `modelfit.inputs.profile.FIELDS`; list fields hold tuples.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_N:
        raise ModelfitError(f"generate_profiles: n must be an integer from 1 to {MAX_N}, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ModelfitError(f"generate_profiles: seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(seed)
    card = DATA_CARD

    stage_p = card["stage"]["p"]
    stage_idx = rng.choice(len(STAGES), size=n, p=[stage_p[s] for s in STAGES])
    stage = np.asarray(STAGES, dtype=object)[stage_idx]
    scale = rng.standard_normal(n)
    marketing = rng.standard_normal(n)

    def by_stage(table: dict[str, float]) -> np.ndarray:
        return np.asarray([table[s] for s in STAGES], dtype=float)[stage_idx]

    ratings: dict[str, np.ndarray] = {}
    for name in RATINGS:
        spec = card[name]
        mean = by_stage(spec["mean"]) + spec["loading"] * scale
        mean = mean + spec.get("marketing_loading", 0.0) * marketing
        raw = mean + spec["sd"] * rng.standard_normal(n)
        ratings[name] = np.clip(np.rint(raw), 1, 5).astype(np.int64)

    cat_p = card["category"]["p"]
    cat_idx = rng.choice(len(CATEGORIES), size=n, p=[cat_p[c] for c in CATEGORIES])
    category = np.asarray(CATEGORIES, dtype=object)[cat_idx]

    aov_spec = card["avg_order_value_usd"]
    aov_median = np.asarray([aov_spec["median"][c] for c in CATEGORIES])[cat_idx]
    aov = aov_median * np.exp(aov_spec["sigma"] * rng.standard_normal(n))
    aov = np.round(np.clip(aov, aov_spec["low"], aov_spec["high"]), 2)

    gm_spec = card["gross_margin_pct"]
    gm_mean = np.asarray([gm_spec["mean"][c] for c in CATEGORIES])[cat_idx]
    gm = gm_mean + gm_spec["brand_premium"] * (ratings["brand_content"] - 3)
    gm = gm + gm_spec["sd"] * rng.standard_normal(n)
    gm = np.round(np.clip(gm, gm_spec["low"], gm_spec["high"]), 1)

    mb_spec = card["marketing_budget_usd"]
    log_budget = (mb_spec["scale_loading"] * scale
                  + mb_spec["capital_loading"] * (ratings["capital"] - 3)
                  + mb_spec["sigma"] * rng.standard_normal(n))
    budget = by_stage(mb_spec["median"]) * np.exp(log_budget)
    budget = np.round(np.clip(budget, 0.0, mb_spec["high"]), -1)

    team_spec = card["team_size"]
    team = by_stage(team_spec["median"]) * np.exp(
        team_spec["scale_loading"] * scale + team_spec["sigma"] * rng.standard_normal(n)
    )
    team_size = np.clip(np.rint(team), 1, team_spec["high"]).astype(np.int64)

    markets = _draw_markets(rng, stage_idx, n)
    channels = _draw_channels(rng, stage_idx, n)

    ids = [f"syn-{i:06d}" for i in range(1, n + 1)]
    frame = pd.DataFrame({
        "company_id": ids,
        "company": [f"Synthetic {i:06d}" for i in range(1, n + 1)],
        "stage": stage,
        **ratings,
        "category": category,
        "avg_order_value_usd": aov,
        "gross_margin_pct": gm,
        "marketing_budget_usd": budget,
        "team_size": team_size,
        "target_markets": markets,
        "existing_channels": channels,
    })
    for name in ("company_id", "company", "stage", "category"):
        frame[name] = frame[name].astype(object)
    return frame[["company_id", *FIELD_NAMES]]


def _draw_markets(rng: np.random.Generator, stage_idx: np.ndarray, n: int) -> list[tuple[str, ...]]:
    spec = DATA_CARD["target_markets"]
    p = np.asarray([spec["p"][m] for m in MARKETS])
    breadth = np.asarray([spec["breadth"][s] for s in STAGES])[stage_idx]
    prob = np.minimum(p[None, :] * breadth[:, None], 0.95)
    chosen = rng.random((n, len(MARKETS))) < prob
    fallback = rng.choice(len(MARKETS), size=n, p=p / p.sum())
    empty = ~chosen.any(axis=1)
    chosen[np.flatnonzero(empty), fallback[empty]] = True
    return [tuple(m for m, c in zip(MARKETS, row, strict=True) if c) for row in chosen]


def _draw_channels(
    rng: np.random.Generator, stage_idx: np.ndarray, n: int,
) -> list[tuple[str, ...]]:
    spec = DATA_CARD["existing_channels"]["p"]
    prob = np.asarray([[spec[s][c] for c in BASE_CHANNELS] for s in STAGES])[stage_idx]
    chosen = rng.random((n, len(BASE_CHANNELS))) < prob
    return [tuple(c for c, on in zip(BASE_CHANNELS, row, strict=True) if on) for row in chosen]
