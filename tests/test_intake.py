"""The intake form, driven through its widgets: live validation, derived ratings, recommendation, save."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelfit import ModelfitError, load_profile
from modelfit.inputs.profile import FIELD_NAMES
from modelfit.inputs.rubric import load_rubric
from modelfit.views.intake import IntakeForm, form

from .conftest import PARAMS

HARBOR = PARAMS / "harbor.yaml"


def harbor_form(tmp_path: Path, company_id: str = "new-client", lang: str = "en") -> IntakeForm:
    return form(params_dir=tmp_path, lang=lang, company_id=company_id, profile_path=HARBOR)


def test_form_has_a_widget_per_field_and_per_question(tmp_path: Path) -> None:
    """The form is generated from the profile schema and the rubric: nothing more, nothing less."""
    f = form(params_dir=tmp_path)
    assert tuple(f.fields) == FIELD_NAMES
    assert tuple(f.answers) == tuple(load_rubric().questions)


def test_choice_widgets_list_the_options_weakest_first(tmp_path: Path) -> None:
    """A choice question's dropdown offers 'not answered' then the options in rubric order."""
    f = form(params_dir=tmp_path, lang="zh")
    options = f.answers["sc_sourcing"].options
    assert [value for _, value in options] == [None, "trading", "oem", "exclusive_oem", "own_factory"]
    assert options[-1][0] == "自有工厂"


def test_blank_form_lists_what_is_missing(tmp_path: Path) -> None:
    """An empty form is invalid and says which fields are missing and how ratings can be given."""
    f = form(params_dir=tmp_path)
    assert f.profile is None
    assert any("company is missing" in p for p in f.problems)
    assert any("capital is missing" in p and "cap_runway_months" in p for p in f.problems)
    assert "Fix these before saving" in f.status.value


def test_answers_derive_ratings_and_the_recommendation_live(tmp_path: Path) -> None:
    """Changing answers re-derives the rating and re-scores the recommendation at once."""
    f = harbor_form(tmp_path)
    assert f.problems == []
    assert f.derived()["tech_data"] == 2
    assert f.primary() == "hybrid"  # the dual track, held by the close call (C2)
    before = f.recommendation_view.value
    f.answers["td_developers"].value = "8"
    f.answers["td_analytics"].value = "analytics_crm"
    f.answers["td_systems"].value = "erp_multichannel"
    assert f.derived()["tech_data"] == 4
    assert f.primary() == "hybrid"
    assert f.recommendation_view.value != before  # re-scored: the own site now scores more
    assert "4 (from the answers)" in f.ratings_view.value
    assert "Hybrid" in f.recommendation_view.value


def test_a_typed_non_number_is_named_live(tmp_path: Path) -> None:
    """A numeric answer that is not a number is a problem naming the question and what is allowed."""
    f = harbor_form(tmp_path)
    f.answers["sc_moq_units"].value = "lots"
    assert f.problems == [f"{tmp_path / 'new-client'}.yaml: assessment.sc_moq_units must be a "
                          "number from 1 to 1000000, got 'lots'"]
    assert f.profile is None
    assert f.recommendation_view.value == ""


def test_out_of_range_answer_is_named_live(tmp_path: Path) -> None:
    """An answer out of range is named as in a params file."""
    f = harbor_form(tmp_path)
    f.answers["br_review_stars"].value = "6"
    assert any("assessment.br_review_stars must be a number from 1 to 5, got 6" in p
               for p in f.problems)


def test_stated_rating_far_from_the_answers_is_flagged(tmp_path: Path) -> None:
    """Typing a rating 2+ away from the one the answers give shows both."""
    f = harbor_form(tmp_path)
    f.fields["tech_data"].value = 5
    assert "5 (stated)" in f.ratings_view.value
    assert "the answers give 2" in f.ratings_view.value


def test_markup_in_the_company_name_is_escaped(tmp_path: Path) -> None:
    """Text typed into the form is escaped wherever the form shows it."""
    f = harbor_form(tmp_path)
    f.company_id.value = "<b>x</b>"
    assert "<b>x</b>" not in f.status.value
    assert "&lt;b&gt;x&lt;/b&gt;" in f.status.value


def test_save_button_writes_the_params_file(tmp_path: Path) -> None:
    """Clicking save writes params/<id>.yaml, which loads as the same profile."""
    f = harbor_form(tmp_path)
    f.save_button.click()
    saved = load_profile(tmp_path / "new-client.yaml")
    harbor = load_profile(HARBOR)
    assert (saved.fields(), saved.assessment, saved.derived_ratings) == (
        harbor.fields(), harbor.assessment, harbor.derived_ratings)
    assert "Wrote" in f.saved.value


def test_save_never_overwrites_unless_ticked(tmp_path: Path) -> None:
    """An existing file is kept unless 'overwrite' is ticked."""
    (tmp_path / "new-client.yaml").write_text("company: Old\n", "utf-8")
    f = harbor_form(tmp_path)
    f.save_button.click()
    assert "already exists" in f.saved.value
    assert (tmp_path / "new-client.yaml").read_text("utf-8") == "company: Old\n"
    f.overwrite.value = True
    f.save()
    assert load_profile(tmp_path / "new-client.yaml").company == "Harbor Outdoor Gear"


def test_invalid_form_is_not_saved(tmp_path: Path) -> None:
    """Save refuses while the form has problems, and writes nothing."""
    f = harbor_form(tmp_path, company_id="Bad Id")
    with pytest.raises(ModelfitError, match=r"must match \[a-z0-9\]\[a-z0-9_-\]\*"):
        f.save()
    assert list(tmp_path.iterdir()) == []


def test_widget_tree_builds(tmp_path: Path) -> None:
    """The displayed form holds the fields, one accordion section per criterion and the results."""
    f = harbor_form(tmp_path, lang="zh")
    tree = f.widget()
    accordion = tree.children[3]
    assert len(accordion.children) == 4
    assert accordion.titles[0] == "资金实力"
    assert f.overview().data.startswith("0 problem(s)")
