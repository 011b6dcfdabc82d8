"""Disagreement: where a classifier or the outcome labels agree with the framework, and why not.

How often the classifier's primary equals the framework's (`framework_agreement`, part of every
training report), the outcome labels' agreement by stage and framework model
(`agreement_by_stage`) and the economic reason the outcome model gives where they part
(`disagreement_reasons`, one of `REASONS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Why the outcome model's pick differs from the framework's, first that applies.
REASONS = {
    "unfunded": "the framework's model needs more cash than the company has",
    "loses": "the framework's model loses money over 36 months; the outcome's pick does not",
    "running": "the outcome's pick builds on a channel the company already runs",
    "worth_more": "both fundable; the outcome's pick is worth more (cash + owned base)",
}


def framework_agreement(
    df: pd.DataFrame, predicted: np.ndarray, outcome: pd.Series | None = None,
) -> tuple[dict[str, float], pd.DataFrame]:
    """How often the classifier's primary equals the framework's, and where they differ.

    Returns rates (`classifier_vs_framework`, and `outcome_vs_framework` when outcomes are
    given) and a table by stage x framework primary: rows, agreement rate and the classifier's
    most common answer where it disagrees.
    """
    from modelfit.decision.scoring import score_profiles

    primary = score_profiles(df)["primary"].to_numpy(dtype=object)
    agree = primary == predicted
    rates = {"classifier_vs_framework": float(agree.mean())}
    if outcome is not None:
        rates["outcome_vs_framework"] = float((primary == outcome.to_numpy(dtype=object)).mean())
    frame = pd.DataFrame({"stage": df["stage"].to_numpy(dtype=object),
                          "framework": primary, "classifier": predicted, "agree": agree})
    rows = []
    for (stage, fw), group in frame.groupby(["stage", "framework"], sort=True):
        differ = group.loc[~group["agree"], "classifier"]
        rows.append({
            "stage": stage, "framework": fw, "rows": len(group),
            "agreement": float(group["agree"].mean()),
            "classifier_instead": str(differ.value_counts().idxmax()) if len(differ) else "",
        })
    table = pd.DataFrame(rows).set_index(["stage", "framework"])
    return rates, table


def agreement_by_stage(df: pd.DataFrame, labels: pd.Series | np.ndarray) -> pd.DataFrame:
    """Share of companies whose `labels` (outcome or classifier) equal the framework's primary,
    by stage and framework model, with the number of rows; rounded to 4 places."""
    from modelfit.decision.scoring import score_profiles

    primary = score_profiles(df)["primary"].to_numpy(dtype=object)
    frame = pd.DataFrame({"stage": df["stage"].to_numpy(dtype=object), "framework": primary,
                          "agree": primary == np.asarray(labels, dtype=object)})
    rows = []
    for (stage, fw), group in frame.groupby(["stage", "framework"], sort=True):
        rows.append({"stage": stage, "framework": fw, "rows": len(group),
                     "agreement": round(float(group["agree"].mean()), 4)})
    for stage, group in frame.groupby("stage", sort=True):
        rows.append({"stage": stage, "framework": "all", "rows": len(group),
                     "agreement": round(float(group["agree"].mean()), 4)})
    return pd.DataFrame(rows).set_index(["stage", "framework"])


def disagreement_reasons(
    df: pd.DataFrame, outcomes: pd.DataFrame, labels: pd.Series, top: int = 8,
) -> pd.DataFrame:
    """Where the outcome label and the framework's primary differ: the most common (framework,
    outcome) pairs with the economic reason the outcome model gives, first that applies of
    `REASONS` (unfunded, loses, running, worth_more); share of all companies, 4 places."""
    from modelfit.decision.scoring import score_profiles

    primary = score_profiles(df)["primary"].to_numpy(dtype=object)
    label = np.asarray(labels, dtype=object)
    differ = primary != label
    running = [set(e) for e in df["existing_channels"]]
    reasons = []
    for i in np.flatnonzero(differ):
        fw, pick = str(primary[i]), str(label[i])
        if bool(outcomes[f"failed_{fw}"].iloc[i]):
            reasons.append((fw, pick, "unfunded"))
        elif outcomes[f"value_{fw}"].iloc[i] < 0 <= outcomes[f"value_{pick}"].iloc[i]:
            reasons.append((fw, pick, "loses"))
        elif (pick in running[i] or (pick == "hybrid" and len(running[i]) >= 2)) and (
                fw not in running[i]):
            reasons.append((fw, pick, "running"))
        else:
            reasons.append((fw, pick, "worth_more"))
    table = pd.DataFrame(reasons, columns=["framework", "outcome", "reason"])
    counts = table.value_counts().head(top).reset_index(name="rows")
    counts["share"] = (counts["rows"] / max(1, len(df))).round(4)
    counts["why"] = counts["reason"].map(REASONS)
    return counts
