"""The shared vocabularies: the ids every stage speaks, defined once.

A framework file names its own models and criteria and is checked against these where it is
loaded; profiles, the outcome model, the classifier and the code-free predictor all use them.
"""

from __future__ import annotations

STAGES = ("startup", "growth", "mature")  # 0→1, 1→10, 10→100 (S-rules)
RATINGS = ("capital", "supply_chain", "brand_content", "tech_data")  # the four criteria (R-rules)
MODELS = ("platform", "distribution", "independent_site", "hybrid")  # the lighter plan first
BASE_CHANNELS = ("platform", "distribution", "independent_site")  # channels a company can run
DISTRIBUTION_KINDS = ("dropshipping", "small_b", "distributors")  # 一件代发, small-B, S3
CATEGORIES = (
    "apparel", "beauty", "electronics", "food", "home", "jewelry", "pet", "sports", "toys", "other",
)
MARKETS = ("us", "eu", "uk", "jp", "sea", "latam", "mea", "other")
LANGUAGES = ("en", "zh")

__all__ = ["BASE_CHANNELS", "CATEGORIES", "DISTRIBUTION_KINDS", "LANGUAGES", "MARKETS", "MODELS",
           "RATINGS", "STAGES"]
