"""A small ranked project for the live screener's tests: acne/blue-light records (the
relevant ones, ids starting "bluelight-") among others."""

from __future__ import annotations

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.screening import add_reviewer

from conftest import export_file

STAGE = "title-abstract"


def ranked_project(tmp_path, reviewers=("ana", "ben"),
                   files=("ris/bluelight-endnote_reflib.ris", "ris/wos_asysd.ris")):
    """(project, store) with ``[screening] order = "ranked"`` and the reviewers added."""
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file(f) for f in files])
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\norder = "ranked"\n')
    for name in reviewers:
        add_reviewer(project, name)  # reloads the config
    return project, store
