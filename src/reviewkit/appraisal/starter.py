"""Files `reviewkit init` can put in a new project: a studies list, a starter
extraction form and, when the CASP pack is at hand, the CASP checklists.

CASP's text is CC BY-NC-SA and lives only in the top-level ``casp/`` folder of
the source tree (with its NOTICE and LICENSE), never inside the MIT package.
Set ``REVIEWKIT_CASP_DIR`` to a folder of checklist files to use another pack.
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
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3] / "casp")  # a source checkout
    return next((c for c in candidates if (c / "NOTICE").is_file()), None)


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
