"""Measure the outcome model's figures for docs/classifier.md: `python tools/measure_outcomes.py`.

Prints, for the default population (20,000 synthetic companies, seed 20240601) and the
assumptions file as it is now: the judged share, the label mix overall and by stage, what
start-ups can fund, the outcome labels' agreement with the framework by stage, the top reasons
they part, the classifier's held-out metrics and agreement by stage (trained as `make model`
trains, on the same split), and the twelve most sensitive assumptions (on the first 2,000
companies). Every figure is seeded; nothing depends on the machine but the run time (about
three minutes on two cores).
"""

from __future__ import annotations

import sys
import time

SEED = 20240601
N = 20000
SENSITIVITY_N = 2000


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main() -> int:
    from modelfit import classifier, outcome, sensitivity, synthetic

    started = time.perf_counter()
    a = outcome.load_assumptions()
    table = outcome.assumption_table()
    judged = table[table["judged"]]
    print(f"outcome model {a['version']}: {len(judged)} of {len(table)} assumptions judged "
          f"({_pct(outcome.judged_share())})")
    print("judged:", ", ".join(judged["assumption"]))

    profiles = synthetic.generate_profiles(N, SEED)
    outcomes = outcome.simulate_outcomes(profiles, SEED)
    labels = outcome.best_model_labels(outcomes)
    print("\n## label mix (share of companies; rows: all and by stage)")
    mix = outcome.label_mix(profiles, labels)
    counts = profiles["stage"].value_counts()
    print((100 * mix).round(1).assign(companies=[N, *(int(counts.get(s, 0))
                                                     for s in mix.index[1:])]).to_string())
    running = profiles["existing_channels"].map(set)
    site_in = labels.eq("independent_site") | (
        labels.eq("hybrid") & outcomes["plan_hybrid"].str.contains("independent_site"))
    print(f"own site in the best plan (alone or in a hybrid): {_pct(float(site_in.mean()))}")

    print("\n## what start-ups can fund")
    startup = (profiles["stage"] == "startup").to_numpy()
    for m in outcome.MODELS:
        failed = outcomes[f"failed_{m}"].to_numpy()[startup]
        print(f"start-ups that cannot fund {m}: {_pct(float(failed.mean()))}")
    mature = (profiles["stage"] == "mature").to_numpy()
    for ch in ("platform", "independent_site"):
        runs = running[mature].map(lambda s, ch=ch: ch in s).mean()
        print(f"mature firms already running {ch}: {_pct(float(runs))}")

    print("\n## outcome labels vs the framework, all companies")
    print(classifier.agreement_by_stage(profiles, labels).to_string())
    print("\n## why they part (share of all companies)")
    print(classifier.disagreement_reasons(profiles, outcomes, labels).to_string())

    print("\n## classifier (trained as make model trains; held-out 20%)")
    _, report = classifier.train(profiles, labels, SEED)
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
            *[f"{e}_{m}" for e in ("low", "high") for m in outcome.MODELS]]
    shown = sens.head(12)[cols].copy()
    for c in cols[4:]:
        shown[c] = (100 * shown[c]).round(1)
    print(shown.to_string())
    rank = {n: i + 1 for i, n in enumerate(sens["assumption"])}
    print("judged assumptions by rank:", ", ".join(
        f"{n} #{rank[n]} ({_pct(float(sens.loc[rank[n] - 1, 'swing']))})"
        for n in judged["assumption"] if n in rank))
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
