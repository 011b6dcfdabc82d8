"""How each rating of a profile follows from its `assessment:` answers, and where a stated
rating disagrees with them (`modelfit assess`). The rubric and its rule: `modelfit.inputs.rubric`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modelfit.inputs.profile import Profile
from modelfit.inputs.rubric import Rubric, Step, load_rubric


@dataclass(frozen=True)
class Assessment:
    """The ratings a profile's answers give, how each was derived, and what was stated."""

    company_id: str
    ratings: dict[str, int]
    derivation: dict[str, list[Step]]
    stated: dict[str, int | None]
    warnings: list[str]
    derived: dict[str, int | None]

    @property
    def has_answers(self) -> bool:
        """True when the profile answered at least one question."""
        return any(self.derivation.values())

    def to_dict(self) -> dict[str, Any]:
        """`modelfit assess --json`."""
        return {
            "company_id": self.company_id,
            "ratings": dict(self.ratings),
            "derivation": {c: [{"question": s.question, "answer": s.answer, "points": s.points}
                               for s in steps] for c, steps in self.derivation.items()},
            "stated": dict(self.stated),
            "warnings": list(self.warnings),
        }


def assess(profile: Profile, *, source: str | None = None, rubric: Rubric | None = None) -> Assessment:
    """How each rating of `profile` follows from its answers, and where a stated one disagrees.

    `ratings` holds the rating the answers give where there are enough of them, else the stated
    one; `stated` holds what the profile file says (None where the rating was derived).
    """
    rubric = rubric or load_rubric()
    source = source or f"params/{profile.company_id}.yaml"
    answers = dict(profile.assessment)
    stated_ratings = profile.ratings()
    ratings: dict[str, int] = {}
    derivation: dict[str, list[Step]] = {}
    stated: dict[str, int | None] = {}
    derived: dict[str, int | None] = {}
    warnings: list[str] = []
    for criterion in rubric.criteria:
        steps = rubric.steps(criterion, answers, profile.category)
        rating = rubric.rating(steps)
        given = None if criterion in profile.derived_ratings else stated_ratings[criterion]
        derivation[criterion] = steps
        derived[criterion] = rating
        stated[criterion] = given
        ratings[criterion] = rating if rating is not None else stated_ratings[criterion]
        if given is not None and rating is not None and abs(given - rating) >= rubric.warn_gap:
            warnings.append(
                f"{source}: {criterion} is stated as {given} but the answers give {rating}; "
                f"check the rating or the answers ({', '.join(s.question for s in steps)})")
    return Assessment(profile.company_id, ratings, derivation, stated, warnings, derived)


