"""Open a report.html in headless Chromium: check it parses without console errors and
loads nothing from outside, and take a screenshot. Not part of CI.

    python scripts/report_screenshot.py                      # the repository root's report
    python scripts/report_screenshot.py path/to/report.html --out shot.png

Needs Chromium (Debian/Ubuntu: sudo apt-get install -y chromium). Exit 0 when the page
parsed cleanly, 1 when it did not, 2 when Chromium is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
# console output of the page itself; Chromium's own start-up chatter is not the page's
CONSOLE = re.compile(r"Uncaught|:CONSOLE[(:]|ERROR:CONSOLE")
EXTERNAL = re.compile(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def browser() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def chromium(exe: str, html: Path, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="reviewkit-chromium-") as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}",
                               "--enable-logging=stderr", "--v=0", *extra, html.as_uri()],
                              capture_output=True, text=True, timeout=180)


def root_report(folder: Path) -> Path:
    """Build the repository root's report (the worked example) into ``folder``."""
    from reviewkit.project.session import session
    from reviewkit.reporting.report import write_report

    with session(ROOT) as (project, store):
        write_report(project, store, folder)
    return folder / "report.html"


def check(exe: str, html: Path, out: Path) -> list[str]:
    """Problems found (none: the page is fine); the screenshot is written to ``out``."""
    problems = [f"external resource: {m.group(0)!r}"
                for m in EXTERNAL.finditer(html.read_text("utf-8"))]
    dom = chromium(exe, html, "--dump-dom")
    problems += [f"console: {line.strip()}" for line in dom.stderr.splitlines()
                 if CONSOLE.search(line)]
    if dom.returncode != 0 or "<h1>" not in dom.stdout or "<svg" not in dom.stdout:
        problems.append(f"the page did not parse (exit {dom.returncode}; "
                        f"h1: {'<h1>' in dom.stdout}; svg: {'<svg' in dom.stdout})")
    shot = chromium(exe, html, f"--screenshot={out}", "--window-size=1280,2400")
    if shot.returncode != 0 or not out.is_file():
        problems.append(f"no screenshot (exit {shot.returncode}): {shot.stderr[-300:]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, nargs="?", help="report.html (default: build the "
                        "repository root's report in a temporary folder)")
    parser.add_argument("--out", type=Path, default=Path("report-screenshot.png"))
    args = parser.parse_args()
    exe = browser()
    if exe is None:
        print("Chromium not found: sudo apt-get install -y chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="reviewkit-report-") as tmp:
        html = args.html.resolve() if args.html else root_report(Path(tmp))
        problems = check(exe, html, args.out.resolve())
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{'FAILED' if problems else 'ok'}: {html.name} in {Path(exe).name}; "
          f"screenshot {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
