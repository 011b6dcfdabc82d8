"""How client text is written, in one place: the names that may stay in Latin letters inside
Chinese (brands and the article's own abbreviations), the glossary (one term per concept, in
both languages), the Chinese spacing rule and the checks of the wording lint
(`tests/test_wording.py`). docs/style-zh.md explains each rule with examples.

`problems(text, lang)` lists what is wrong with one client text; `zh_spacing(text)` applies the
spacing rule to a Chinese text once its placeholders are filled (a company name or a number
arrives without knowing which script is beside it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Brand and product names a Chinese sentence may keep in Latin letters. Every other Latin word in
# Chinese client text is a leak (an id, a field name, an untranslated word). Add a brand here,
# once, when a text needs it.
BRANDS: frozenset[str] = frozenset({
    "Amazon", "eBay", "AliExpress", "Shopee", "Lazada", "TikTok", "TikTok Shop", "Temu", "SHEIN",
    "Walmart", "Etsy", "Mercado Libre", "Rakuten", "Allegro", "Zalando", "Otto", "Cdiscount",
    "Coupang", "Tokopedia", "Noon", "Jumia", "Bol.com", "Flipkart", "Ozon", "Wildberries",
    "Instagram", "Instagram Shopping", "Facebook", "Meta", "YouTube", "Pinterest", "Google",
    "Google Analytics", "Shopify", "Magento", "WordPress", "WooCommerce", "PayPal", "Stripe",
    "Klarna", "Saaty",
})
# Abbreviations and loanwords the article itself keeps in Latin letters (FBA, DTC, SEO, CRO,
# PMF, A+ pages, SP ads, Listing, CRM), and common trade abbreviations a consultant would write.
LATIN_TERMS: frozenset[str] = frozenset({
    "FBA", "DTC", "SEO", "CRO", "CRM", "PMF", "SP", "A+", "Listing", "SKU", "VAT", "IOSS", "EPR",
    "GMV", "ROI", "KPI", "B2B", "Excel", "SHA-256", "CE", "UKCA", "FCC", "CPSIA", "FDA",
    "OEM", "ODM", "GA4", "ERP", "ACoS", "ROAS",
})
# Software a run record names (the method appendix only).
SOFTWARE: frozenset[str] = frozenset({
    "Python", "modelfit", "numpy", "pandas", "scikit-learn", "matplotlib", "papermill",
    "nbconvert", "skops", "SHA-256",
})
# Chinese words with a Latin letter inside them: no space is put around that letter.
ZH_WORDS_WITH_LATIN: tuple[str, ...] = ("小B分销", "小B买家", "小B", "A模式", "B模式", "A+页面",
                                        "A/B")
# Method names: only the method appendix may name them; the client's part says what they do.
METHOD_WORDS = {
    "en": ("SMAA", "rank-order centroid", "SWING", "AHP", "entropy", " bits", "acceptability",
           "central weight", "Dirichlet", "outcome model"),
    "zh": ("SMAA", "秩序质心", "摆动权重", "SWING", "AHP", "层次分析", "决策熵", "比特", "可接受度",
           "中心权重", "狄利克雷", "Dirichlet", "结果模型"),
}


@dataclass(frozen=True)
class Term:
    """One concept: its single term in each language and the variants that must not appear."""

    concept: str
    zh: str
    en: str
    zh_avoid: tuple[str, ...] = ()
    en_avoid: tuple[str, ...] = ()


# One term per concept (docs/style-zh.md gives the reasons). Models are 模式; the channels a plan
# runs are named as channels: 平台店铺, 独立站, and the kind of distribution.
GLOSSARY: tuple[Term, ...] = (
    Term("platform model", "平台模式", "Marketplace platform"),
    Term("own-site model", "独立站模式", "Own brand site (DTC)"),
    Term("distribution model", "分销模式", "Distribution"),
    Term("hybrid model", "混合模式", "Hybrid"),
    Term("platform channel", "平台店铺", "platform store"),
    Term("own-site channel", "独立站", "own site"),
    Term("dropshipping", "一件代发", "dropshipping"),
    Term("small-B distribution", "小B分销", "small-B distribution", zh_avoid=("小B端",)),
    Term("overseas distributors", "海外分销商", "overseas distributors",
         zh_avoid=("经销商",), en_avoid=("dealers",)),
    Term("dual track (S2)", "双轨制", "dual track"),
    Term("classifier", "分类模型", "classifier", zh_avoid=("分类器",)),
    Term("money plan", "经营测算", "money plan", zh_avoid=("经济账",)),
    Term("import duties and taxes", "进口关税及增值税", "import duties and taxes",
         zh_avoid=("关税和税费",)),
    Term("price a channel pays the seller", "实收单价", "price received", zh_avoid=("到手价",)),
    Term("framework", "决策框架", "framework"),
    Term("stage base points", "阶段基础分", "stage base points"),
    Term("scenario", "情景", "scenario"),
    Term("unknown", "暂无可靠数据", "no reliable data", zh_avoid=("未知",)),
)
# Literal translations a Chinese reader stumbles on, with what to write instead.
ZH_LITERAL: dict[str, str] = {
    "不计运气好坏": "按常规情况测算",
    "花多少钱、赚多少钱": "投入与回报",
    "客户自己的权重": "客户设定的权重",
}

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_FULL_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f\uff3b-\uff40\uff5b-\uff65“”‘’…—"
_MASK = "\ue000"  # stands in for a Latin letter inside a Chinese word while spacing
_NAME = "Xname"  # stands in for an allowed name while checking
# ASCII punctuation touching a Chinese character (a Latin source name may keep its own).
_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}])[ \t]*(?:[,;!?().]|:(?!\d))"
                          rf"|(?:[,;!?()]|(?<!\d):)[ \t]*(?=[{_CJK}])")
_CURRENCY_CODE = re.compile(r"\d[\d.,]*\s*(?:USD|EUR|GBP|JPY|CNY|RMB)\b|\b(?:USD|EUR|GBP|JPY|CNY|RMB)\s*\d")
_CODES = "(?:US|UK|EU|SEA|MEA|LATAM|JP)"
_MARKET_CODES = re.compile(rf"(?<![A-Za-z]){_CODES}(?=、)|、{_CODES}(?![A-Za-z])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+'&.\-]*(?: [A-Z][A-Za-z0-9+&.\-]*)*")
_CODE = re.compile(r"`[^`]*`")
_MARKDOWN = re.compile(r"\*\*|__")
_RULE_ID = re.compile(r"(?<![A-Za-z0-9])(?:O-[PS]\d|[SRF]\d)(?![A-Za-z0-9])")
_NON_NUMBER = re.compile(r"(?<![A-Za-z0-9_])(?:-?inf|nan|NaN|Infinity)(?![A-Za-z0-9_])")
_TRAILING_ZERO = re.compile(r"(?<![\d.])\d+\.0(?![\d.])")
_DOUBLE_COLON = re.compile(r"[:：][^。！？；\n:：|]*[:：]")
_MODEL = re.compile(r"(平台|独立站|分销)模式")
_CHANNEL_LIST = re.compile(r"渠道[^。；\n]*?[：:][^。；\n]*?(平台|独立站|分销)模式")
# A weak rating (1/5 or 2/5) named among what a plan's lead "comes from" (优势来自 / wins on).
_WEAK_STRENGTH = {
    "zh": re.compile(r"优势来自[^。；]*?(?<![\d.])[12]/5"),
    "en": re.compile(r"(?:wins on|recommended, on)[^.;]*? at [12]/5"),
}
_SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def zh_spacing(text: str) -> str:
    """`text` (Chinese) with one space between a Chinese character and a Latin letter or digit,
    none between two Chinese characters or beside full-width punctuation, and none inside the
    Chinese words that hold a Latin letter (小B分销, A模式)."""
    masked = text
    for i, word in enumerate(ZH_WORDS_WITH_LATIN):
        masked = masked.replace(word, f"{_MASK}{i}{_MASK}")
    masked = re.sub(rf"([{_CJK}])[ \t]+(?=[{_CJK}{_FULL_PUNCT}])", r"\1", masked)
    masked = re.sub(rf"([{_FULL_PUNCT}])[ \t]+(?=[{_CJK}A-Za-z0-9{_MASK}])", r"\1", masked)
    masked = re.sub(rf"(?<=[{_CJK}A-Za-z0-9%{_MASK}])[ \t]+(?=[{_FULL_PUNCT}])", "", masked)
    masked = re.sub(rf"([{_CJK}])(?=[A-Za-z0-9])", r"\1 ", masked)
    masked = re.sub(rf"(?<=[A-Za-z0-9%+&'])(?=[{_CJK}])", " ", masked)
    masked = re.sub(rf"(?<=[A-Za-z]\.)(?=[{_CJK}])", " ", masked)
    for i, word in enumerate(ZH_WORDS_WITH_LATIN):
        masked = masked.replace(f"{_MASK}{i}{_MASK}", word)
    return masked


def _latin_allowed(word: str, allowed: frozenset[str]) -> bool:
    word = word.rstrip(".'-")
    if word in BRANDS or word in LATIN_TERMS or word in allowed:
        return True
    return all(part in BRANDS or part in LATIN_TERMS or part in allowed
               for part in re.split(r"[ +]", word) if part)


def problems(text: str, lang: str, *, allowed: Iterable[str] = (), appendix: bool = False,
             proper_names: bool = False) -> list[str]:
    """What is wrong with one client text in `lang` (en or zh): an empty list when nothing is.

    `allowed` names words the text may hold as they are (the company's own name); `appendix`
    marks the method appendix, which may name the methods; `proper_names` marks a table of
    named sources, platforms and regulations, whose Latin names stay as they are (currency and
    market codes are still refused in Chinese)."""
    names = frozenset(allowed)
    found: list[str] = []
    bare = text
    for name in sorted(names, key=len, reverse=True):
        if name:
            cjk = re.search(f"[{_CJK}]", name) is not None
            bare = bare.replace(name, "甲" if cjk and lang == "zh" else _NAME)
    bare = _MARKDOWN.sub("", bare)
    if _NON_NUMBER.search(bare):
        found.append(f"a number that is not one ({_NON_NUMBER.search(bare).group()})")  # type: ignore[union-attr]
    if _TRAILING_ZERO.search(bare):
        found.append(f"a trailing .0 ({_TRAILING_ZERO.search(bare).group()})")  # type: ignore[union-attr]
    if "::" in bare or "：：" in bare or (lang == "zh" and _DOUBLE_COLON.search(bare)):
        found.append("doubled colons")
    if "`" in bare:
        found.append("a code span (machinery) in client text")
    if weak := _WEAK_STRENGTH["zh" if lang == "zh" else "en"].search(bare):
        found.append(f"a weak rating called a strength ({weak.group()})")
    if not appendix:
        hits = [w for w in METHOD_WORDS[lang] if w.lower() in bare.lower()]
        if hits:
            found.append(f"a method name outside the method appendix ({hits[0].strip()})")
    if lang == "zh":
        found += _zh_problems(bare, names | SOFTWARE if appendix else names, proper_names)
    else:
        found += _en_problems(bare)
    return found


def _zh_problems(text: str, allowed: frozenset[str], proper_names: bool = False) -> list[str]:
    found: list[str] = []
    plain = _CODE.sub("", text)
    plain = re.sub(r"^\|[-:| ]+\|$", "", plain, flags=re.M)  # a Markdown table's rule
    plain = re.sub(r"(?<=\d),(?=\d{3})", "", plain)
    punct = _ASCII_PUNCT.search(plain)
    if punct:
        found.append(f"ASCII punctuation in Chinese ({plain[max(0, punct.start() - 4):punct.end() + 4]})")
    words = plain
    for word in ZH_WORDS_WITH_LATIN:
        words = words.replace(word, "甲")
    for word in [] if proper_names else _LATIN_WORD.findall(words):
        if not _latin_allowed(word, allowed | {_NAME}) and not _RULE_ID.fullmatch(word):
            found.append(f"English inside Chinese ({word})")
            break
    for pattern, what in ((_CURRENCY_CODE, "a currency code (write 美元, 欧元, 英镑)"),
                          (_MARKET_CODES, "a market code (write 美国, 英国, 欧盟)")):
        if hit := pattern.search(plain):
            found.append(f"{what}: {hit.group()}")
    if _RULE_ID.search(plain) and not proper_names:
        found.append(f"a rule id in a client sentence ({_RULE_ID.search(plain).group()})")  # type: ignore[union-attr]
    for term in GLOSSARY:
        for avoid in term.zh_avoid:
            if avoid in plain and term.zh not in plain.replace(avoid, ""):
                found.append(f"{avoid}: the glossary term is {term.zh}")
    for literal, better in ZH_LITERAL.items():
        if literal in plain:
            found.append(f"a literal translation ({literal}; write {better})")
    channel_as_model = _CHANNEL_LIST.search(plain) or next(
        (c for c in re.split(r"[，。；：！？\n]", plain) if "渠道" in c and _MODEL.search(c)), None)
    if channel_as_model:
        found.append(f"a model named as a channel ({channel_as_model})")
    if zh_spacing(plain) != plain:
        found.append(f"spacing between Chinese and Latin text ({plain})")
    return found


def _en_problems(text: str) -> list[str]:
    found: list[str] = []
    if re.search(f"[{_CJK}]", text):
        found.append("Chinese characters in English text")
    snake = _SNAKE.search(text)
    if snake:
        found.append(f"a raw id ({snake.group()})")
    if _RULE_ID.search(text):
        found.append(f"a rule id in a client sentence ({_RULE_ID.search(text).group()})")  # type: ignore[union-attr]
    for term in GLOSSARY:
        for avoid in term.en_avoid:
            if avoid in text:
                found.append(f"{avoid}: the glossary term is {term.en}")
    return found


__all__ = [
    "BRANDS",
    "GLOSSARY",
    "LATIN_TERMS",
    "METHOD_WORDS",
    "ZH_WORDS_WITH_LATIN",
    "Term",
    "problems",
    "zh_spacing",
]
