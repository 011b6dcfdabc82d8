"""The profile's money inputs beside the fields: what the goods cost, the cash the company can
commit, and the real monthly figures of the channels it already runs.

- `product_cost_pct`: the ex-works cost of the goods as a share of the consumer price (%). When
  given it wins over `gross_margin_pct` (the money plan and the classifier read
  100 − product_cost_pct as the margin).
- `cash_usd`: the cash the company can commit to the overseas business. Without it the money
  plan takes the level its capital rating stands for, and says so.
- `current:`: per running channel (`platform`, `independent_site`, `distribution`), its monthly
  figures: `monthly_orders` and/or `monthly_revenue_usd` (one of them is needed), and when known
  `ad_spend_usd` and `fees_usd` (what the channel charges a month: commission, fulfilment and
  storage fees, subscriptions). The money plan then calibrates that channel on them instead of
  simulating it.

Every problem is one line naming the file, the field, the value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from modelfit.core.errors import kind, shown
from modelfit.core.vocab import BASE_CHANNELS

MONEY_KEYS = ("product_cost_pct", "cash_usd", "current")
CURRENT_KEYS = ("monthly_orders", "monthly_revenue_usd", "ad_spend_usd", "fees_usd")
MAX_MONTHLY = 1e9  # USD or orders a month
MAX_CASH = 1e10

# One sentence each, wherever a margin or cost is asked (questionnaire, README, docs).
DEFINITIONS: Mapping[str, Mapping[str, str]] = {
    "gross_margin_pct": {
        "en": "the share of the consumer price left after the ex-works cost of the goods, before "
              "freight, duties, platform commission, fulfilment, returns and ads (a USD 40 item "
              "that costs USD 10 ex-works: 75)",
        "zh": "消费者售价扣除出厂采购成本后剩余的比例，未扣头程运费、关税、平台佣金、仓储配送、"
              "退货和广告（售价 40 美元、出厂成本 10 美元的商品填 75）",
    },
    "product_cost_pct": {
        "en": "the ex-works cost of the goods as a share of the consumer price (a USD 40 item "
              "that costs USD 10 ex-works: 25); when given it wins over gross_margin_pct",
        "zh": "出厂采购成本占消费者售价的比例（售价 40 美元、出厂成本 10 美元的商品填 25）；"
              "填写后以此为准，不再用毛利率推算",
    },
    "cash_usd": {
        "en": "the cash the company can commit to the overseas business, in USD; left out, the "
              "level its capital rating stands for is used",
        "zh": "公司可投入海外业务的现金（美元）；不填则按资金实力评分对应的水平测算",
    },
    "current": {
        "en": "per channel already running: monthly_orders or monthly_revenue_usd, and "
              "ad_spend_usd and fees_usd a month when known; the money plan then uses these "
              "figures instead of estimating the channel",
        "zh": "已在运营的渠道每月的实际数字：月订单数或月销售额（美元），以及已知的月广告费和"
              "月平台费用（美元）；填写后经营测算以实际数字为准",
    },
}


def definition(name: str, lang: str) -> str:
    """The one-sentence definition of a money input in `lang` (en or zh)."""
    return DEFINITIONS[name]["zh" if lang == "zh" else "en"]


def number(raw: Any, low: float, high: float) -> float | None:
    """`raw` as a float when it is a finite number (not a bool) from `low` to `high`, else None."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None
    value = float(raw)
    return value if math.isfinite(value) and low <= value <= high else None


def read_money(data: Mapping[str, Any], source: str, running: tuple[str, ...] | None,
               problems: list[str]) -> dict[str, Any]:
    """The money inputs of a profile mapping, checked: {product_cost_pct, cash_usd, current}
    for those present. `running` is the profile's existing channels (None: not said); a
    `current:` entry for a channel the profile says does not run is a problem."""
    out: dict[str, Any] = {}
    if data.get("product_cost_pct") is not None:
        raw = data["product_cost_pct"]
        value = number(raw, 0.0, 100.0)
        if value is None or value <= 0 or value >= 100:
            problems.append(f"{source}: product_cost_pct must be a number above 0 and below 100 "
                            f"(% of the consumer price), got {shown(raw)}")
        else:
            out["product_cost_pct"] = value
    if data.get("cash_usd") is not None:
        raw = data["cash_usd"]
        value = number(raw, 0.0, MAX_CASH)
        if value is None:
            problems.append(f"{source}: cash_usd must be a number from 0 to {MAX_CASH:,.0f} (USD), "
                            f"got {shown(raw)}")
        else:
            out["cash_usd"] = value
    if data.get("current") is not None:
        value = number(data.get("avg_order_value_usd", 40.0), 1.0, 5000.0) or 40.0
        current = read_current(data["current"], source, running, problems, value)
        if current:
            out["current"] = current
    return out


def read_current(raw: Any, source: str, running: tuple[str, ...] | None,
                 problems: list[str], order_value: float = 40.0) -> dict[str, dict[str, float]]:
    """The `current:` block: {channel: {figure: value}}, with every problem appended
    (`order_value`: the profile's average order value, for sales given as orders)."""
    if not isinstance(raw, Mapping):
        problems.append(f"{source}: current must be a mapping of running channel to its monthly "
                        f"figures ({', '.join(BASE_CHANNELS)}), got {kind(raw)}")
        return {}
    out: dict[str, dict[str, float]] = {}
    for channel, figures in raw.items():
        if channel not in BASE_CHANNELS:
            problems.append(f"{source}: current has {shown(channel)}; allowed channels: "
                            f"{', '.join(BASE_CHANNELS)}")
            continue
        if running is not None and channel not in running:
            problems.append(f"{source}: current.{channel} is given but existing_channels does "
                            f"not list {channel}; add it there or remove current.{channel}")
            continue
        where = f"current.{channel}"
        if not isinstance(figures, Mapping):
            problems.append(f"{source}: {where} must be a mapping of {', '.join(CURRENT_KEYS)}, "
                            f"got {kind(figures)}")
            continue
        checked: dict[str, float] = {}
        for key, value in figures.items():
            if key not in CURRENT_KEYS:
                problems.append(f"{source}: {where} has {shown(key)}; allowed: "
                                f"{', '.join(CURRENT_KEYS)}")
                continue
            amount = number(value, 0.0, MAX_MONTHLY)
            if amount is None:
                unit = "orders a month" if key == "monthly_orders" else "USD a month"
                problems.append(f"{source}: {where}.{key} must be a number from 0 to "
                                f"{MAX_MONTHLY:,.0f} ({unit}), got {shown(value)}")
                continue
            checked[key] = amount
        if not (checked.get("monthly_orders") or checked.get("monthly_revenue_usd")):
            if not any(p.startswith(f"{source}: {where}.monthly") for p in problems):
                problems.append(f"{source}: {where} needs monthly_orders or monthly_revenue_usd "
                                "above 0 (the channel's sales a month)")
            continue
        revenue = checked.get("monthly_revenue_usd") or checked["monthly_orders"] * order_value
        if checked.get("fees_usd", 0.0) > revenue:
            problems.append(f"{source}: {where}.fees_usd is {checked['fees_usd']:,.0f}, more than "
                            f"the channel's sales of {revenue:,.0f} a month; fees are paid out of "
                            "sales, give at most the monthly sales")
            continue
        out[channel] = checked
    return out
