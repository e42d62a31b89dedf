"""Files `reviewkit init` can put in a new project: a studies list, a starter
extraction form and, when ``REVIEWKIT_CASP_DIR`` names a folder of checklist files
(with its NOTICE), copies of those for the team to edit.

The shipped checklists (reviewkit/appraisal/checklists/, each file with its own
licence) need no copy: every project can use them by id, and a file of the same id
in the project's ``casp/`` replaces one.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

STUDIES_TOML = b"""\
# Included studies, listed by hand until screening lands. One [[study]] per
# included study; `reports` names the record ids of its reports (see
# `reviewkit export`), `programme` links studies of one programme of work.
#
# [[study]]
# id = "smith-2020"
# citation = "Smith A, Jones B (2020) Title. Journal 1(2):3-4"
# reports = ["medline/pmid-12345678"]
"""


def casp_pack_dir() -> Path | None:
    """The folder holding the CASP checklist files, if this installation has one."""
    env = os.environ.get("REVIEWKIT_CASP_DIR")
    return Path(env) if env and (Path(env) / "NOTICE").is_file() else None


def starter_files(casp_dir: Path | None = None) -> dict[str, bytes]:
    """relative path -> bytes for a new project (the caller refuses to overwrite)."""
    form = resources.files("reviewkit.extraction").joinpath("starter/form.yaml")
    files = {"studies.toml": STUDIES_TOML, "extraction/characteristics.yaml": form.read_bytes()}
    pack = casp_dir or casp_pack_dir()
    if pack is not None:
        for path in sorted(pack.glob("*.yaml")):
            files[f"casp/{path.name}"] = path.read_bytes()
        for name in ("NOTICE", "LICENSE"):
            if (pack / name).is_file():
                files[f"casp/{name}"] = (pack / name).read_bytes()
    return files
