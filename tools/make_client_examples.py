"""Write params/clients-example.csv and .xlsx: the example companies as a client spreadsheet.

`modelfit import params/clients-example.csv --out DIR` gives back the profiles in params/.
Run after changing an example profile or the rubric's questions.
"""

from __future__ import annotations

from pathlib import Path

from modelfit.inputs.profile import load_profile, profile_paths
from modelfit.inputs.spreadsheet import export_table

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    profiles = [load_profile(p) for p in profile_paths(ROOT / "params")]
    for suffix in (".csv", ".xlsx"):
        path = export_table(profiles, ROOT / "params" / f"clients-example{suffix}")
        print(f"wrote {path.relative_to(ROOT)}")
