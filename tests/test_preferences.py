"""Tests of modelfit.inputs.preferences: the three elicitation methods against published worked examples,
the `preferences:` forms and their errors, `--weights`, and the client's answer beside the
framework's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelfit import Framework, Profile, recommend
from modelfit.cli import main
from modelfit.core.errors import ModelfitError, ProfileError
from modelfit.decision.client import client_answer, reweighted
from modelfit.inputs.preferences import (
    MAX_CONSISTENCY_RATIO,
    ahp,
    from_multipliers,
    parse,
    rank_order_centroid,
    read_file,
    swing_weights,
)

from .conftest import PARAMS, examples

CRITERIA = ("capital", "supply_chain", "brand_content", "tech_data")
DEMO = {"company": "Demo", "stage": "growth", "capital": 3, "supply_chain": 4,
        "brand_content": 3, "tech_data": 2, "existing_channels": ["platform"]}


@pytest.fixture(scope="module")
def fw() -> Framework:
    """The bundled framework, loaded once."""
    return Framework.load()


# --- published worked examples ------------------------------------------------------------------
def test_rank_order_centroid_reproduces_barron_and_barrett() -> None:
    """ROC weights of Barron & Barrett (1996), "Decision quality using ranked attribute weights",
    Management Science 42(11), Table 1: n = 4 gives 0.5208, 0.2708, 0.1458, 0.0625; n = 3 gives
    0.6111, 0.2778, 0.1111."""
    four = rank_order_centroid(["a", "b", "c", "d"])
    assert [round(v, 4) for v in four.values()] == [0.5208, 0.2708, 0.1458, 0.0625]
    three = rank_order_centroid(["a", "b", "c"])
    assert [round(v, 4) for v in three.values()] == [0.6111, 0.2778, 0.1111]


def test_swing_reproduces_goodwin_and_wright_office_location() -> None:
    """Goodwin & Wright, Decision Analysis for Management Judgment, ch. 3 (office location,
    Figure 3.5): swings of 100, 80, 70, 30, 20 and 10 normalise to 32, 26, 23, 10, 6 and 3
    (per cent, as the book rounds them)."""
    w = swing_weights({"closeness": 100, "visibility": 80, "image": 70, "size": 30,
                       "comfort": 20, "parking": 10})
    assert [round(100 * v) for v in w.values()] == [32, 26, 23, 10, 6, 3]


DRINKS = ("coffee", "wine", "tea", "beer", "soda", "milk", "water")
DRINKS_MATRIX = [[1, 9, 5, 2, 1, 1, 1 / 2], [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
                 [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9], [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
                 [1, 9, 4, 2, 1, 2, 1 / 2], [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
                 [2, 9, 9, 3, 2, 3, 1]]


def test_ahp_reproduces_saaty_drinks_example() -> None:
    """Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services
    Sciences 1(1), the drinks example (as in the AHPy README): priorities water 0.327, soda 0.190,
    coffee 0.177, milk 0.129, beer 0.116, tea 0.042, wine 0.019; CR 0.022."""
    pairs = {(DRINKS[i], DRINKS[j]): DRINKS_MATRIX[i][j]
             for i in range(7) for j in range(i + 1, 7)}
    result = ahp(DRINKS, pairs)
    expected = {"water": 0.327, "soda": 0.190, "coffee": 0.177, "milk": 0.129, "beer": 0.116,
                "tea": 0.042, "wine": 0.019}
    assert {k: round(v, 3) for k, v in result.weights.items()} == expected
    assert round(result.consistency_ratio, 3) == 0.022


def test_ahp_of_a_consistent_matrix_has_zero_cr_and_exact_ratios() -> None:
    """A perfectly consistent matrix (a_ij = w_i / w_j) gives back w with CR 0."""
    w = {"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}
    pairs = {(x, y): w[x] / w[y] for i, x in enumerate(w) for y in list(w)[i + 1:]}
    result = ahp(tuple(w), pairs)
    assert result.weights == pytest.approx(w, abs=1e-6)
    assert result.consistency_ratio == 0.0


@settings(max_examples=examples(40), deadline=None)
@given(st.permutations(CRITERIA))
def test_rank_weights_sum_to_one_and_follow_the_order(order: list[str]) -> None:
    """Every ranking gives importances summing to 1, strictly decreasing along the order."""
    w = rank_order_centroid(order)
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-12)
    values = [w[c] for c in order]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == 4


# --- preferences: forms and errors ----------------------------------------------------------------
AHP_OK = {"capital/supply_chain": 3, "capital/brand_content": 5, "capital/tech_data": 5,
          "supply_chain/brand_content": 2, "supply_chain/tech_data": 2,
          "brand_content/tech_data": 1}


@pytest.mark.parametrize("data", [
    {"method": "rank", "order": ["capital", "brand_content", "tech_data", "supply_chain"]},
    {"method": "swing", "points": {"capital": 100, "supply_chain": 20, "brand_content": 60,
                                   "tech_data": 40.5}},
    {"method": "ahp", "comparisons": AHP_OK},
    {"method": "ahp", "comparisons": {**AHP_OK, "capital/supply_chain": "3",
                                      "brand_content/tech_data": "1/1"}},
])
def test_each_form_gives_importances_in_framework_order_summing_to_one(data: dict[str, Any]
                                                                       ) -> None:
    """rank, swing and ahp each give four importances, in the framework's criterion order,
    summing to 1 (the rounding residue goes to the largest)."""
    prefs = parse(data, CRITERIA)
    assert tuple(prefs.importances) == CRITERIA
    assert sum(prefs.importances.values()) == pytest.approx(1.0, abs=1e-12)
    assert (prefs.consistency_ratio is not None) == (data["method"] == "ahp")


def test_ahp_preferences_carry_the_consistency_ratio() -> None:
    """A consistent enough AHP gives its CR (at most 0.1) with the weights, largest first."""
    prefs = parse({"method": "ahp", "comparisons": AHP_OK}, CRITERIA)
    assert prefs.consistency_ratio is not None
    assert prefs.consistency_ratio <= MAX_CONSISTENCY_RATIO
    assert max(prefs.importances, key=lambda c: prefs.importances[c]) == "capital"


BAD = [
    ([1, 2], r"^prefs must be a mapping with method: rank, swing, ahp, got \[1, 2\]$"),
    ({"method": "topsis"}, r"^prefs.method must be one of rank, swing, ahp, got 'topsis'$"),
    ({"method": "rank", "order": ["capital", "capital", "tech_data", "supply_chain"]},
     r"^prefs.order must be a list of all of capital, supply_chain, brand_content, tech_data, "
     r"each once, most important first, got \['capital', 'capital'"),
    ({"method": "rank", "order": ["capital"], "points": {}},
     r"'points' is not a field of a rank preference"),
    ({"method": "swing", "points": {"capital": 100, "supply_chain": 120, "brand_content": 1,
                                    "tech_data": 1}},
     r"^prefs.points.supply_chain must be a number from 0 to 100, got 120$"),
    ({"method": "swing", "points": {"capital": 90, "supply_chain": 20, "brand_content": 1,
                                    "tech_data": 1}},
     r"the most important criterion's swing must be 100, got a highest of 90"),
    ({"method": "swing", "points": {"capital": 100, "supply_chain": 20, "brand": 1,
                                    "tech_data": 1}},
     r"'brand' is not a criterion"),
    ({"method": "ahp", "comparisons": {**AHP_OK, "capital/supply_chain": 12}},
     r"^prefs.comparisons.capital/supply_chain must be a number from 1/9 to 9"),
    ({"method": "ahp", "comparisons": {**AHP_OK, "supply_chain/capital": 3}},
     r"'supply_chain/capital' repeats the pair 'capital/supply_chain'"),
    ({"method": "ahp", "comparisons": {k: v for k, v in AHP_OK.items() if k != "capital/tech_data"}},
     r"missing capital/tech_data"),
    ({"method": "ahp", "comparisons": {**AHP_OK, "capital/brand": 3}},
     r"'capital/brand' is not a pair"),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_bad_preferences_are_named(data: Any, message: str) -> None:
    """Each bad form is refused with a line naming the field, the value and what is allowed."""
    with pytest.raises(ModelfitError, match=message):
        parse(data, CRITERIA, source="prefs")


def test_inconsistent_ahp_is_refused_naming_the_worst_comparisons() -> None:
    """Above CR 0.1 the comparisons are refused; the message gives the CR and the two
    judgements furthest from what the others imply, with the value that would fit."""
    w = {"capital": 0.4, "supply_chain": 0.3, "brand_content": 0.2, "tech_data": 0.1}
    pairs = {f"{a}/{b}": w[a] / w[b] for i, a in enumerate(w) for b in list(w)[i + 1:]}
    pairs["capital/tech_data"] = 1 / 4  # the consistent 4, entered the wrong way round
    with pytest.raises(ModelfitError, match=(
            r"^prefs.comparisons: the comparisons are inconsistent: consistency ratio 0.403, "
            r"above Saaty's limit of 0.1; the judgements that disagree most: "
            r"capital/tech_data = 1/4 \(the priorities imply about 0.8\d\); ")):
        parse({"method": "ahp", "comparisons": pairs}, CRITERIA, source="prefs")


def test_profile_accepts_preferences_and_names_the_file_when_bad(tmp_path: Path) -> None:
    """`preferences:` in a profile is validated with the profile; a bad one names the file."""
    good = Profile.from_mapping({**DEMO, "preferences": {"method": "rank", "order": list(
        CRITERIA)}})
    assert good.preferences == {"method": "rank", "order": list(CRITERIA)}
    assert good.params()["preferences"] == good.preferences
    assert "preferences" not in good.fields()
    path = tmp_path / "acme.yaml"
    path.write_text("company: Acme\nstage: growth\ncapital: 3\nsupply_chain: 4\n"
                    "brand_content: 3\ntech_data: 2\npreferences: {method: rank, order: [x]}\n")
    with pytest.raises(ProfileError, match=r"^.*acme.yaml: preferences.order must be a list"):
        Profile.from_yaml(path)


def test_a_misspelt_preferences_key_gets_a_did_you_mean() -> None:
    """'preference' is not a field, and the message suggests 'preferences'."""
    with pytest.raises(ProfileError, match=r"'preference' is not a field; did you mean "
                                           r"'preferences'\?"):
        Profile.from_mapping({**DEMO, "preference": {}})


# --- reweighting and the client's answer ----------------------------------------------------------
def test_equal_importances_reproduce_the_framework(fw: Framework) -> None:
    """Importances 1/C each leave the weight matrix, and so every score, as the framework's."""
    same = reweighted(fw, dict.fromkeys(CRITERIA, 0.25))
    np.testing.assert_array_equal(same.weights, fw.weights)


def test_importances_rescale_rows_of_the_weight_matrix(fw: Framework) -> None:
    """W'[c, m] = C * lambda_c * W[c, m]: each criterion's row is multiplied by its multiplier."""
    lam = {"capital": 0.4, "supply_chain": 0.1, "brand_content": 0.3, "tech_data": 0.2}
    new = reweighted(fw, lam)
    for i, c in enumerate(CRITERIA):
        np.testing.assert_allclose(new.weights[i], 4 * lam[c] * fw.weights[i])
    np.testing.assert_array_equal(new.priors, fw.priors)


def test_client_answer_explains_why_it_differs(fw: Framework) -> None:
    """The demo company (the dual track, a close call over the platform) under "supply chain
    first, capital last": the platform overtakes the hybrid, and the reasons are the criteria
    whose reweighting moved the gap, largest first, summing to the change of the gap."""
    profile = Profile.from_mapping(DEMO)
    prefs = parse({"method": "rank", "order": ["supply_chain", "tech_data", "brand_content",
                                                "capital"]}, CRITERIA)
    answer = client_answer(profile, prefs, fw)
    assert (answer.framework_primary, answer.primary) == ("hybrid", "platform")
    assert [r.criterion for r in answer.reasons] == ["supply_chain", "tech_data"]
    roc_first = (1 + 1 / 2 + 1 / 3 + 1 / 4) / 4  # rank-order centroid weight of the first
    assert answer.reasons[0].points == pytest.approx((4 * roc_first - 1) * (9 - 4) * 0.5,
                                                     abs=1e-3)
    gap = (answer.scores["platform"] - answer.scores["hybrid"]) - (
        answer.framework_scores["platform"] - answer.framework_scores["hybrid"])
    assert sum(r.points for r in answer.reasons) == pytest.approx(gap, abs=1e-3)
    assert "Marketplace platform comes first instead of Hybrid" in answer.summary(fw, "en")
    assert "首选模式由混合模式变为平台模式" in answer.summary(fw, "zh")


def test_client_answer_that_agrees_says_so(fw: Framework) -> None:
    """Equal swings are the framework's weights: the same primary, no reasons."""
    profile = Profile.from_mapping(DEMO)
    prefs = parse({"method": "swing", "points": dict.fromkeys(CRITERIA, 100)}, CRITERIA)
    answer = client_answer(profile, prefs, fw)
    assert answer.agrees
    assert answer.reasons == ()
    assert answer.scores == {m: round(v, 4) for m, v in recommend(profile, fw).scores.items()}
    assert answer.summary(fw, "en").startswith(
        "Under the client's own weights (points for how much each criterion matters from worst "
        "to best) the answer is the same: Hybrid.")


def test_multipliers_become_importances() -> None:
    """Relative multipliers (2, 1, 1, 0) are importances (0.5, 0.25, 0.25, 0); all zero is an
    error naming the values."""
    assert from_multipliers({"a": 2, "b": 1, "c": 1, "d": 0}) == {"a": 0.5, "b": 0.25,
                                                                  "c": 0.25, "d": 0.0}
    with pytest.raises(ModelfitError, match=r"^weight multipliers must be numbers >= 0, at "
                                            r"least one above 0, got"):
        from_multipliers({"a": 0, "b": 0})


# --- recommend --json and --weights -----------------------------------------------------------------
def test_recommend_json_adds_client_from_the_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """With preferences in the profile, `client` holds method, weights (summing to 1), primary
    and scores, plus consistency_ratio for AHP; without, `client` is null."""
    path = tmp_path / "acme.yaml"
    path.write_text((PARAMS / "demo.yaml").read_text("utf-8")
                    + "preferences:\n  method: ahp\n  comparisons:\n"
                    + "".join(f"    {k}: {v}\n" for k, v in AHP_OK.items()))
    assert main(["recommend", str(path), "--json", "--no-model"]) == 0
    data = json.loads(capsys.readouterr().out)
    client = data["client"]
    assert {"method", "weights", "primary", "scores", "consistency_ratio"} <= set(client)
    assert client["method"] == "ahp"
    assert list(client["weights"]) == list(CRITERIA)
    assert sum(client["weights"].values()) == pytest.approx(1.0, abs=1e-12)
    assert main(["recommend", str(PARAMS / "demo.yaml"), "--json", "--no-model"]) == 0
    assert json.loads(capsys.readouterr().out)["client"] is None


def test_recommend_weights_file_overrides_and_bad_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`--weights FILE` takes the same mapping (YAML or JSON); a bad one exits 2 naming the file
    and the field, with no traceback."""
    good = tmp_path / "w.json"
    good.write_text(json.dumps({"method": "rank", "order": ["capital", "brand_content",
                                                             "tech_data", "supply_chain"]}))
    assert main(["recommend", str(PARAMS / "demo.yaml"), "--json", "--no-model",
                 "--weights", str(good)]) == 0
    assert json.loads(capsys.readouterr().out)["client"]["primary"] == "hybrid"
    bad = tmp_path / "w.yaml"
    bad.write_text("method: swing\npoints: {capital: 100}\n")
    assert main(["recommend", str(PARAMS / "demo.yaml"), "--weights", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"modelfit: {bad}.points.supply_chain is missing")
    assert "Traceback" not in err


def test_weights_file_must_be_yaml_or_json(tmp_path: Path) -> None:
    """Another suffix, a missing file and YAML tags are refused with the file named."""
    with pytest.raises(ModelfitError, match=r"w.txt: a weights file must be .yaml, .yml or .json"):
        read_file(tmp_path / "w.txt", CRITERIA)
    with pytest.raises(ModelfitError, match=r"nope.yaml: no such file"):
        read_file(tmp_path / "nope.yaml", CRITERIA)
    tagged = tmp_path / "t.yaml"
    tagged.write_text("method: !!python/object:os.system rank\n")
    with pytest.raises(ModelfitError, match=r"t.yaml: "):
        read_file(tagged, CRITERIA)


def test_recommend_text_ends_with_the_client_paragraph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """The terminal summary closes with the client's answer and why it differs."""
    weights = tmp_path / "w.yaml"
    weights.write_text("method: rank\norder: [supply_chain, tech_data, brand_content, capital]\n")
    assert main(["recommend", str(PARAMS / "demo.yaml"), "--no-model", "--weights",
                 str(weights)]) == 0
    out = capsys.readouterr().out.rstrip().splitlines()
    assert out[-2] == "The client's own weights:"
    assert "Marketplace platform comes first instead of Hybrid" in out[-1]


def test_weights_file_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A `--weights` FIFO is refused at once by the capped reader model files use, not read
    until it ends."""
    import os

    fifo = tmp_path / "w.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ModelfitError, match=r"w\.yaml: is not a regular file"):
        read_file(fifo, CRITERIA)
