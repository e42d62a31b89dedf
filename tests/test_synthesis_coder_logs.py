"""The coder's fast reads give what a whole read gives: the log cache, the session's
index of events on its segments, and the matrix and quote tables built in one pass."""

from __future__ import annotations

import json
import random

from reviewkit.errors import ReviewkitError
from reviewkit.screening.log import read_jsonl
from reviewkit.synthesis.coding import LogCache, append_coding, event, fold, read_coding
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.quotes import quote_table
from reviewkit.synthesis.session import open_session
from reviewkit.synthesis.state import load_synthesis
from synthesis_support import synth_project

SOURCE = "callanan-2012-findings"


def test_cache_reads_appends_rewrites_and_torn_lines_as_a_whole_read(tmp_path):
    project = synth_project(tmp_path)
    cache = LogCache()
    s = open_session(project, "ann", SOURCE)
    path = project.root / "synthesis/coding/ann.jsonl"

    def same() -> None:
        assert read_coding(project, cache) == read_coding(project)

    same()  # no log yet
    s.select("word")
    s.apply("time")
    same()
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"v": 1, "id": "torn", "type": "app')  # a kill inside a write
    same()
    assert read_coding(project, cache)[1][0].line == 3
    with path.open("a", encoding="utf-8") as fh:
        fh.write('ly"}\n[1]\n')  # the same line finished by hand (still bad), then more
    same()
    s.clear()
    s.undo()
    same()
    # a hand edit that rewrites the file: read all again, never the old lines
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text(lines[0].replace('"time"', '"autonomy"') + "".join(lines[1:]), "utf-8")
    same()
    path.write_text(lines[0], "utf-8")  # shorter
    same()
    assert [e["type"] for e, _, _ in read_coding(project, cache)[0]] == ["segment"]
    path.unlink()
    same()


def test_session_shows_what_a_whole_fold_gives_its_segments(tmp_path):
    project = synth_project(tmp_path)
    rng = random.Random(5)
    ann = open_session(project, "ann", SOURCE)
    bo = open_session(project, "bo", SOURCE)
    codes = ["time", "autonomy", "choice", "choice-words"]
    for step in range(60):
        s = ann if step % 3 else bo
        pick = rng.random()
        try:
            if pick < 0.35:
                s.clear()
                s.move(rng.randrange(len(s.text)))
                s.select(rng.choice(["word", "sentence"]))
                s.apply(rng.choice(codes))
            elif pick < 0.5:
                s.remove()
            elif pick < 0.65:
                s.undo()
            elif pick < 0.75:
                s.describe(role=rng.choice(["participant quote", "", "field observation"]),
                           page=str(rng.randrange(3)))
            elif pick < 0.85:
                s.memo(f"note {step}")
            else:
                s.clear()
                s.move(rng.randrange(len(s.text)))
        except ReviewkitError:  # a refused action (nothing here): on to the next step
            pass
    # bo puts a code on one of ann's segments, and the same instant as ann's remove
    seg = ann.segments[0] if ann.segments else None
    if seg is not None:
        append_coding(project, "bo", [event("apply", "bo", segment=seg.id, code="time")])
    ann.refresh()
    whole = fold(project, set(ann.book.codes))
    mine = sorted((g.id, g.start, g.end, sorted(g.codes), g.role, g.page)
                  for g in whole.segments.values() if g.coder == "ann" and g.source == SOURCE)
    shown = sorted((g.id, g.start, g.end, sorted(g.codes), g.role, g.page)
                   for g in ann.segments)
    assert shown == mine and len(mine) > 3
    assert seg is None or "time" in next(g for g in ann.segments if g.id == seg.id).codes
    memos = [m for m in whole.memos if m.coder == "ann" and m.on == "segment"]
    assert [m.text for m in ann.memos] == [m.text for m in memos
                                           if m.target in {g[0] for g in mine}]


def test_apply_then_remove_in_the_same_instant_keep_log_order(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", SOURCE)
    s.select("word")
    seg = s.apply("time")[0]["segment"]
    at = "2030-01-01T00:00:00.000Z"
    stamp = [{**event(kind, "ann", segment=seg, code="autonomy"), "at": at}
             for kind in ("apply", "remove", "apply")]
    append_coding(project, "ann", stamp)
    s.refresh()
    assert s.segments[0].codes == fold(project).segments[seg].codes == {"time", "autonomy"}


def naive_matrix(syn) -> list[dict]:
    """The matrix by its definition: each row looks at every segment."""
    studies = sorted({s.study for s in syn.sources})
    out = []
    for depth, code in syn.codebook.tree():
        under = syn.codebook.descendants(code.id) | {code.id}
        cells = dict.fromkeys(studies, 0)
        for seg in syn.coding.segments.values():
            if seg.codes & under:
                cells[next(s.study for s in syn.sources if s.id == seg.source)] += 1
        out.append({"code": code.id, "theme": code.name, "level": code.level,
                    "depth": depth, **cells, "studies": sum(1 for n in cells.values() if n)})
    return out


def test_matrix_and_quotes_match_their_definition(tmp_path):
    project = synth_project(tmp_path)
    rng = random.Random(7)
    for coder in ("ann", "bo"):
        for source in (SOURCE, "b"):
            s = open_session(project, coder, source)
            for _ in range(6):
                s.clear()
                s.move(rng.randrange(len(s.text)))
                s.select("word")
                try:
                    s.apply(rng.choice(["time", "autonomy", "choice", "choice-words"]))
                except ReviewkitError:  # already coded so: fine
                    pass
    syn = load_synthesis(project)
    assert theme_matrix(syn) == naive_matrix(syn)
    assert sum(r["callanan-2012"] + r["smith-2015"] for r in theme_matrix(syn)) > 0
    order = list(syn.codebook.codes)
    rows = quote_table(syn)
    made = {sid: i for i, sid in enumerate(syn.coding.segments)}  # ties: fold's order
    expect = sorted((s.source != SOURCE, s.start, made[s.id], order.index(c), s.id, c)
                     for s in syn.coding.segments.values() for c in s.codes)
    assert [(r["segment"], r["code"]) for r in rows] == [
        (x[4], syn.codebook.path(x[5])) for x in expect]
    assert [r["index"] for r in rows] == list(range(1, len(rows) + 1))
    assert json.dumps(rows)  # plain data


def test_bad_lines_get_the_verdicts_of_the_shared_log_reader(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", SOURCE)
    s.select("word")
    s.apply("time")
    folder = project.root / "synthesis/coding"
    with (folder / "ann.jsonl").open("ab") as fh:  # not UTF-8: read line by line
        fh.write(b"\n   \t\n\xff\xfe not text\n[1]\n")
    # UTF-8 throughout: read whole; a no-break space is no blank line to either reader
    (folder / "bo.jsonl").write_bytes(b"\n \x0b\nnot json\n\xc2\xa0\n[2]\n{\"v\": 1, \"id\": \"x\"")
    cache = LogCache()
    shared = []
    for name in ("ann", "bo"):  # the screening logs' reader, line by line
        shared += [(f"synthesis/coding/{name}.jsonl", p.line, p.message)
                   for p in read_jsonl(folder / f"{name}.jsonl")[1]]
    for _ in range(2):  # cold, then from the cache
        events, problems = read_coding(project, cache)
        assert [e["type"] for e, _, _ in events] == ["segment", "apply"]
        assert [(p.file, p.line, p.message) for p in problems] == shared
    assert [(f[-8:], line) for f, line, _ in shared] == [
        ("nn.jsonl", 5), ("nn.jsonl", 6), ("bo.jsonl", 3), ("bo.jsonl", 4),
        ("bo.jsonl", 5), ("bo.jsonl", 6)]
