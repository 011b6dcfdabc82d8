"""The framework as data: the bundled file, and edited copies that must be refused by field."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modelfit import Framework, FrameworkError
from modelfit.core.vocab import LANGUAGES
from modelfit.decision.framework import build as _build
from modelfit.decision.framework_build import PROPERTIES

from .conftest import MODELS, examples

EditFramework = Callable[[Callable[[dict[str, Any]], None]], Path]
CRITERIA = ("capital", "supply_chain", "brand_content", "tech_data")
STAGES = ("startup", "growth", "mature")


# --- the bundled framework ----------------------------------------------------------------------
def test_bundled_framework_loads_with_version(framework: Framework) -> None:
    """The bundled framework loads, validated, with a version string."""
    assert framework.version
    assert framework.source == "bundled"


def test_bundled_framework_ids_and_shapes(framework: Framework) -> None:
    """Four models, three base channels, four criteria, three stages; arrays match them."""
    assert set(framework.models) == set(MODELS)
    assert set(framework.base_channels) == {"platform", "distribution", "independent_site"}
    assert framework.criteria == CRITERIA
    assert framework.stages == STAGES
    assert framework.priors.shape == (3, 4)
    assert framework.weights.shape == (4, 4)


def test_bundled_framework_model_order_is_the_tie_rule(framework: Framework) -> None:
    """Models are listed lighter plan first: the order an exact tie is broken in."""
    assert framework.models == MODELS


def test_framework_arrays_are_read_only(framework: Framework) -> None:
    """Weights and priors cannot be edited in place after loading."""
    with pytest.raises(ValueError, match="read-only"):
        framework.weights[0, 0] = 99.0


@pytest.mark.parametrize(("criterion", "models"), sorted(PROPERTIES.items()))
def test_bundled_weights_keep_the_framework_properties(
    framework: Framework, criterion: str, models: tuple[str, ...],
) -> None:
    """FRAMEWORK properties as signs: capital (R1), supply chain (R2), brand (R3), tech (R4)."""
    for model in models:
        assert framework.weights[CRITERIA.index(criterion), MODELS.index(model)] >= 0


def test_bundled_framework_scores_stay_within_0_100(framework: Framework) -> None:
    """Every reachable score of the bundled framework is within 0..100."""
    spread = np.abs(framework.weights).sum(axis=0)
    assert (framework.priors - spread - 10 >= 0).all()
    assert (framework.priors + spread <= 100).all()


class _DuplicateKeyLoader(yaml.SafeLoader):
    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        dupes = {k for k in keys if keys.count(k) > 1}
        assert not dupes, f"duplicate key(s) {dupes} at {node.start_mark}"
        return super().construct_mapping(node, deep=deep)


def test_bundled_framework_file_has_no_duplicate_keys() -> None:
    """No key of the bundled file is silently overridden by a repeat of it."""
    text = resources.files("modelfit").joinpath("data", "framework.yaml").read_text("utf-8")
    assert isinstance(yaml.load(text, Loader=_DuplicateKeyLoader), dict)  # noqa: S506


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_model_and_stage_has_a_name_in_each_language(framework: Framework, lang: str) -> None:
    """Reports must read in English and in Chinese: names exist for every id in both."""
    for model in framework.models:
        assert framework.model_name(model, lang).strip()
    for stage in framework.stages:
        assert framework.stage_name(stage, lang).strip()
    for criterion in framework.criteria:
        assert framework.criterion_name(criterion, lang).strip()


@pytest.mark.parametrize(("stage", "rule"), [("startup", "S1"), ("growth", "S2"),
                                             ("mature", "S3")])
def test_stages_cite_their_s_rules(framework: Framework, stage: str, rule: str) -> None:
    """Each stage points at its S-rule (S1, S2, S3), whose text opens with the stage's name
    (the id itself is kept out of client sentences)."""
    assert framework.stage_rule(stage) == rule
    assert framework.text(f"stage_rule.{rule}", "en").startswith(
        framework.stage_name(stage, "en").split(" (")[0])


@pytest.mark.parametrize(("criterion", "rule"), [("capital", "R1"), ("supply_chain", "R2"),
                                                 ("brand_content", "R3"), ("tech_data", "R4")])
def test_criteria_cite_their_r_rules(framework: Framework, criterion: str, rule: str) -> None:
    """Each criterion points at its R-rule (R1..R4)."""
    assert framework.criterion_rule(criterion) == rule


def test_unchanged_copy_loads_like_the_bundled_file(
    edited_framework: EditFramework, framework: Framework,
) -> None:
    """A verbatim copy given by path loads to the same weights and priors."""
    copy = Framework.load(edited_framework(lambda data: None))
    np.testing.assert_array_equal(copy.weights, framework.weights)
    np.testing.assert_array_equal(copy.priors, framework.priors)


# --- edited copies that must be refused --------------------------------------------------------
def _set(*keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return edit


def _drop_zh_name(data: dict[str, Any]) -> None:
    del data["models"][2]["name"]["zh"]


def _drop_monotone_and_break_capital(data: dict[str, Any]) -> None:
    del data["monotone"]
    data["weights"]["capital"]["independent_site"] = -3


def _drop_f_note_zh(data: dict[str, Any]) -> None:
    del data["texts"]["f_notes"]["F3"]["zh"]


def _drop_zh_label(data: dict[str, Any]) -> None:
    del data["labels"]["zh"]["ranking"]


def _drop_model(data: dict[str, Any]) -> None:
    data["models"] = data["models"][:3]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(_set("weights", "capital", "independent_site", value=-1),
                     r"weights\.capital\.independent_site must be >= 0 \(FRAMEWORK property: a "
                     r"higher capital never lowers the score of independent_site\), got -1",
                     id="R1-property-capital-own-site"),
        pytest.param(_set("weights", "capital", "hybrid", value=-0.5),
                     r"weights\.capital\.hybrid must be >= 0 .*got -0\.5", id="R1-property-hybrid"),
        pytest.param(_set("weights", "supply_chain", "distribution", value=-2),
                     r"weights\.supply_chain\.distribution must be >= 0", id="R2-property"),
        pytest.param(_set("weights", "brand_content", "independent_site", value=-2),
                     r"weights\.brand_content\.independent_site must be >= 0", id="R3-property"),
        pytest.param(_set("weights", "tech_data", "independent_site", value=-2),
                     r"weights\.tech_data\.independent_site must be >= 0", id="R4-property"),
        pytest.param(_drop_monotone_and_break_capital,
                     r"weights\.capital\.independent_site must be >= 0",
                     id="property-kept-without-monotone-section"),
        pytest.param(_drop_zh_name, r"models\.independent_site\.name\.zh is missing or empty",
                     id="missing-chinese-name"),
        pytest.param(_set("texts", "stage_rule", "S2", "zh", value="  "),
                     r"texts\.stage_rule\.S2\.zh is missing or empty", id="blank-chinese-text"),
        pytest.param(_drop_f_note_zh, r"texts\.f_notes\.F3\.zh is missing or empty",
                     id="missing-chinese-f-note"),
        pytest.param(_drop_zh_label, r"labels\.zh\.ranking is missing", id="missing-chinese-label"),
        pytest.param(_set("weights", "tech_data", "platform", value=float("nan")),
                     r"weights\.tech_data\.platform must be a finite number, got nan", id="nan"),
        pytest.param(_set("weights", "capital", "distribution", value=float("inf")),
                     r"weights\.capital\.distribution must be a finite number, got inf", id="inf"),
        pytest.param(_set("weights", "capital", "platform", value="2"),
                     r"weights\.capital\.platform must be a finite number, got '2'", id="string"),
        pytest.param(_set("stage_priors", "growth", "hybrid", value=None),
                     r"stage_priors\.growth\.hybrid must be a finite number, got None",
                     id="missing-prior"),
        pytest.param(_set("stage_priors", "mature", "hybrid", value=95),
                     r"hybrid at stage mature can score from .* to 121; priors, weights and "
                     r"screens must keep every score within 0\.\.100", id="score-above-100"),
        pytest.param(_set("stage_priors", "startup", "independent_site", value=20),
                     r"independent_site at stage startup can score from -20 to 50; .*within "
                     r"0\.\.100", id="score-below-0"),
        pytest.param(_set("screens", 0, "penalty", value=-5),
                     r"screens\[0\]\.penalty must be a finite number >= 0", id="negative-screen"),
        pytest.param(_set("screens", 0, "penalty", value=40),
                     r"hybrid at stage startup can score from -24 to", id="screen-below-0"),
        pytest.param(_set("screens", 0, "models", value=["own_site"]),
                     r"screens\[0\]\.models: 'own_site' is not a model", id="screen-model"),
        pytest.param(_drop_model, r"models must be platform, distribution, independent_site and "
                     r"hybrid, got platform, distribution, independent_site", id="missing-model"),
        pytest.param(_set("channels", "plans", "platform", "growth", value=["independent_site"]),
                     r"channels\.plans\.platform\.growth must start with platform", id="plan-core"),
        pytest.param(_set("channels", "plans", "hybrid", "growth", value=["platform"]),
                     r"channels\.plans\.hybrid\.growth must run two or more channels",
                     id="hybrid-one-channel"),
        pytest.param(_set("version", value=2), r"version is missing or not a str", id="version"),
        pytest.param(_set("texts", "summary", "en", value="$primary wins by $margin"),
                     r"texts\.summary: unknown placeholder \$margin; this text may use \$gap, "
                     r"\$primary, \$score, \$second, \$second_score \(en\)",
                     id="unknown-placeholder"),
        pytest.param(_set("texts", "f_notes", "F1", "zh", value="花费 $ 很多"),
                     r"texts\.f_notes\.F1: a lone '\$' \(write \$\$ for a dollar sign\) \(zh\)",
                     id="lone-dollar"),
        pytest.param(_set("channels", "auxiliary", value=[1]),
                     r"channels\.auxiliary\[0\] must be a mapping with rule, with_any and add",
                     id="auxiliary-not-mapping"),
        pytest.param(_set("channels", "auxiliary", value=[{"rule": "R2", "with_any": ["amazon"],
                                                            "add": ["platform"]}]),
                     r"channels\.auxiliary\[0\]\.with_any must be a list of platform",
                     id="auxiliary-unknown-channel"),
        pytest.param(_set("monotone", value={"capital": 3}),
                     r"monotone\.capital must be a list of models, got 3", id="monotone-not-list"),
        pytest.param(_set("stages", 1, "default", value="independent_site"),
                     r"stages\.growth\.default is independent_site, but its stage prior is not "
                     r"the highest", id="S2-default-not-the-best-prior"),
        pytest.param(_set("stages", 0, "default", value="amazon"),
                     r"stages\.startup\.default must be one of platform", id="stage-default"),
        pytest.param(_set("channels", "core", "growth", value="distribution"),
                     r"channels\.core\.growth is distribution, which the hybrid plan of that "
                     r"stage does not run", id="core-outside-the-plan"),
        pytest.param(_set("channels", "plans", "hybrid", "mature",
                          value=["platform", "distribution"]),
                     r"channels\.core\.mature is independent_site, which the hybrid plan",
                     id="S3-plan-without-own-site"),
        pytest.param(_set("channels", "core", "growth", value="amazon"),
                     r"channels\.core\.growth must be one of platform, distribution, "
                     r"independent_site or score, got 'amazon'", id="core-unknown"),
        pytest.param(_set("channels", "kinds", value={"dropshipping": {}}),
                     r"channels\.kinds must describe dropshipping, small_b, distributors",
                     id="kinds-missing"),
        pytest.param(_set("channels", "distribution_kinds", value=[{"kind": "small_b",
                                                                    "rule": "R2"}]),
                     r"channels\.distribution_kinds must end with a default entry",
                     id="kinds-without-default"),
        pytest.param(_set("channels", "distribution_kinds", 0, "kind", value="wholesale"),
                     r"channels\.distribution_kinds\[0\]\.kind must be one of dropshipping, "
                     r"small_b, distributors", id="kind-unknown"),
        pytest.param(_set("screens", 1, value={"id": "S1", "models": ["hybrid"], "penalty": 0}),
                     r"screens\[1\]: needs a condition: criterion, stage, without_channel or "
                     r"own_site", id="screen-without-condition"),
        pytest.param(_set("screens", 2, "without_channel", value="amazon"),
                     r"screens\[2\]\.without_channel must be a base channel or a list of them "
                     r"\(platform, distribution, independent_site\), got \['amazon'\]",
                     id="S2-channel"),
        pytest.param(_set("channels", "auxiliary", 1, "kept_out_by", value=["S9"]),
                     r"channels\.auxiliary\[1\]\.kept_out_by must name screens",
                     id="kept-out-by-unknown"),
        pytest.param(_set("texts", "stage_variant", "held", "zh", value=""),
                     r"texts\.stage_variant\.held\.zh is missing or empty", id="variant-text"),
        pytest.param(_set("channels", "kinds", "small_b", "name", "zh", value=""),
                     r"channels\.kinds\.small_b\.name\.zh is missing or empty", id="kind-text"),
    ],
)
def test_edited_framework_breaking_a_rule_is_refused_naming_the_field(
    edited_framework: EditFramework, edit: Callable[[dict[str, Any]], None], message: str,
) -> None:
    """An edited copy that breaks a property, a text, a number or a range is refused by field."""
    path = edited_framework(edit)
    with pytest.raises(FrameworkError, match=str(path).replace(".", r"\.") + ": " + message):
        Framework.load(path)


def test_every_problem_of_a_framework_is_reported_at_once(edited_framework: EditFramework) -> None:
    """Several broken fields give one FrameworkError listing each of them."""

    def edit(data: dict[str, Any]) -> None:
        data["weights"]["capital"]["independent_site"] = -1
        data["weights"]["tech_data"]["platform"] = float("nan")
        del data["models"][0]["name"]["zh"]

    with pytest.raises(FrameworkError, match=r"weights\.tech_data\.platform") as info:
        Framework.load(edited_framework(edit))
    joined = "\n".join(info.value.problems)
    assert "weights.capital.independent_site must be >= 0" in joined
    assert "models.platform.name.zh is missing or empty" in joined
    assert len(info.value.problems) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"a framework file must be a mapping"),
        (b"- a\n- b\n", r"a framework file must be a mapping"),
        (b"version: [\n", r"not valid YAML"),
        (b"version: \xff\n", r"not UTF-8 text"),
        (b"version: '2'\n", r"models is missing or not a list"),
        (b"version: &v '1'\nv2: *v\n", r"anchors and aliases \(&name\) are not allowed"),
        (b"version: '1'\nversion: '2'\n", r"duplicate key 'version': each field may appear once"),
        (b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", r"anchors and aliases"),
    ],
)
def test_bad_framework_file_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    """Empty, non-mapping, broken, non-UTF-8 or incomplete framework files are refused."""
    path = tmp_path / "fw.yaml"
    path.write_bytes(content)
    with pytest.raises(FrameworkError, match=message):
        Framework.load(path)


def test_missing_framework_file_is_refused(tmp_path: Path) -> None:
    """A framework path that does not exist is a FrameworkError naming it."""
    with pytest.raises(FrameworkError, match=r"nope\.yaml: no such file"):
        Framework.load(tmp_path / "nope.yaml")


# --- the loader enforces the properties for any weights (hypothesis) ----------------------------
# Mostly non-negative, so that both accepted and refused tables are drawn often.
weight_tables = st.lists(st.integers(-2, 9), min_size=16, max_size=16)


@settings(max_examples=examples(100), deadline=None)
@given(values=weight_tables)
def test_loader_accepts_weights_iff_properties_and_range_hold(
    framework_data: dict[str, Any], values: list[int],
) -> None:
    """For any weight table: loading succeeds exactly when the FRAMEWORK signs and 0..100 hold."""
    data = dict(framework_data)  # the validator never mutates its input; only `weights` changes
    table = {c: {m: values[4 * i + j] for j, m in enumerate(MODELS)}
             for i, c in enumerate(CRITERIA)}
    data["weights"] = table

    signs_ok = all(table[c][m] >= 0 for c, ms in PROPERTIES.items() for m in ms)
    spread = {m: sum(abs(table[c][m]) for c in CRITERIA) for m in MODELS}
    penalty = {m: 10 if m in ("independent_site", "hybrid") else 0 for m in MODELS}
    priors = data["stage_priors"]
    range_ok = all(
        priors[s][m] - spread[m] - penalty[m] >= 0 and priors[s][m] + spread[m] <= 100
        for s in STAGES for m in MODELS
    )
    if signs_ok and range_ok:
        loaded = _build((data, "edited.yaml"), "edited.yaml")
        assert loaded.weights.tolist() == [[table[c][m] for m in MODELS] for c in CRITERIA]
    else:
        with pytest.raises(FrameworkError, match=r"edited\.yaml: .*(must be >= 0|within 0\.\.100)"):
            _build((data, "edited.yaml"), "edited.yaml")


@pytest.mark.parametrize("models", [None, [], "hybrid"])
def test_a_screen_that_names_no_models_is_refused(
    edited_framework: EditFramework, models: Any,
) -> None:
    """A screen without the models it holds back used to load and then fail every recommend
    with a KeyError; it is refused at load, naming the field and what is allowed."""

    def edit(data: dict[str, Any]) -> None:
        if models is None:
            del data["screens"][0]["models"]
        else:
            data["screens"][0]["models"] = models

    with pytest.raises(FrameworkError, match=r"screens\[0\]\.models: must be a non-empty list of "
                                             r"the models it holds back, from platform, "):
        Framework.load(edited_framework(edit))
