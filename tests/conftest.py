"""Shared fixtures. Real export files are read from ../shared/ and never copied here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEWKIT_SHARED", REPO.parent / "shared"))
EXPORTS = SHARED / "data" / "exports"
SCREENING = SHARED / "data" / "screening"


def shared_path(relative: str) -> Path:
    """A file under ../shared/, or skip the test with a message saying why."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"shared test data not present: {path} (clone ../shared beside the repo)")
    return path


def export_file(relative: str) -> Path:
    """A file of the real export corpus, e.g. 'ris/wos_asysd.ris'."""
    return shared_path(f"data/exports/{relative}")


@pytest.fixture
def exports() -> Path:
    if not EXPORTS.exists():
        pytest.skip(f"shared export corpus not present: {EXPORTS}")
    return EXPORTS


@pytest.fixture(scope="session")
def pg_server():
    """A real, throw-away PostgreSQL cluster on a loopback port (tests/pgserver.py)."""
    from pgserver import start_cluster

    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg not installed (pip install 'psycopg[binary]')")
    try:
        cluster = start_cluster()
    except RuntimeError as e:
        pytest.skip(str(e))
    yield cluster
    cluster.destroy()
