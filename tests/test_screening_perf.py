"""The screener answers a key within 50 ms with 100,000 records in the project."""

from __future__ import annotations

import asyncio
import csv
import os
import statistics
import time

from textual.screen import Screen

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.screening import ScreenSession, add_reviewer
from reviewkit.store import open_store
from reviewkit.tui.screener import screener

from conftest import shared_path

RECORDS = 100_000


def _big_ris(path, count):
    """100k RIS records from the real labelled screening sets, repeated with new accessions."""
    csv.field_size_limit(1 << 24)
    rows = []
    for name in ("Kwok_2020.csv", "Nagtegaal_2019.csv", "Cohen_2006_BetaBlockers.csv"):
        with shared_path(f"data/screening/{name}").open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            r = rows[n % len(rows)]
            fh.write(f"TY  - JOUR\nTI  - {r['title']}\n")
            fh.writelines(f"AU  - {a.strip()}\n" for a in r["authors"].split(";") if a.strip())
            fh.write(f"PY  - {r['year']}\nAB  - {r['abstract']}\nAN  - big{n:07d}\nER  - \n\n")


def test_key_to_screen_under_50ms_at_100k_records(tmp_path):
    project, store = new_project(tmp_path, ("big", None))
    _big_ris(tmp_path / "big.ris", RECORDS)
    import_files(project, store, [tmp_path / "big.ris"], "big")
    add_reviewer(project, "ana")
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\nhighlight = { include = ["patient*", '
                    '"random* control* trial*", "software engineer*"], exclude = ["rat*"] }\n')
    add_reviewer(project, "ben")  # reloads the config
    session = ScreenSession(project, open_store(project.store_path), "ana")
    assert session.total == RECORDS
    app = screener(session)
    frames: list[tuple[float, float]] = []
    # the first frame painted after a key is what the reviewer sees respond
    original = Screen._compositor_refresh

    def painted(self):
        result = original(self)
        frames.append((time.perf_counter(), time.process_time()))
        return result

    wall, cpu = [], []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for n in range(60):
                frames.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                await pilot.press("ixm"[n % 3])
                wall.append(1000 * (frames[0][0] - start))
                cpu.append(1000 * (frames[0][1] - start_cpu))

    Screen._compositor_refresh = painted
    try:
        asyncio.run(drive())
    finally:
        Screen._compositor_refresh = original
        session.close()
    assert session.done == 60
    print(f"key to screen at {RECORDS} records: median {statistics.median(wall):.1f} ms wall, "
          f"{statistics.median(cpu):.1f} ms CPU; worst {max(wall):.0f} ms wall")
    # CPU time is what the screener itself costs; wall time also counts other
    # processes on a shared machine, so it is held to 50 ms only when not overloaded
    assert statistics.median(cpu) < 50, sorted(cpu)
    assert sorted(cpu)[-3] < 100, sorted(cpu)   # no collector stalls beyond a rare one
    if os.getloadavg()[0] <= (os.cpu_count() or 1):
        assert statistics.median(wall) < 50, sorted(wall)
