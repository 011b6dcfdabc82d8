"""The market answer as plain JSON data: `modelfit markets --json` and `recommend --json`'s
`markets`.

    {company_id, as_of, data_version, company_type,
     markets: [{market, name,
                platforms: [{id, name, variant, sets_price, fit, why, commission_pct,
                             commission, service_fee_pct, monthly_fee, currency, payout_days,
                             fulfilment, gives_up}],
                managed: [{id, name, variant, fit, why, gives_up}],
                routes: [{id, name, kind, cost_per_order_usd, days, stock_days,
                          fixed_month_usd, wins_from_orders_month, wins_over, records}],
                compliance: [{id, name, kind, country, unit, record}],
                changes_ahead: [{id, name, unit, record}],
                unknown: [text]}]}

A record is `Dated.to_dict()`: {value, valid_from, valid_to, grade, source, judgement, note}.
`commission_pct` is the company's category's commission as [low, high] (null when unknown);
unknown values are null, never 0.
"""

from __future__ import annotations

from typing import Any

from modelfit.core.dated import Dated, pick

# The answer's classes live in modelfit.decision.markets, which calls this module: they are
# read here by their attributes only (typed Any), so the two modules do not import each other.

__all__ = ["answer_dict"]


def _record(rec: Dated | None) -> dict[str, Any] | None:
    return None if rec is None else rec.to_dict()


def _value(rec: Dated | None) -> Any:
    return None if rec is None else rec.value


def _text(rec: Dated | None, lang: str) -> str | None:
    if rec is None or rec.value is None:
        return None
    return str(rec.value["zh" if lang == "zh" else "en"])


def _platform(f: Any, answer: Any) -> dict[str, Any]:
    p, lang, as_of = f.platform, answer.lang, answer.as_of
    return {
        "id": p.id, "name": p.name["zh" if lang == "zh" else "en"], "variant": p.variant,
        "sets_price": p.sets_price, "fit": f.fit, "why": list(f.why),
        "commission_pct": None if f.rate is None else list(f.rate),
        "commission": _record(f.commission),
        "service_fee_pct": _value(pick(p.fields.get("service_fee_pct", ()), as_of)),
        "monthly_fee": _value(f.value("monthly_fee", as_of)), "currency": p.currency,
        "payout_days": _value(f.value("payout_days", as_of)),
        "fulfilment": _text(f.value("fulfilment", as_of), lang),
        "gives_up": _text(f.value("gives_up", as_of), lang),
    }


def _market(m: Any, answer: Any) -> dict[str, Any]:
    key = "zh" if answer.lang == "zh" else "en"
    platforms = [_platform(f, answer) for f in m.platforms]
    return {
        "market": m.market, "name": m.name,
        "platforms": platforms,
        "managed": [{k: p[k] for k in ("id", "name", "variant", "fit", "why", "gives_up")}
                    for p in platforms if p["variant"] != "self_run"],
        "routes": [{
            "id": r.route.id, "name": r.route.name[key], "kind": r.route.kind,
            "cost_per_order_usd": None if r.cost_per_order is None else list(r.cost_per_order),
            "days": None if r.days is None else list(r.days),
            "stock_days": None if r.stock_days is None else list(r.stock_days),
            "fixed_month_usd": r.fixed_month,
            "wins_from_orders_month": r.wins_from_orders, "wins_over": r.wins_over,
            "records": {name: _record(rec) for name, rec in r.records.items()},
        } for r in m.routes],
        "compliance": [{"id": rule.id, "name": rule.name[key], "kind": rule.kind,
                        "country": rule.country,
                        "unit": None if rule.unit is None else rule.unit[key],
                        "record": rec.to_dict()} for rule, rec in m.compliance],
        "changes_ahead": [{"id": c.what, "name": c.name, "unit": c.unit,
                           "record": c.record.to_dict()} for c in m.changes],
        "unknown": list(m.unknown),
    }


def answer_dict(answer: Any) -> dict[str, Any]:
    """The JSON object of one company's market answer (module docstring)."""
    return {"company_id": answer.company_id, "as_of": answer.as_of.isoformat(),
            "data_version": answer.version, "company_type": answer.company_type,
            "markets": [_market(m, answer) for m in answer.markets]}
