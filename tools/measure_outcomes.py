"""Measure the outcome model's figures for docs/classifier.md: `python tools/measure_outcomes.py`.

Prints, for the default population (20,000 synthetic companies, seed 20240601) and the
assumptions file as it is now: the judged share, the label mix overall and by stage, what
start-ups can fund, the outcome labels' agreement with the framework by stage, the top reasons
they part, the classifier's held-out metrics and agreement by stage (trained as `make model`
trains, on the same split), and the twelve most sensitive assumptions (on the first 2,000
companies). Every figure is seeded; nothing depends on the machine but the run time (about
a minute and a half on two cores).

`--against OLD.yaml` (an earlier assumptions file, e.g. from `git show v:src/.../outcomes.yaml`)
also prints, for each assumption whose value differs, the label mix with that one value put back.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from typing import Any

import numpy as np

SEED = 20240601
N = 20000
SENSITIVITY_N = 2000
DISTRIBUTION = "dropshipping|distributors|small_b"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _mix(profiles: Any, assumptions: Any) -> str:
    from modelfit.outcome.labels import best_model_labels, label_mix
    from modelfit.outcome.simulation import simulate_outcomes

    labels = best_model_labels(simulate_outcomes(profiles, SEED, assumptions))
    mix = (100 * label_mix(profiles, labels)).round(1)
    return f"all {mix.loc['all'].to_dict()}, start-up {mix.loc['startup'].to_dict()}"


def _put_back(profiles: Any, new: dict[str, Any], old_path: str) -> None:
    """The label mix with each changed assumption set back to its value in `old_path`."""
    from modelfit.outcome.assumptions import assumption_table, load_assumptions

    before = assumption_table(old_path)
    old_values = dict(zip(before["assumption"], before["value"], strict=True))
    print(f"\n## each changed value put back to {load_assumptions(old_path)['version']}")
    for record in assumption_table().to_dict("records"):
        name = str(record["assumption"])
        if name not in old_values or old_values[name] == record["value"]:
            continue
        varied = copy.deepcopy(new)
        node = varied
        *parents, leaf = name.split(".")
        for key in parents:
            node = node[key]
        node[leaf] = copy.deepcopy(old_values[name])
        print(f"{name}: {_mix(profiles, varied)}")


def main() -> int:
    from modelfit.core.vocab import MODELS
    from modelfit.outcome import disagreement, sensitivity, synthetic, training
    from modelfit.outcome.assumptions import assumption_table, judged_share, load_assumptions
    from modelfit.outcome.labels import best_model_labels, label_mix
    from modelfit.outcome.simulation import simulate_outcomes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="OLD.yaml",
                        help="an earlier assumptions file: put each changed value back in turn")
    args = parser.parse_args()
    if args.against:
        from modelfit.core.errors import ModelfitError

        try:  # refuse a bad file before the minute and a half of work, not after it
            load_assumptions(args.against)
        except ModelfitError as exc:
            print(f"measure_outcomes: {exc}", file=sys.stderr)
            return 2
    started = time.perf_counter()
    a = load_assumptions()
    table = assumption_table()
    judged = table[table["judged"]]
    print(f"outcome model {a['version']}: {len(judged)} of {len(table)} assumptions judged "
          f"({_pct(judged_share())})")
    print("judged:", ", ".join(judged["assumption"]))

    profiles = synthetic.generate_profiles(N, SEED)
    outcomes = simulate_outcomes(profiles, SEED)
    labels = best_model_labels(outcomes)
    print("\n## label mix (share of companies; rows: all and by stage)")
    mix = label_mix(profiles, labels)
    counts = profiles["stage"].value_counts()
    print((100 * mix).round(1).assign(companies=[N, *(int(counts.get(s, 0))
                                                     for s in mix.index[1:])]).to_string())
    running = profiles["existing_channels"].map(set)
    site_in = labels.eq("independent_site") | (
        labels.eq("hybrid") & outcomes["plan_hybrid"].str.contains("independent_site"))
    print(f"own site in the best plan (alone or in a hybrid): {_pct(float(site_in.mean()))}")

    print("\n## what start-ups can fund")
    startup = (profiles["stage"] == "startup").to_numpy()
    for m in MODELS:
        failed = outcomes[f"failed_{m}"].to_numpy()[startup]
        print(f"start-ups that cannot fund {m}: {_pct(float(failed.mean()))}")
    capital = outcomes["capital_usd"].to_numpy()[startup]
    print("start-up capital (USD) quartiles:",
          ", ".join(f"{q:,.0f}" for q in np.percentile(capital, [25, 50, 75])))
    site_pays = ~outcomes["failed_independent_site"] & (
        outcomes["value_independent_site"] > outcomes["value_platform"])
    print(f"start-ups with an own site fundable and worth more than a platform: "
          f"{_pct(float(site_pays[startup].mean()))}")
    values = outcomes[[f"value_{m}" for m in MODELS]].to_numpy()[startup]
    print(f"start-ups with no model of positive value: {_pct(float((values < 0).all(1).mean()))}; "
          f"platform cash positive at the horizon: "
          f"{_pct(float((outcomes['profit_platform'].to_numpy()[startup] > 0).mean()))}")
    budget = profiles["marketing_budget_usd"].to_numpy()[startup]
    print(f"median start-up budget: USD {np.median(budget):,.0f} a month")
    kinds = outcomes["plan_distribution"].str.split(" ").str[0][labels.eq("distribution")]
    print("distribution labels by kind:",
          (100 * kinds.value_counts(normalize=True)).round(1).to_dict())
    hybrid = labels.eq("hybrid")
    print(f"hybrids with an own site: "
          f"{_pct(float(outcomes['plan_hybrid'][hybrid].str.contains('independent_site').mean()))}")
    mature = (profiles["stage"] == "mature").to_numpy()
    for ch in ("platform", "independent_site"):
        runs = running[mature].map(lambda s, ch=ch: ch in s).mean()
        print(f"mature firms already running {ch}: {_pct(float(runs))}")
    beats = outcomes["value_distribution"] > outcomes["value_platform"]
    mature_hybrid = hybrid & (profiles["stage"] == "mature")
    print(f"mature firms where distribution is worth more than a platform: "
          f"{_pct(float(beats[mature].mean()))}; mature hybrids with a kind of distribution: "
          f"{_pct(float(outcomes['plan_hybrid'][mature_hybrid].str.contains(DISTRIBUTION).mean()))}")

    print("\n## outcome labels vs the framework, all companies")
    print(disagreement.agreement_by_stage(profiles, labels).to_string())
    print("\n## why they part (share of all companies)")
    print(disagreement.disagreement_reasons(profiles, outcomes, labels).to_string())

    print("\n## classifier (trained as make model trains; held-out 20%)")
    _, report = training.train(profiles, labels, SEED)
    print(report.estimator, {k: round(v, 3) for k, v in report.metrics.items()})
    print({k: round(v, 3) for k, v in report.agreement.items()})
    print(report.disagreement.to_string())
    held = report.disagreement
    fw = held.groupby("framework")["rows"].sum() / held["rows"].sum()
    predicted = report.confusion.sum(axis=0) / report.confusion.to_numpy().sum()
    chance = sum(float(share) * float(predicted.get(m, 0.0)) for m, share in fw.items())
    agree = report.agreement["classifier_vs_framework"]
    print(f"chance agreement (framework x classifier shares, held out): {chance:.2f}; "
          f"Cohen's kappa {(agree - chance) / (1 - chance):.2f}")

    print(f"\n## sensitivity (first {SENSITIVITY_N} companies)")
    sens = sensitivity.sensitivity(profiles.head(SENSITIVITY_N), SEED)
    cols = ["assumption", "judged", "low", "high", "swing",
            *[f"{e}_{m}" for e in ("low", "high") for m in MODELS]]
    shown = sens.head(12)[cols].copy()
    for c in cols[4:]:
        shown[c] = (100 * shown[c]).round(1)
    print(shown.to_string())
    rank = {n: i + 1 for i, n in enumerate(sens["assumption"])}
    print("judged assumptions by rank:", ", ".join(
        f"{n} #{rank[n]} ({_pct(float(sens.loc[rank[n] - 1, 'swing']))})"
        for n in judged["assumption"] if n in rank))
    if args.against:
        _put_back(profiles, a, args.against)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
