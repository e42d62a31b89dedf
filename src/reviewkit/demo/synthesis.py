"""The demo's synthesis: three included studies' abstracts as sources, coded by two
simulated coders through the synthesis module's own writers (sources, coding log)."""

from __future__ import annotations

import random
import re
import tempfile
from importlib import resources
from pathlib import Path

import yaml

from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.store.base import Store
from reviewkit.synthesis.codebook import codebook_path, load_codebook
from reviewkit.synthesis.coding import append_coding, event, segment_event
from reviewkit.synthesis.sources import add_source, source_text

CODERS = ("ana", "ben")
SOURCES = 3
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _data(name: str) -> str:
    return resources.files("reviewkit.demo").joinpath(name).read_text("utf-8")


def code_abstracts(project: Project, store: Store, studies: list[tuple[str, str]],
                   seed: int) -> int:
    """Add the abstracts of the first studies (study id, record id) that have one as
    sources and code them; returns the number of segments made."""
    codebook_path(project).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(codebook_path(project), _data("codebook.yaml"))
    book = load_codebook(project)
    rules = yaml.safe_load(_data("coding.yaml"))
    sources = _add_sources(project, store, studies)
    rnd = random.Random(seed)
    made = 0
    for n, coder in enumerate(CODERS):
        mine = sources if n == 0 else sources[: rules["second_coder_sources"]]
        events = []
        for source, text in mine:
            for sentence in _sentences(text):
                codes = _codes(sentence, rules["codes"], book)
                if n and codes and rnd.random() < rules["second_coder_misses"]:
                    codes = codes[1:]
                if not codes:
                    continue
                start = text.index(sentence)
                seg = segment_event(coder, source, start, start + len(sentence), sentence,
                                    role="author interpretation")
                events += [seg] + [event("apply", coder, segment=seg["segment"], code=c)
                                   for c in codes]
                made += 1
        if events:
            append_coding(project, coder, events)
    return made


def _add_sources(project: Project, store: Store, studies: list[tuple[str, str]]
                 ) -> list[tuple[str, str]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for study, unit in studies:
            rec = store.get_record(unit).record
            if not (rec.abstract or "").strip():
                continue
            path = Path(tmp) / f"{study}-abstract.txt"
            path.write_text(" ".join(rec.abstract.split()) + "\n", "utf-8")
            src = add_source(project, path, study, f"{study}-abstract", unit, rec.title)
            out.append((src.id, source_text(project, src)))
            if len(out) == SOURCES:
                break
    return out


def _sentences(text: str) -> list[str]:
    """The sentences that occur once (a segment's words must be unambiguous)."""
    return [s for s in (p.strip() for p in _SENTENCE.split(text))
            if len(s) >= 20 and text.count(s) == 1]


def _codes(sentence: str, rules: dict[str, list[str]], book) -> list[str]:
    """The first matching code under each top-level theme, in codebook order."""
    low = sentence.lower()
    out: list[str] = []
    taken: set[str] = set()
    for cid, words in rules.items():
        top = book.path(cid).split(" > ")[0]
        if top not in taken and any(w in low for w in words):
            out.append(cid)
            taken.add(top)
    return out
