"""Synthetic population: seed determinism, ranges, correlations and the data card."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelfit import ModelfitError, Profile
from modelfit.core.vocab import MARKETS, RATINGS, STAGES
from modelfit.inputs.profile import FIELD_NAMES
from modelfit.outcome.synthetic import DATA_CARD, data_card_table, generate_profiles


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    """20,000 companies drawn with seed 7 (shared by the distribution tests)."""
    return generate_profiles(20_000, 7)


def test_same_seed_same_frame() -> None:
    """The same seed gives an identical frame."""
    pd.testing.assert_frame_equal(generate_profiles(500, 3), generate_profiles(500, 3))


def test_different_seed_different_frame() -> None:
    """Different seeds give different companies."""
    a, b = generate_profiles(500, 3), generate_profiles(500, 4)
    assert not a[list(RATINGS)].equals(b[list(RATINGS)])


def test_columns_are_company_id_and_the_profile_fields() -> None:
    """The columns are exactly company_id followed by modelfit.inputs.profile.FIELDS."""
    assert list(generate_profiles(10, 0).columns) == ["company_id", *FIELD_NAMES]


def test_every_row_is_a_valid_profile() -> None:
    """Every generated row passes the profile validation (all ranges and choices)."""
    frame = generate_profiles(2_000, 11)
    for row in frame.to_dict("records"):
        fields = {k: list(v) if isinstance(v, tuple) else v for k, v in row.items()
                  if k != "company_id"}
        fields = {k: v.item() if isinstance(v, np.generic) else v for k, v in fields.items()}
        Profile.from_mapping(fields, company_id=row["company_id"])


def test_ratings_are_integers_from_1_to_5(population: pd.DataFrame) -> None:
    """The four ratings are integers covering 1..5."""
    for name in RATINGS:
        assert population[name].dtype.kind == "i"
        assert set(population[name].unique()) == {1, 2, 3, 4, 5}


def test_stage_mix_follows_the_card(population: pd.DataFrame) -> None:
    """Stage shares are within 1.5 points of the data card's probabilities."""
    shares = population["stage"].value_counts(normalize=True)
    for stage in STAGES:
        assert shares[stage] == pytest.approx(DATA_CARD["stage"]["p"][stage], abs=0.015)


def test_mature_firms_have_more_capital_team_and_budget(population: pd.DataFrame) -> None:
    """Capital, team and budget medians rise with the stage."""
    medians = population.groupby("stage")[["capital", "team_size", "marketing_budget_usd"]].median()
    for name in medians.columns:
        assert medians.loc["startup", name] < medians.loc["growth", name] < medians.loc["mature", name]


def test_capital_and_team_correlate_within_a_stage(population: pd.DataFrame) -> None:
    """Within one stage, capital and log team size still correlate positively (latent scale)."""
    growth = population[population["stage"] == "growth"]
    corr = np.corrcoef(growth["capital"], np.log(growth["team_size"]))[0, 1]
    assert corr > 0.1


def test_markets_are_non_empty_and_known(population: pd.DataFrame) -> None:
    """Every company sells to at least one known market."""
    assert all(len(m) >= 1 and set(m) <= set(MARKETS) for m in population["target_markets"])


def test_data_card_lists_every_field_but_the_name() -> None:
    """The data card has a distribution and a source for every profile field except company."""
    table = data_card_table()
    assert set(FIELD_NAMES) - {"company"} <= set(table["field"])
    assert table["source"].str.len().gt(0).all()


@pytest.mark.parametrize(("n", "seed", "message"), [
    (0, 1, r"n must be an integer from 1 to 10000000, got 0"),
    (2.5, 1, r"n must be an integer from 1 to 10000000, got 2.5"),
    (10, -1, r"seed must be a non-negative integer, got -1"),
])
def test_bad_arguments_are_refused(n: object, seed: object, message: str) -> None:
    """A bad n or seed raises ModelfitError naming the argument and the value."""
    with pytest.raises(ModelfitError, match=message):
        generate_profiles(n, seed)  # type: ignore[arg-type]
