"""A damaged cache is moved aside and rebuilt, with one line saying so; the results are those
of a clean rebuild, byte for byte."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from helpers import run_cli

from conftest import export_file


def _flip_bytes(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    for _ in range(64):  # past the header: pages that hold tables and records
        i = rng.randrange(4096, len(data))
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _one_letter(path: Path, _rng: random.Random) -> None:
    """A valid database that holds one wrong letter in a record's text: only the rows'
    checksum can tell."""
    data = path.read_bytes()
    at = data.index(b"ultrasound")
    path.write_bytes(data[:at] + b"Ultrasound" + data[at + len(b"ultrasound"):])


def _sql(*statements: str):
    def damage(path: Path, _rng: random.Random) -> None:
        db = sqlite3.connect(path)
        for s in statements:
            db.execute(s)
        db.commit()
        db.close()
    return damage


DAMAGE = {
    "garbage": lambda p, _r: p.write_bytes(b"garbage\n"),
    "empty-but-not-sqlite": lambda p, _r: p.write_bytes(b"\0" * 100),
    "truncated": lambda p, _r: p.write_bytes(p.read_bytes()[: p.stat().st_size // 3]),
    "header-only": lambda p, _r: p.write_bytes(p.read_bytes()[:100]),
    "byte-flips": _flip_bytes,
    "one-letter-in-a-record": _one_letter,
    "a-folder": lambda p, _r: (p.unlink(), p.mkdir(), (p / "x").write_text("x")),
    "dropped-table": _sql("DROP TABLE records"),
    "dropped-column": _sql("ALTER TABLE records DROP COLUMN abstract"),
    "half-the-rows": _sql("DELETE FROM records WHERE rowid % 2 = 0"),
    "other-version": _sql("UPDATE meta SET value='1' WHERE key='schema'"),
    "no-meta": _sql("DROP TABLE meta"),
    "orphan-files-row": _sql("DELETE FROM sources"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("damage") / "review"
    assert run_cli("init", str(root), cwd=root.parent).returncode == 0
    for name in ("ris/scopus_asysd.ris", "ris/wos_asysd.ris", "ris/embase-com_asreview.ris"):
        assert run_cli("import", str(export_file(name)), cwd=root).returncode == 0
    clean = run_cli("export", "-f", "csv", cwd=root)
    assert clean.returncode == 0 and clean.stdout.count("\n") > 50
    return root, clean.stdout


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damaged_cache_is_rebuilt_with_one_note(project, kind):
    root, clean = project
    store = root / ".reviewkit" / "store.sqlite"
    assert run_cli("status", cwd=root).returncode == 0  # a whole, current cache first
    DAMAGE[kind](store, random.Random(kind))
    res = run_cli("export", "-f", "csv", cwd=root)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    notes = [line for line in res.stderr.splitlines() if "moved aside" in line]
    assert len(notes) == 1, res.stderr
    assert res.stdout == clean
    again = run_cli("export", "-f", "csv", cwd=root)  # healed: no note the second time
    assert again.stdout == clean and "moved aside" not in again.stderr
    aside = store.with_name("store.sqlite.broken")
    assert aside.exists()
    if aside.is_dir():
        shutil.rmtree(aside)


def test_deleting_the_cache_loses_nothing_and_says_nothing(project):
    root, clean = project
    shutil.rmtree(root / ".reviewkit")
    res = run_cli("export", "-f", "csv", cwd=root)
    assert res.stdout == clean and "moved aside" not in res.stderr
