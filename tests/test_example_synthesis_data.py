"""The worked example's synthesis data (synthesis/) against the facts read from the paper.

Reads codebook.yaml, sources.toml and coding/tompkins.jsonl directly (no synthesis library),
so a wrong offset, a code that is not the paper's heading, or a quote filed under the wrong
record or theme fails here. Facts: tests/data/tompkins_synthesis_facts.yaml.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import tomllib
import yaml

from conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
SYNTHESIS = ROOT / "synthesis"
FACTS = yaml.safe_load((Path(__file__).parent / "data" / "tompkins_synthesis_facts.yaml")
                       .read_text("utf-8"))
PAPER = "seeds/tompkins-2018-personalised-budgets-review.txt"
HEX16 = re.compile(r"[0-9a-f]{16}")
THEMATIC_LEVELS = {"code", "descriptive", "analytical"}
ROLES = {"participant quote", "author interpretation", "field observation", ""}


def squash(text: str) -> str:
    return " ".join(text.split())


def codebook() -> dict:
    return yaml.safe_load((SYNTHESIS / "codebook.yaml").read_text("utf-8"))


def sources() -> list[dict]:
    with open(SYNTHESIS / "sources.toml", "rb") as fh:
        return tomllib.load(fh)["source"]


def source_texts() -> dict[str, str]:
    """Source id -> text as the format defines it (UTF-8, '\\r\\n' read as '\\n')."""
    return {s["id"]: (ROOT / s["file"]).read_bytes().decode("utf-8").replace("\r\n", "\n")
            for s in sources()}


def events() -> list[dict]:
    lines = (SYNTHESIS / "coding" / "tompkins.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def segments() -> dict[str, dict]:
    return {e["segment"]: e for e in events() if e["type"] == "segment"}


def applied() -> dict[str, set[str]]:
    """Segment id -> codes applied to it."""
    codes: dict[str, set[str]] = defaultdict(set)
    for e in events():
        if e["type"] == "apply":
            codes[e["segment"]].add(e["code"])
    return codes


def test_codebook_follows_the_thematic_rules() -> None:
    book = codebook()
    assert book["method"] == "thematic"
    codes = book["codes"]
    ids = [c["id"] for c in codes]
    assert len(ids) == len(set(ids))
    by_id = {c["id"]: c for c in codes}
    for code in codes:
        assert re.fullmatch(r"[a-z0-9_-]+", code["id"]), code["id"]
        assert code["level"] in THEMATIC_LEVELS
        assert code["description"].strip()
        parent = code["parent"]
        if parent is not None:
            # a descriptive theme's children are codes; an analytical theme's, descriptive
            expected = {"descriptive": "code", "analytical": "descriptive"}
            assert expected.get(by_id[parent]["level"]) == code["level"], code["id"]
            assert by_id[parent]["parent"] is None  # two levels, as the paper has: no cycle


def test_codes_are_the_papers_headings() -> None:
    codes = {c["id"]: c for c in codebook()["codes"]}
    assert set(codes) == {t["id"] for t in FACTS["themes"]}
    for theme in FACTS["themes"]:
        assert codes[theme["id"]]["name"] == theme["name"]
        assert codes[theme["id"]]["parent"] == theme["parent"]


def test_one_hashed_source_per_included_record() -> None:
    with open(ROOT / "studies.toml", "rb") as fh:
        studies = [s["id"] for s in tomllib.load(fh)["study"]]
    listed = sources()
    assert sorted(s["study"] for s in listed) == sorted(studies)
    assert len({s["id"] for s in listed}) == len(listed)
    for source in listed:
        path = (ROOT / source["file"]).resolve()
        assert path.is_relative_to(SYNTHESIS / "sources")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == source["sha256"]
        assert source["report"] == ""


def test_tompkins_is_a_reviewer_and_every_event_is_well_formed() -> None:
    with open(ROOT / "reviewkit.toml", "rb") as fh:
        assert "tompkins" in tomllib.load(fh)["reviewers"]
    log = events()
    assert len({e["id"] for e in log}) == len(log)
    for e in log:
        assert e["v"] == 1 and e["coder"] == "tompkins"
        assert HEX16.fullmatch(e["id"]) and HEX16.fullmatch(e["segment"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["at"])
        assert e["type"] in {"segment", "apply"}
        if e["type"] == "segment":
            assert e["role"] in ROLES


def test_every_segment_is_the_source_text_at_its_offsets() -> None:
    texts = source_texts()
    segs = segments()
    assert len(segs) > 80  # every attributed sentence and quote of the section
    for seg in segs.values():
        text = texts[seg["source"]]
        assert 0 <= seg["start"] < seg["end"] <= len(text)
        assert text[seg["start"]:seg["end"]] == seg["text"], seg["segment"]


def test_every_apply_names_a_codebook_code_and_a_known_segment() -> None:
    codes = {c["id"] for c in codebook()["codes"]}
    segs = segments()
    codings = applied()
    assert set(codings) == set(segs)  # and every segment is coded
    for segment, applied_codes in codings.items():
        assert segment in segs
        assert applied_codes <= codes


def test_theme_support_by_record_equals_the_papers_citations() -> None:
    parent = {c["id"]: c["parent"] for c in codebook()["codes"]}
    study = {s["id"]: s["study"] for s in sources()}
    segs = segments()
    support: dict[str, set[str]] = defaultdict(set)
    for segment, codes in applied().items():
        for code in codes:
            while code is not None:  # a sub-theme's evidence supports its parent theme
                support[code].add(study[segs[segment]["source"]])
                code = parent[code]
    for theme in FACTS["themes"]:
        assert support[theme["id"]] == set(theme["records"]), theme["id"]


def test_every_quote_is_a_participant_segment_under_its_theme() -> None:
    study = {s["id"]: s["study"] for s in sources()}
    codings = applied()
    quotes = [s for s in segments().values() if s["role"] == "participant quote"]
    for fact in FACTS["quotes"]:
        found = [s for s in quotes if squash(s["text"]) == squash(fact["text"])]
        assert len(found) == 1, fact["text"][:40]
        assert study[found[0]["source"]] == fact["record"]
        assert codings[found[0]["segment"]] == {fact["theme"]}
    # and nothing else is a participant's words: the rest are the authors'
    assert len(quotes) == len(FACTS["quotes"])


def test_every_sentence_of_the_sources_is_the_papers() -> None:
    paper = squash(shared_path(PAPER).read_text("utf-8").replace("*", ""))
    for source_id, text in source_texts().items():
        paragraphs = [p for p in text.split("\n\n")[1:] if not p.startswith("[Findings: ")]
        assert paragraphs, source_id
        for paragraph in paragraphs:
            assert squash(paragraph.removeprefix("> ")) in paper, paragraph[:60]
    for seg in segments().values():
        assert squash(seg["text"]) in paper


def test_source_headings_are_the_codebook_names() -> None:
    names = {c["name"] for c in codebook()["codes"]}
    for text in source_texts().values():
        headings = re.findall(r"^\[Findings: (.*)\]$", text, re.M)
        assert headings and set(headings) <= names


def test_generated_files_are_in_step_with_the_generator() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_example_synthesis", ROOT / "scripts" / "build_example_synthesis.py")
    if spec is None or spec.loader is None:
        pytest.fail("scripts/build_example_synthesis.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    built = module.build(ROOT)
    assert len(built) == 8
    for path, data in built.items():
        assert (ROOT / path).read_bytes() == data, f"{path} is stale: run the script"
