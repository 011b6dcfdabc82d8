"""Recommendations for a whole DataFrame of profiles in one vectorised pass: `recommend_frame`.

One row per input, on the input's index: one score per model (as `score_profiles` gives them),
`primary`, `runner_up`, `margin` (points between them), `held_by` (the screens that hold the
primary in place against a model that scores more before the screens; "" when the scores
alone decide), the
plan's `channels` (core first) and the `kind` of its distribution channel, and with
`robustness=True` the `confidence` (the primary's first-rank acceptability, exactly
`modelfit.decision.robustness.analyse(profile, seed=seed).confidence`). Lists are `a;b` text,
as `existing_channels` is read, so a column filters with `.str.contains`.

How each column is computed, all from `scoring.score_matrix`'s scores and screen flags:
- `primary`, `runner_up`: the first two of `scoring.ranking_index`.
- `held_by`: screen s holds when it fired and one of its models scores more than the primary
  before the screens (scores with every fired screen's penalty given back, rounded to
  `scoring.TIE_DECIMALS`); ids in framework order, `;`-joined.
- `channels`, `kind`: `recommend.plan_details` once per distinct plan key (primary, stage, the
  R-rules that fired, the screens that fired, the channels running and the order of the scores),
  then spread to the rows by that key: a frame has at most a few thousand distinct plans.
- `confidence`: robustness's samples depend on the seed only, not on the company (weights,
  then rating moves, then stage-prior noise, from one PCG64(seed)), so they are drawn once and
  every row is scored under all of them, in blocks of rows; each distinct company (stage,
  ratings, running channels) is computed once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modelfit.core.errors import ModelfitError
from modelfit.core.reproducible import rounded
from modelfit.decision.features import RATING_MAX, RATING_MIN, to_deviations
from modelfit.decision.framework import Framework
from modelfit.decision.framework_rules import READINESS
from modelfit.decision.recommend import plan_details
from modelfit.decision.robustness import (
    DEFAULT_KAPPA,
    DEFAULT_SAMPLES,
    PRIOR_SD,
    RATING_NOISE,
    SHARE_DECIMALS,
)
from modelfit.decision.scoring import (
    CloseCall,
    Running,
    close_call,
    fired_screens,
    held_by,
    primary_index,
    ranking_index,
    readiness,
    running_column,
    score_matrix,
    validate_frame,
)
from modelfit.decision.smaa import sample_weights

CALLER = "recommend_frame"
FRAME_COLUMNS = ("primary", "runner_up", "margin", "held_by", "channels", "kind")
SEP = ";"
_BLOCK = 500_000  # (company, sample) pairs scored at once for the confidence: ~60 MB


def recommend_frame(
    df: pd.DataFrame, framework: Framework | None = None, *, robustness: bool = False,
    seed: int = 0, samples: int = DEFAULT_SAMPLES,
) -> pd.DataFrame:
    """One recommendation per row of `df`, in one vectorised pass (module docstring).

    `df` needs the columns `score_profiles` needs (`stage` and the four ratings; an
    `existing_channels` column takes part as there); other columns are ignored. Returns, on
    the same index, one score column per model, then `primary`, `runner_up`, `margin`,
    `held_by`, `channels`, `kind` and, with `robustness=True`, `confidence` for `seed` and
    `samples` (the defaults of `modelfit.analyse`). Equal to `recommend` row by row.
    """
    fw = framework or Framework.load()
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ModelfitError(f"{CALLER}: samples must be an integer >= 1, got {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ModelfitError(f"{CALLER}: seed must be an integer >= 0, got {seed!r}")
    ratings, stage_idx = validate_frame(df, fw, CALLER)
    running = running_column(df, fw, CALLER)
    scores, flags = score_matrix(ratings, stage_idx, fw, running)
    fired = fired_screens(ratings, fw, stage_idx, running)
    order = ranking_index(scores, flags, close_call(fw, stage_idx, running))
    rows = np.arange(len(df))
    primary = order[:, 0]
    models = np.asarray(fw.models, dtype=object)
    out = pd.DataFrame(scores, index=df.index, columns=list(fw.models))
    out["primary"] = models[primary]
    if len(fw.models) > 1:
        out["runner_up"] = models[order[:, 1]]
        out["margin"] = scores[rows, primary] - scores[rows, order[:, 1]]
    else:  # pragma: no cover - a framework has four models
        out["runner_up"], out["margin"] = None, np.nan
    out["held_by"] = [SEP.join(ids) for ids in held_by(scores, flags, fired, primary, fw)]
    out["channels"], out["kind"] = _plans(fw, ratings, stage_idx, running, scores, fired, primary)
    if robustness:
        out["confidence"] = confidence(ratings, stage_idx, running, fw, seed=seed,
                                       samples=samples)
    return out


def _plans(
    fw: Framework, ratings: np.ndarray, stage_idx: np.ndarray, running: Running | None,
    scores: np.ndarray, fired: np.ndarray, primary: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The plan's channels (`;`-joined, core first) and distribution kind per row, built once
    per distinct plan key (module docstring)."""
    n_models = len(fw.models)
    digits: list[tuple[np.ndarray, int]] = [(primary, n_models), (stage_idx, len(fw.stages))]
    for trig in fw.rule_triggers.values():
        value = ratings[:, fw.criteria.index(trig.criterion)]
        digits.append(((value >= trig.min_rating) & (value <= trig.max_rating), 2))
    digits.extend((fired[:, s], 2) for s in range(fired.shape[1]))
    if running is not None:
        digits.append((running.known, 2))
        digits.extend((running.channels[:, b], 2) for b in range(running.channels.shape[1]))
    order = ranking_index(scores, np.zeros_like(scores))  # the order of the scores alone
    digits.extend((order[:, k], n_models) for k in range(n_models))
    key = np.zeros(len(primary), dtype=np.int64)
    for values, radix in digits:  # one integer per row: mixed radix, < 2**63 for any framework
        key = key * radix + np.asarray(values, dtype=np.int64)
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    channels = np.empty(len(uniq), dtype=object)
    kinds = np.empty(len(uniq), dtype=object)
    for u, i in enumerate(first):
        details = plan_details(
            fw, fw.models[primary[i]], fw.stages[stage_idx[i]],
            {m: float(scores[i, j]) for j, m in enumerate(fw.models)},
            {c: int(ratings[i, j]) for j, c in enumerate(fw.criteria)},
            tuple(sc.id for s, sc in enumerate(fw.screens) if fired[i, s]),
            _runs(running, i, fw))
        channels[u] = SEP.join(d.channel for d in details if d.role in ("core", "auxiliary"))
        kinds[u] = next((d.kind for d in details if d.kind is not None), None)
    inverse = np.asarray(inverse).reshape(-1)
    return channels[inverse], kinds[inverse]


def _runs(running: Running | None, i: int, fw: Framework) -> tuple[str, ...] | None:
    """Row i's running channels, or None when it does not say."""
    if running is None or not running.known[i]:
        return None
    return tuple(c for b, c in enumerate(fw.base_channels) if running.channels[i, b])


def confidence(
    ratings: np.ndarray, stage_idx: np.ndarray, running: Running | None, fw: Framework, *,
    seed: int = 0, samples: int = DEFAULT_SAMPLES,
) -> np.ndarray:
    """Each row's primary's first-rank acceptability under robustness's default samples for
    `seed`: equal to `robustness.analyse(profile, seed=seed, samples=samples).confidence`.

    Draws exactly what `analyse` draws, in its order (weights, rating moves, prior noise), once
    for all rows. A moved rating is one of three (-1, 0, +1 clipped to 1..5), so a sample's
    criterion points are a (3 C)-long one-hot row times each company's (3 C) deviations: one
    matrix product per block of companies scores them under every sample, and
    `scoring.primary_index` ranks them (one rule for every path); shares are rounded to
    SHARE_DECIMALS at the source, like `analyse`'s."""
    n_crit, n_models = len(fw.criteria), len(fw.models)
    rng = np.random.Generator(np.random.PCG64(seed))
    lam = sample_weights(rng, samples, n_crit, DEFAULT_KAPPA)
    u = rng.random((samples, n_crit))  # as smaa.perturb_ratings draws them
    step = ((u >= RATING_NOISE[0] + RATING_NOISE[1]).astype(np.intp)
            - (u < RATING_NOISE[0]).astype(np.intp)) + 1  # 0, 1, 2 for -1, 0, +1
    noise = rng.normal(0.0, PRIOR_SD, (samples, n_models))
    # onehot[c, k, s, m] = [sample s moves rating c by k - 1] * C * lam[s, c] * W[c, m]
    parts = np.zeros((n_crit, 3, samples, n_models))
    for c in range(n_crit):
        for k in range(3):
            parts[c, k] = ((step[:, c] == k) * n_crit * lam[:, c])[:, None] * fw.weights[c][None]
    onehot = parts.reshape(n_crit * 3, samples * n_models)

    key = stage_idx.astype(np.int64)
    for c in range(n_crit):
        key = key * (RATING_MAX + 1) + ratings[:, c].astype(np.int64)
    if running is not None:
        key = key * 2 + running.known
        for b in range(running.channels.shape[1]):
            key = key * 2 + running.channels[:, b]
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    r_u, st_u = ratings[first], stage_idx[first]
    run_u = None if running is None else Running(running.channels[first], running.known[first])
    s0, f0 = score_matrix(r_u, st_u, fw, run_u)
    close = close_call(fw, st_u, run_u)
    primary = primary_index(s0, f0, close)
    moved = np.clip(r_u[:, :, None] + np.arange(-1, 2)[None, None, :], RATING_MIN, RATING_MAX)
    dev = to_deviations(moved).reshape(len(uniq), n_crit * 3)  # [i, (c, k)]
    # Which screens can fire for each company, every condition but a rating's judged by
    # `fired_screens` itself (ratings at their lowest meet any rating condition), and for a
    # rating screen, which of the three moves of its rating meets it.
    whole_all = fired_screens(np.full_like(r_u, RATING_MIN), fw, st_u, run_u)
    levels = _readiness_by_sample(moved, step, fw)  # (U, samples)
    screens = []
    for s_idx, screen in enumerate(fw.screens):
        by_move = None
        c = -1
        if screen.criterion is not None and screen.max_rating is not None:
            c = fw.criteria.index(screen.criterion)
            by_move = moved[:, c, :] <= screen.max_rating  # (U, 3)
        if screen.own_site is not None:  # the readiness of every (company, sample) pair
            wanted = np.isin(levels, [READINESS.index(x) for x in screen.own_site])
        else:
            wanted = None
        idx = [fw.models.index(m) for m in screen.models]
        screens.append((whole_all[:, s_idx], by_move, c, idx, float(screen.penalty), wanted))

    counts = np.zeros(len(uniq), dtype=np.int64)
    block = max(1, _BLOCK // samples)
    for lo in range(0, len(uniq), block):
        hi = min(lo + block, len(uniq))
        b = hi - lo
        s = (dev[lo:hi] @ onehot).reshape(b, samples, n_models)
        s += noise[None]
        s += fw.priors[st_u[lo:hi]][:, None, :]
        flags = np.zeros(s.shape, dtype=bool)
        for whole, by_move, c, idx, penalty, wanted in screens:
            on = np.broadcast_to(whole[lo:hi, None], (b, samples))
            if by_move is not None:
                on = on & by_move[lo:hi][:, step[:, c]]
            if wanted is not None:
                on = on & wanted[lo:hi]
            for m in idx:
                if penalty:
                    s[:, :, m] -= np.where(on, penalty, 0.0)
                flags[:, :, m] |= on
        # scoring's own ranking rule on every (company, sample) row
        prefer = None if close is None else CloseCall(
            np.repeat(close.prefer[lo:hi], samples, axis=0), close.margin)
        wins = primary_index(s.reshape(b * samples, n_models),
                             flags.reshape(b * samples, n_models), prefer).reshape(b, samples)
        counts[lo:hi] = (wins == primary[lo:hi, None]).sum(axis=1)
    shares = np.array([rounded(x) for x in np.round(counts / samples, SHARE_DECIMALS)])
    return shares[np.asarray(inverse).reshape(-1)] if len(ratings) else np.zeros(0)


def _readiness_by_sample(moved: np.ndarray, step: np.ndarray, fw: Framework) -> np.ndarray:
    """The own site's readiness (index of `READINESS`) of every company (U) under every sample's
    rating moves: `scoring.readiness` on the moved ratings, (U, samples)."""
    n_u, n_samples = moved.shape[0], step.shape[0]
    rows = np.stack([moved[:, c, :][:, step[:, c]] for c in range(moved.shape[1])], axis=2)
    flat = readiness(rows.reshape(n_u * n_samples, moved.shape[1]).astype(float), fw)
    return np.asarray(flat).reshape(n_u, n_samples)
