"""Shared fixtures: profile files on disk, the bundled framework, and edited framework copies;
the hypothesis budgets of the two test loops."""

from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings
from hypothesis import strategies as st

from modelfit import Framework, Profile
from modelfit.core.vocab import CATEGORIES, MARKETS, RATINGS, STAGES

MODELS = ("platform", "distribution", "independent_site", "hybrid")
BASE_CHANNELS = ("platform", "distribution", "independent_site")
PARAMS = Path(__file__).resolve().parents[1] / "params"

# Hypothesis budgets. `make test` runs every property test with its own budget (hypothesis'
# default profile, or its `ci` profile on CI). `make test-fast` sets HYPOTHESIS_PROFILE=fast:
# tests without a budget of their own get FAST_EXAMPLES examples, and those with one are capped
# through `examples`.
FAST_EXAMPLES = 20
settings.register_profile("fast", max_examples=FAST_EXAMPLES)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "")
if HYPOTHESIS_PROFILE:
    settings.load_profile(HYPOTHESIS_PROFILE)


def examples(full: int, fast: int = FAST_EXAMPLES) -> int:
    """A property test's budget: `full` examples in `make test`, at most `fast` in the fast loop
    (a test whose examples each take a second asks for fewer)."""
    return min(full, fast) if HYPOTHESIS_PROFILE == "fast" else full


AVERAGE = {"capital": 3, "supply_chain": 3, "brand_content": 3, "tech_data": 3}

VALID_TEXT = """\
company: Acme Trading
stage: growth
capital: 3
supply_chain: 4
brand_content: 2
tech_data: 3
"""


def profile_of(
    stage: str = "growth", existing: tuple[str, ...] | None = None, **ratings: int,
) -> Profile:
    """A valid profile: average on every rating unless told otherwise, running the `existing`
    channels (() for none; by default the profile does not say, as a profile without
    `existing_channels`)."""
    channels = {} if existing is None else {"existing_channels": list(existing)}
    return Profile.from_mapping({"company": "Test Co", "stage": stage, **AVERAGE, **ratings,
                                 **channels}, company_id="test")


def every_core_profile() -> Iterator[Profile]:
    """Every stage x every rating combination: the whole space the framework scores (1875)."""
    for stage in STAGES:
        for values in itertools.product(range(1, 6), repeat=len(RATINGS)):
            yield profile_of(stage, **dict(zip(RATINGS, values, strict=True)))


@pytest.fixture(scope="session")
def framework() -> Framework:
    """The bundled framework, loaded once."""
    return Framework.load()


@pytest.fixture(scope="session")
def framework_data() -> dict[str, Any]:
    """The bundled framework file as plain data (copy it before editing)."""
    text = resources.files("modelfit").joinpath("data", "framework.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.fixture
def write_profile(tmp_path: Path) -> Callable[..., Path]:
    """Write `text` (str, or raw bytes) to tmp_path/<name> and return the path."""

    def write(text: str | bytes, name: str = "acme.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def edited_framework(
    tmp_path: Path, framework_data: dict[str, Any],
) -> Callable[[Callable[[dict[str, Any]], None]], Path]:
    """Write a copy of the bundled framework changed by `edit(data)`; return its path."""

    def make(edit: Callable[[dict[str, Any]], None]) -> Path:
        data = copy.deepcopy(framework_data)
        edit(data)
        path = tmp_path / "framework-edited.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    return make


# Every field of a profile, optional ones included: the whole input space.
profiles_st = st.builds(
    lambda stage, r, extra: Profile.from_mapping(
        {"company": "Hypo Co", "stage": stage, **dict(zip(RATINGS, r, strict=True)), **extra},
        company_id="hypo",
    ),
    st.sampled_from(STAGES),
    st.tuples(*(st.integers(1, 5) for _ in RATINGS)),
    st.fixed_dictionaries({}, optional={
        "category": st.sampled_from(CATEGORIES),
        "avg_order_value_usd": st.floats(1, 5000),
        "gross_margin_pct": st.floats(0, 95),
        "marketing_budget_usd": st.floats(0, 10_000_000),
        "team_size": st.integers(1, 100_000),
        "target_markets": st.lists(st.sampled_from(MARKETS), min_size=1, max_size=4, unique=True),
        "existing_channels": st.lists(st.sampled_from(BASE_CHANNELS), max_size=3, unique=True),
    }),
)


def close_call_variant(result: Any, confidence: float, margin: float) -> Any:
    """A copy of the `Robustness` `result` (of a company no screen holds back) whose primary
    wins `confidence` of the scenarios and leads its runner-up by `margin` points: for testing
    the documented close-call thresholds with figures on either side of them."""
    import dataclasses

    assert not result.screened
    acceptability = dict(result.acceptability)
    acceptability[result.primary] = (confidence, *result.acceptability[result.primary][1:])
    scores = dict(result.scores)
    scores[result.ranking[1]] = scores[result.primary] - margin
    return dataclasses.replace(result, acceptability=acceptability, scores=scores)
