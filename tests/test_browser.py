"""The client's HTML in a real browser: headless Chromium opens a rendered report and sees no
console message (no error, no CSP violation) and no request outside the file.

Skipped, with the reason, where Chromium is not installed (Debian: apt-get install chromium).
Requests are read from Chromium's net log: those made for the page (its network isolation key
is the file:// origin) must all be file: or data: URLs; Chromium's own background traffic is
told apart by that key. Every host name resolves to nothing, so a leak fails fast and offline.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))
                 if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(Debian: apt-get install chromium); browser checks skipped")
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\] (.*)")


def open_in_chromium(page: Path, work: Path) -> tuple[list[str], list[str]]:
    """Load `page` headless; return (console messages, URLs the page requested off the file)."""
    assert CHROMIUM is not None
    net_log = work / "net.json"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={work / 'u'}",
         "--enable-logging=stderr", "--v=0", "--log-level=0", f"--log-net-log={net_log}",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--virtual-time-budget=5000",
         "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert "</html>" in proc.stdout, proc.stderr[-2000:]
    console = [m.group(1) for m in map(CONSOLE.search, proc.stderr.splitlines()) if m]
    log = json.loads(net_log.read_text("utf-8"))
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    outside = sorted({
        e["params"]["url"] for e in log["events"]
        if names.get(e["type"]) == "URL_REQUEST_START_JOB"
        and "file://" in str(e.get("params", {}).get("network_isolation_key", ""))
        and not e["params"].get("url", "").startswith(("file:", "data:"))
    })
    return console, outside


def test_harness_sees_a_console_error_and_a_remote_fetch(tmp_path: Path) -> None:
    """The check itself: a page with a failing script and a remote image trips both alarms."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><title>t</title></head><body>'
                    '<img src="https://example.com/x.png" alt="">'
                    "<script>undefinedFunction()</script></body></html>", "utf-8")
    console, outside = open_in_chromium(page, tmp_path)
    assert any("undefinedFunction" in line for line in console)
    assert outside == ["https://example.com/x.png"]


@pytest.mark.kernel
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rendered_report_loads_clean_and_offline(tmp_path: Path, lang: str) -> None:
    """The demo report, as rendered, logs nothing to the console and fetches nothing."""
    from modelfit.deliver.render import render_report

    done = render_report("demo", out_dir=tmp_path / "r", root=ROOT, lang=lang, progress=False)
    console, outside = open_in_chromium(done.html, tmp_path)
    assert console == []
    assert outside == []
