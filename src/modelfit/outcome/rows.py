"""The outcome model's per-company inputs: profile rows turned into arrays (`prepare`), from the
assumptions in `data/outcomes.yaml`, with the helpers every channel's flow shares (saturating
spend, the run-off value of a base at the horizon).

Stage is an input: a company's starting revenue is its budget over the marketing share of
revenue at its stage, split over the channels it already runs, and brand equity by stage raises
organic demand and lowers acquisition cost. Demand noise is one lognormal draw per company and
channel (mean one), from a seeded `numpy.random.Generator`: every plan of a company sees the
same luck. Product cost is (1 - gross_margin_pct / 100) x the order value: a profile's
`product_cost_pct`, when given, is read as that margin before it gets here
(`Profile.outcome_fields`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.vocab import CATEGORIES, DISTRIBUTION_KINDS, MARKETS, STAGES

KINDS = DISTRIBUTION_KINDS  # kinds of distribution
CHANNELS = ("platform", "independent_site", *KINDS)
BASES = ("platform", "independent_site", "distribution")  # channels a profile can already run
PARTS = ("net_price_usd", "product_cost_usd", "channel_fees_usd", "ads_usd", "logistics_usd",
         "duties_taxes_usd", "returns_usd")
NEEDED_COLUMNS = (
    "stage", "capital", "supply_chain", "brand_content", "tech_data", "category",
    "avg_order_value_usd", "gross_margin_pct", "marketing_budget_usd", "team_size",
    "target_markets", "existing_channels",
)


# ---------------------------------------------------------------------------------------------
# Company inputs


@dataclass(frozen=True)
class Rows:
    """Per-company inputs of the outcome model, as arrays."""

    price: np.ndarray  # retail price of one order (consumer price incl. VAT where it applies)
    margin: np.ndarray
    budget: np.ndarray
    team: np.ndarray
    capital_usd: np.ndarray
    supply: np.ndarray
    brand: np.ndarray
    tech: np.ndarray
    category: np.ndarray
    stage: np.ndarray
    equity: np.ndarray
    market_weight: np.ndarray
    n_markets: np.ndarray
    vat_share: np.ndarray  # VAT as a share of the consumer price, sales-weighted over markets
    duty: np.ndarray  # import duty rate on the customs value, sales-weighted
    parcel_duty: np.ndarray  # duty paid by one parcel sent straight to a consumer, USD
    existing: Mapping[str, np.ndarray]
    base_revenue: Mapping[str, np.ndarray]  # starting monthly revenue of each running channel
    noise: Mapping[str, np.ndarray]

    @property
    def cost(self) -> np.ndarray:
        """Product cost of one order."""
        out: np.ndarray = (1.0 - self.margin) * self.price
        return out

    def take(self, rows: slice) -> Rows:
        """The same inputs for a slice of rows."""
        fields: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            fields[name] = ({k: v[rows] for k, v in value.items()} if isinstance(value, Mapping)
                            else value[rows])
        return Rows(**fields)


def prepare(df: pd.DataFrame, a: Mapping[str, Any], rng: np.random.Generator) -> Rows:
    """`df`'s profile columns checked and turned into `Rows` (capital and luck drawn by `rng`)."""
    missing = [c for c in NEEDED_COLUMNS if c not in df.columns]
    if missing:
        raise ModelfitError(f"simulate_outcomes: missing column(s) {', '.join(missing)}; "
                            f"needs {', '.join(NEEDED_COLUMNS)}")
    n = len(df)
    cats = df["category"].astype(str).to_numpy()
    unknown = sorted(set(cats) - set(CATEGORIES))
    if unknown:
        raise ModelfitError(f"simulate_outcomes: column category must be one of "
                            f"{', '.join(CATEGORIES)}; got {', '.join(map(repr, unknown[:3]))}")
    stages = df["stage"].astype(str).to_numpy()
    bad = sorted(set(stages) - set(STAGES))
    if bad:
        raise ModelfitError(f"simulate_outcomes: column stage must be one of "
                            f"{', '.join(STAGES)}; got {', '.join(map(repr, bad[:3]))}")
    markets = df["target_markets"].tolist()
    if any(len(ms) < 1 for ms in markets) or any(m not in MARKETS for ms in markets for m in ms):
        raise ModelfitError("simulate_outcomes: column target_markets must hold non-empty "
                            f"lists of {', '.join(MARKETS)}")
    mk = a["markets"]
    weight = np.asarray([[float(mk["weight"][m]) if m in ms else 0.0 for m in MARKETS]
                         for ms in markets], dtype=float).reshape(n, len(MARKETS))
    market_weight = weight.sum(1)
    mix = weight / market_weight[:, None]  # share of sales by market
    vat = np.asarray([float(mk["vat"][m]) for m in MARKETS])
    duty = np.asarray([float(mk["duty_us"]) if m == "us" else float(mk["duty_other"][m])
                       for m in MARKETS])
    parcel = np.asarray([min(1.0, float(mk["parcel_duty_share"][m])) for m in MARKETS])
    flat = np.asarray([float(mk["eu_parcel_duty_usd"]) if m == "eu" else 0.0 for m in MARKETS])
    price = df["avg_order_value_usd"].to_numpy(dtype=float)
    margin = df["gross_margin_pct"].to_numpy(dtype=float) / 100.0
    cost = (1.0 - margin) * price
    existing_lists = df["existing_channels"].tolist()
    existing = {b: np.asarray([b in e for e in existing_lists], dtype=bool) for b in BASES}
    budget = df["marketing_budget_usd"].to_numpy(dtype=float)
    stage_idx = pd.Index(list(STAGES)).get_indexer(pd.Index(stages))
    share = np.asarray([float(a["stage"]["marketing_share"][s]) for s in STAGES])[stage_idx]
    equity = np.asarray([float(a["stage"]["brand_equity"][s]) for s in STAGES])[stage_idx]
    running = np.maximum(1, sum(existing[b].astype(int) for b in BASES))
    revenue0 = budget / share / running
    capital = df["capital"].to_numpy(dtype=np.int64)
    table = {int(k): float(v) for k, v in a["capital_usd"].items()}
    base_cash = np.asarray([table[int(c)] for c in capital], dtype=float)
    s = a["settings"]
    # Draw order is fixed: capital luck, then demand luck per channel (CHANNELS order).
    cap_sd = float(s["capital_sd"])
    capital_usd = base_cash * np.exp(cap_sd * rng.standard_normal(n) - cap_sd**2 / 2)
    sd = float(s["demand_sd"])
    draws = rng.standard_normal((n, len(CHANNELS)))
    noise = {c: np.exp(sd * draws[:, i] - sd**2 / 2) for i, c in enumerate(CHANNELS)}
    return Rows(
        price=price, margin=margin, budget=budget,
        team=df["team_size"].to_numpy(dtype=float), capital_usd=capital_usd,
        supply=df["supply_chain"].to_numpy(dtype=float) - 3.0,
        brand=df["brand_content"].to_numpy(dtype=float) - 3.0,
        tech=df["tech_data"].to_numpy(dtype=float) - 3.0,
        category=cats, stage=stages, equity=equity, market_weight=market_weight,
        n_markets=np.asarray([len(ms) for ms in markets], dtype=float),
        vat_share=mix @ (vat / (1.0 + vat)), duty=mix @ duty,
        parcel_duty=((mix * parcel) @ duty) * cost + mix @ flat,
        existing=existing,
        base_revenue={b: np.where(existing[b], revenue0, 0.0) for b in BASES},
        noise=noise,
    )


def by_category(table: Mapping[str, Any], category: np.ndarray) -> np.ndarray:
    return np.asarray([float(table[c]) for c in CATEGORIES])[
        pd.Index(list(CATEGORIES)).get_indexer(pd.Index(category))
    ]


def saturate(spend: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Effective spend `H * ln(1 + S / H)`: the first dollars work fully, returns then diminish."""
    out: np.ndarray = half * np.log1p(spend / half)
    return out


def runoff_value(
    contribution: np.ndarray, retention: float, fixed: float, a: Mapping[str, Any],
) -> np.ndarray:
    """Terminal value at the horizon of a base that keeps earning with no new marketing.

    Month k = 1 .. `settings.runoff_months` after the horizon earns `contribution x retention^k`
    less `fixed`, discounted by `(1 + cost_of_capital_month)^k`; the owner stops once a month
    would lose money (the net falls with k, so only the positive months count). Never negative.
    """
    k = np.arange(1, int(a["settings"]["runoff_months"]) + 1, dtype=float)[None, :]
    net = contribution[:, None] * retention**k - fixed
    out: np.ndarray = (np.maximum(net, 0.0)
                       / (1.0 + float(a["cost_of_capital_month"])) ** k).sum(1)
    return out


# ---------------------------------------------------------------------------------------------
