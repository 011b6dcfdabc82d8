"""Flips: the smallest rating changes that would change one company's primary model, exactly.

`find_flips` answers in either direction; `modelfit.decision.robustness.analyse` keeps
improvements (ratings that go up: the roadmap a client can act on) as `Robustness.flips` and
declines (what the plan rests on) as `Robustness.risks`, in the same shape.
Single fields first: for each rating in the direction asked, the smallest change that gives a
different primary. Then pairs: for each other model, the pair of changed ratings with the
smallest total change that makes it primary while neither change alone changes the primary
(ties: smaller largest step, then upward moves, then framework order). `verify_flips` checks
every entry by running `modelfit.decision.recommend` on the changed profile.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from modelfit.decision.features import RATING_MAX, RATING_MIN
from modelfit.decision.framework import Framework
from modelfit.decision.scoring import primary_index
from modelfit.decision.smaa import company_close_call, evaluate

if TYPE_CHECKING:
    from modelfit.inputs.profile import Profile


@dataclass(frozen=True)
class Flip:
    """A change of ratings that makes `primary` the primary model."""

    changes: dict[str, int]
    primary: str
    before: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Total number of rating steps the change takes."""
        return sum(abs(v - self.before.get(k, v)) for k, v in self.changes.items())

    def to_dict(self) -> dict[str, Any]:
        """`{changes: {field: value}, primary}`, as in `recommend --json`."""
        return {"changes": dict(self.changes), "primary": self.primary}

    def describe(
        self, framework: Framework | None = None, lang: str = "en", *, key: str = "flip",
    ) -> str:
        """One line: 'Brand design and content marketing 2 → 4 makes Hybrid primary.'

        `key="risk"` reads a decline: 'If capital strength 3 → 2, Platform would become ...'.
        """
        fw = framework or Framework.load()
        return _text(fw, key, lang, changes=describe_changes(self.changes, self.before, fw, lang),
                     primary=fw.model_name(self.primary, lang))


def describe_changes(
    changes: dict[str, int], before: dict[str, int], fw: Framework, lang: str,
) -> str:
    """'Capital strength 3 → 4' in English; '资金实力从 3 分提升至 4 分' in Chinese."""
    if lang == "zh":
        return "、".join(
            f"{fw.criterion_name(k, lang)}从 {before.get(k, '?')} 分"
            f"{'提升至' if v > before.get(k, v) else '降至'} {v} 分"
            for k, v in changes.items())
    return "; ".join(f"{fw.criterion_name(k, lang)} {before.get(k, '?')} → {v}"
                     for k, v in changes.items())


def find_flips(
    ratings: dict[str, int], stage: str, framework: Framework, *,
    direction: Literal["up", "down", "both"] = "both", existing: tuple[str, ...] | None = None,
) -> tuple[Flip, ...]:
    """The smallest rating changes that change the primary (see the module docstring).

    Singles (per rating and direction) first, by size; then the best pair per new primary.
    `direction="up"` considers improvements only, `"down"` declines only; `existing` are the
    channels already running (S2's precondition).
    """
    fw = framework
    crits = fw.criteria
    base = np.array([ratings[c] for c in crits], dtype=float)
    stage_idx = fw.stages.index(stage)
    p = int(_primaries(base[None], fw, stage_idx, existing)[0])

    def allowed(v: int, c: int) -> bool:
        return direction == "both" or (v > base[c]) == (direction == "up")

    def steps(c: int) -> list[int]:
        values = [v for v in range(RATING_MIN, RATING_MAX + 1) if v != base[c] and allowed(v, c)]
        return sorted(values, key=lambda v: (abs(v - base[c]), v < base[c]))

    singles = [(c, v) for c in range(len(crits)) for v in steps(c)]
    cand = np.repeat(base[None], len(singles), axis=0)
    for row, (c, v) in enumerate(singles):
        cand[row, c] = v
    single_primary = dict(zip(singles, _primaries(cand, fw, stage_idx, existing).tolist(),
                              strict=True))

    singles_out: list[tuple[tuple[int, int, int], Flip]] = []
    for c in range(len(crits)):
        for up in (True, False):
            for v in steps(c):
                if (v > base[c]) == up and single_primary[(c, v)] != p:
                    key = (int(abs(v - base[c])), 0 if up else 1, c)
                    singles_out.append((key, _flip({crits[c]: v},
                                                   fw.models[single_primary[(c, v)]], ratings)))
                    break
    singles_out.sort(key=lambda kf: kf[0])

    # Pairs whose changes do not flip on their own, in generation order (framework order of the
    # criteria, then smallest and upward steps first), so the first best key wins a tie.
    pairs = [
        ((c1, v1), (c2, v2))
        for c1, c2 in itertools.combinations(range(len(crits)), 2)
        for v1 in steps(c1) for v2 in steps(c2)
        if single_primary[(c1, v1)] == p and single_primary[(c2, v2)] == p
    ]
    best: dict[int, tuple[tuple[int, int, int], Flip]] = {}
    if pairs:
        cand = np.repeat(base[None], len(pairs), axis=0)
        for row, ((c1, v1), (c2, v2)) in enumerate(pairs):
            cand[row, c1], cand[row, c2] = v1, v2
        for pair, winner in zip(pairs, _primaries(cand, fw, stage_idx, existing).tolist(),
                                strict=True):
            if winner == p:
                continue
            (c1, v1), (c2, v2) = pair
            d1, d2 = int(abs(v1 - base[c1])), int(abs(v2 - base[c2]))
            key = (d1 + d2, max(d1, d2), int(v1 < base[c1]) + int(v2 < base[c2]))
            if winner not in best or key < best[winner][0]:
                best[winner] = (key, _flip({crits[c1]: v1, crits[c2]: v2}, fw.models[winner],
                                           ratings))
    pairs_out = sorted(best.items(), key=lambda item: (item[1][0], item[0]))
    return (*(f for _, f in singles_out), *(f for _, (_, f) in pairs_out))


def verify_flips(
    flips: tuple[Flip, ...], profile: Profile, fw: Framework,
) -> tuple[Flip, ...]:
    """`flips`, unchanged, once `recommend` on each changed profile has named its primary.

    Raises RuntimeError when one does not (that would be a bug in `find_flips`).
    """
    from modelfit.decision.recommend import recommend

    for flip in flips:
        got = recommend(profile.model_copy(update=flip.changes), fw).primary
        if got != flip.primary:  # pragma: no cover - would be a bug in find_flips
            raise RuntimeError(f"flip {flip.changes} should make {flip.primary} primary, "
                               f"recommend says {got}")
    return flips


def _primaries(
    ratings: np.ndarray, fw: Framework, stage: int, existing: tuple[str, ...] | None = None,
) -> np.ndarray:
    scores, penalty, _ = evaluate(ratings, fw, stage, existing)
    return primary_index(scores, penalty, company_close_call(fw, stage, existing))


def _flip(changes: dict[str, int], primary: str, ratings: dict[str, int]) -> Flip:
    return Flip(changes={k: int(v) for k, v in changes.items()}, primary=primary,
                before={k: ratings[k] for k in changes})


def _text(fw: Framework, key: str, lang: str, **values: str) -> str:
    return fw.text(f"report.{key}", lang, **values)
