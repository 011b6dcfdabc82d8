"""The market layer's words, in English and Chinese: variants, fits, the reasons behind a
platform's fit, and the labels of the text and report output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelfit.core.dated import UNKNOWN

__all__ = ["TEXT", "text", "unknown"]

TEXT: Mapping[str, Mapping[str, str]] = {
    # variants and fits
    "self_run": {"en": "self-run", "zh": "自运营"},
    "semi_managed": {"en": "semi-managed", "zh": "半托管"},
    "full_managed": {"en": "full-managed", "zh": "全托管"},
    "good": {"en": "fits", "zh": "适合"},
    "possible": {"en": "possible", "zh": "可以考虑"},
    "poor": {"en": "does not fit", "zh": "不适合"},
    "factory": {"en": "factory-type (strong supply chain, little capital or brand)",
                "zh": "工厂型（供应链强，资金或品牌弱）"},
    "brand": {"en": "brand-led", "zh": "品牌驱动型"},
    "balanced": {"en": "neither factory-type nor brand-led", "zh": "介于工厂型与品牌型之间"},
    # why a platform fits or not
    "why_category": {"en": "does not sell {category}", "zh": "不经营{category}类目"},
    "why_factory_full": {
        "en": "fits a factory-type seller: the platform runs listing, traffic, logistics and "
              "service, you supply at an agreed price",
        "zh": "适合工厂型卖家：上架、流量、物流和售后由平台负责，卖家按约定供货价供货"},
    "why_brand_full": {
        "en": "does not fit a brand-led company: the platform sets the retail price and keeps "
              "the customer and the brand's presence",
        "zh": "不适合品牌驱动型企业：零售价由平台决定，客户和品牌曝光都归平台"},
    "why_balanced_full": {
        "en": "a low-effort first step, at the cost of pricing control",
        "zh": "投入少的第一步，代价是放弃定价权"},
    "why_semi_stock": {
        "en": "you hold stock in the market and ship it; the platform brings traffic",
        "zh": "卖家在当地备货并发货，平台带来流量"},
    "why_semi_capital": {
        "en": "needs stock in an overseas warehouse, which your capital ({capital}/5) makes "
              "hard",
        "zh": "需要在海外仓备货，以贵司资金实力（{capital}/5）压力较大"},
    "why_semi_brand": {
        "en": "the platform checks or sets the price, which limits a brand's pricing",
        "zh": "平台核价或定价，限制品牌的价格策略"},
    "why_plan": {
        "en": "a marketplace store is part of the recommended plan ({plan})",
        "zh": "平台店铺是推荐方案（{plan}）的一部分"},
    "why_plan_other": {
        "en": "the plan's core is {plan}; a marketplace store would be a second channel",
        "zh": "方案的核心是{plan}，平台店铺只作辅助渠道"},
    "why_self_run_work": {
        "en": "you run listings, ads and service yourself, where your brand ({brand}/5) and "
              "data ({tech}/5) skills are thin",
        "zh": "上架、广告和客服须自己做，而贵司品牌（{brand}/5）和数据（{tech}/5）能力偏弱"},
    "why_margin": {
        "en": "the commission ({rate}) takes more than half of your gross margin ({margin}%)",
        "zh": "佣金（{rate}）超过毛利率（{margin}%）的一半"},
    "why_unknown_rate": {"en": "its commission is unknown", "zh": "佣金暂无可靠数据"},
    # labels
    "title": {"en": "Markets and platforms", "zh": "市场与平台"},
    "intro": {
        "en": "Where {company} can sell, on which platform and by which route, and the rules "
              "it must meet, as of {as_of} (market data of {version}). Every figure has its "
              "date, source and grade; an unknown stays unknown.",
        "zh": "截至{as_of}（市场数据版本{version}），{company}可以在哪些市场、哪些平台、走哪条物流"
              "线路销售，以及必须满足的规则。每个数字都注明日期、来源和可信度；没有可靠数据的"
              "一律标为暂无可靠数据。"},
    "company_type": {"en": "Company type: {kind}.", "zh": "企业类型：{kind}。"},
    "h_platforms": {"en": "Platforms", "zh": "平台"},
    "h_managed": {"en": "Managed programmes: what the seller gives up",
                  "zh": "托管模式：卖家让渡了什么"},
    "h_routes": {"en": "Routes from China", "zh": "物流线路（自中国发出）"},
    "h_compliance": {"en": "Before the first sale: rules in force",
                     "zh": "首单之前：现行规则"},
    "h_ahead": {"en": "Changes within the next year", "zh": "未来一年的规则变化"},
    "h_unknown": {"en": "Values left unknown", "zh": "暂无可靠数据的项目"},
    "no_market_data": {"en": "No market data for this market.",
                       "zh": "该市场暂无可靠数据。"},
    "no_routes": {"en": "No route data for this market.", "zh": "该市场暂无物流线路数据。"},
    "no_changes": {"en": "No change known within the next year.",
                   "zh": "未来一年内暂无已知变化。"},
    "no_managed": {"en": "No managed programme in the data for this market.",
                   "zh": "该市场暂无托管模式数据。"},
    "platform": {"en": "platform", "zh": "平台"},
    "variant": {"en": "variant", "zh": "模式"},
    "fit": {"en": "fit", "zh": "适配度"},
    "commission": {"en": "commission", "zh": "佣金"},
    "monthly_fee": {"en": "monthly fee", "zh": "月费"},
    "payout_days": {"en": "payout (days)", "zh": "回款周期（天）"},
    "why": {"en": "why", "zh": "理由"},
    "source": {"en": "source", "zh": "来源"},
    "gives_up": {"en": "the seller gives up", "zh": "卖家让渡"},
    "route": {"en": "route", "zh": "线路"},
    "cost_per_order": {"en": "cost per order (USD)", "zh": "单笔成本（美元）"},
    "days": {"en": "days to customer", "zh": "送达天数"},
    "stock_days": {"en": "stock tied up (days)", "zh": "库存占用（天）"},
    "wins_from": {"en": "pays off from", "zh": "何时更划算"},
    "rule": {"en": "rule", "zh": "规则"},
    "value": {"en": "value", "zh": "数值"},
    "in_force": {"en": "in force", "zh": "生效期"},
    "from": {"en": "from {date}", "zh": "{date}起"},
    "until": {"en": "{start} to {end}", "zh": "{start}至{end}"},
    "date": {"en": "date", "zh": "日期"},
    "change": {"en": "change", "zh": "变化"},
    "required": {"en": "required", "zh": "必须"},
    "supply_price": {"en": "none: sold at a supply price", "zh": "无：按供货价结算"},
    "commission_of": {"en": "{name}: commission", "zh": "{name}：佣金"},
    "service_fee": {"en": "+ {rate}% service fee", "zh": "另加{rate}%服务费"},
    "grade_official": {"en": "official", "zh": "官方"},
    "grade_trade press": {"en": "trade press", "zh": "行业媒体"},
    "grade_vendor": {"en": "vendor", "zh": "服务商"},
    "grade_judged": {"en": "judged", "zh": "判断"},
}


def text(key: str, lang: str, **values: Any) -> str:
    """One label or sentence of the market output in `lang` (en or zh)."""
    return TEXT[key]["zh" if lang == "zh" else "en"].format(**values)


def unknown(lang: str) -> str:
    """How an unknown value reads: "unknown" / "暂无可靠数据"."""
    return UNKNOWN["zh" if lang == "zh" else "en"]
