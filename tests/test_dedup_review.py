"""`reviewkit dedup review`: the pair queue as data, and the Textual app driven headless.

The project holds real records: the Scopus-via-Citavi export, which carries one
pair the method queues (the same title, journal and abstract under two author
lists), plus a hand-search copy of another of its records whose year is two
apart (an online-first year against the printed issue's), which the method
also queues as possible.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from helpers import new_project, run_cli, snapshot
from reviewkit.dedup.judgements import (
    append_judgement,
    append_undo,
    log_path,
    read_judgements,
)
from reviewkit.dedup.review import (
    DIFFERENT,
    FIELDS,
    SAME,
    ReviewQueue,
    compare_fields,
    pending_pairs,
)
from reviewkit.dedup.run import run_dedup
from reviewkit.errors import ReviewkitError
from reviewkit.io.importer import import_files
from reviewkit.project.session import session
from reviewkit.screening import add_reviewer
from reviewkit.tui.dedup_review import DedupReviewApp, HelpScreen, pair_table

from conftest import export_file

CITAVI = "ris/scopus-via-citavi_asreview.txt"
# named as the first design named them (search/key); the fixture resolves them to
# today's ids (file key/record key), which also checks that old ids still resolve
OLD_REAL = ("scopus/h-6902fa79077f", "scopus/scopus-2-s2.0-77957803193")
OLD_COPY = ("hand/scopus-2-s2.0-85054091539", "scopus/scopus-2-s2.0-85054091539")
REAL_PAIR: tuple[str, str] = OLD_REAL
COPY_PAIR: tuple[str, str] = OLD_COPY


@pytest.fixture
def project(tmp_path):
    real = export_file(CITAVI)
    project, store = new_project(tmp_path, ("scopus", None), ("hand", None))
    import_files(project, store, [real], "scopus")
    text = real.read_text("utf-8")
    first = text[: text.index("ER  -") + len("ER  -")] + "\n"
    assert "PY  - 2018\n" in first
    copy = tmp_path / "handsearch.ris"
    copy.write_text(first.replace("PY  - 2018\n", "PY  - 2016\n"), "utf-8")
    import_files(project, store, [copy], "hand")
    global REAL_PAIR, COPY_PAIR
    REAL_PAIR = tuple(store.resolve(i) for i in OLD_REAL)
    COPY_PAIR = tuple(store.resolve(i) for i in OLD_COPY)
    assert REAL_PAIR[0].startswith("scopus-via-citavi-asreview-") and None not in COPY_PAIR
    for name in ("alice", "bob", "carol"):
        add_reviewer(project, name)
    (project.root / "dedup").mkdir(exist_ok=True)
    run_dedup(project, store)
    yield project, store
    store.close()


def drive(queue: ReviewQueue, keys: str,
          after: Callable[[DedupReviewApp, str], None] | None = None) -> DedupReviewApp:
    """Press ``keys`` in an 80x24 headless app; ``after`` looks at it after each key."""
    app = DedupReviewApp(queue)

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press("question_mark" if key == "?" else
                                  "escape" if key == "E" else key)
                await pilot.pause()
                if after and app.is_running:
                    after(app, key)

    asyncio.run(go())
    return app


def text(app: DedupReviewApp, widget: str) -> str:
    return str(app.query_one(f"#{widget}").content)


def log_lines(project) -> list[dict]:
    path = log_path(project)
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()] if path.exists() else []


def together(store, a: str, b: str) -> bool:
    return any(a in m and b in m for m in store.clusters().values())


def test_pending_pairs_best_first_fields_aligned(project):
    _, store = project
    pairs = pending_pairs(store)
    assert [p.key for p in pairs] == [COPY_PAIR, REAL_PAIR]
    copy, real = pairs
    assert [r.name for r in copy.rows] == [name for name, _ in FIELDS]
    assert copy.differing == ["year"]
    assert "years 2 apart" in copy.summary() and "Conflict: year" in copy.summary()
    assert real.differing == ["authors"]
    rows = {r.name: r for r in real.rows}
    assert rows["doi"].status == "missing" and rows["doi"].b == "10.1109/tla.2005.1642429"
    assert "Cannot compare: DOI, pages, volume" in real.summary()


def test_fields_equal_after_normalising_are_not_different(project):
    _, store = project
    a = store.get_record(COPY_PAIR[1])
    rec = dataclasses.replace(a.record, doi="https://doi.org/10.15598/AEEE.V16I3.2698",
                              pages="271-8", title=a.record.title.upper() + " [Article]",
                              journal="Adv. Electr. Electron. Eng.")
    rows = {r.name: r.status for r in compare_fields(a, dataclasses.replace(a, record=rec))}
    assert rows["doi"] == rows["pages"] == rows["title"] == rows["journal"] == SAME
    rec = dataclasses.replace(a.record, doi="10.15598/aeee.v16i3.2699", pages="272-278")
    rows = {r.name: r.status for r in compare_fields(a, dataclasses.replace(a, record=rec))}
    assert rows["doi"] == rows["pages"] == DIFFERENT


def test_same_key_logs_then_links_the_records(project):
    proj, store = project
    seen = []

    def after(app, key):
        # the judgement is on disk by the time the next pair is on screen
        seen.append((text(app, "progress"), len(log_lines(proj)), app.queue.current.key))

    app = drive(ReviewQueue(proj, store, "alice"), "s", after)
    assert seen == [(seen[0][0], 1, REAL_PAIR)] and seen[0][0].startswith("Pair 2 of 2")
    [line] = log_lines(proj)
    assert (line["a"], line["b"], line["same"], line["by"]) == (*COPY_PAIR, True, "alice")
    # clusters are recomputed once per sitting (at quit), not per key
    assert not together(store, *COPY_PAIR)
    app.queue.apply()
    assert together(store, *COPY_PAIR)
    assert COPY_PAIR not in [p.key for p in pending_pairs(store)]
    assert app.queue.judged == 1


def test_different_key_keeps_them_apart_on_every_rebuild(project, tmp_path):
    proj, store = project
    drive(ReviewQueue(proj, store, "bob"), "d")
    assert log_lines(proj)[-1]["same"] is False
    store.close()
    shutil.rmtree(proj.cache_dir)  # the derived store: rebuilt from the project's files
    with session(proj.root) as (_, rebuilt):
        assert not together(rebuilt, *COPY_PAIR)
        outcomes = {(a, b): outcome for a, b, _, _, outcome, _ in rebuilt.dedup_pairs()}
        assert outcomes[COPY_PAIR] == "judged different"
        assert [p.key for p in pending_pairs(rebuilt)] == [REAL_PAIR]


def test_skip_writes_nothing_and_the_pair_stays_queued(project):
    proj, store = project
    before = snapshot(proj.root)
    progress = []
    app = drive(ReviewQueue(proj, store, "alice"), "kq",
                lambda a, _: progress.append((text(a, "progress"), a.queue.current.key)))
    assert progress[0][0].startswith("Pair 2 of 2") and progress[0][1] == REAL_PAIR
    assert snapshot(proj.root) == before
    assert [p.key for p in pending_pairs(store)] == [COPY_PAIR, REAL_PAIR]
    assert "2 possible pair(s) still queued" in app.return_value


def test_undo_withdraws_the_judgement_with_a_new_line(project):
    proj, store = project
    shown = []
    drive(ReviewQueue(proj, store, "alice"), "su",
          lambda a, _: shown.append((a.queue.current.key, text(a, "message"))))
    assert shown[1] == (COPY_PAIR, "Undone: the judgement was withdrawn.")
    same, undo = log_lines(proj)
    assert same["same"] is True and undo["undo"] is True and (undo["a"], undo["b"]) == COPY_PAIR
    assert read_judgements(proj) == {}
    assert not together(store, *COPY_PAIR)
    assert [p.key for p in pending_pairs(store)] == [COPY_PAIR, REAL_PAIR]


def test_undo_line_restores_the_judgement_before_it(project):
    proj, _ = project
    key = tuple(sorted(COPY_PAIR))
    append_judgement(proj, *COPY_PAIR, True, "alice")
    res = run_cli("dedup", "judge", *COPY_PAIR, "--different", "--reviewer", "bob",
                  cwd=proj.root)
    assert res.returncode == 0, res.stderr
    assert read_judgements(proj)[key] is False
    append_undo(proj, COPY_PAIR[1], COPY_PAIR[0], "bob")  # either order names the pair
    assert read_judgements(proj)[key] is True
    append_undo(proj, *COPY_PAIR, "alice")
    append_undo(proj, *COPY_PAIR, "alice")  # nothing left to withdraw: harmless
    assert read_judgements(proj) == {}
    append_judgement(proj, *COPY_PAIR, False, "carol")
    assert read_judgements(proj)[key] is False


def test_undo_of_a_skip_writes_nothing(project):
    proj, store = project
    queue = ReviewQueue(proj, store, "alice")
    with pytest.raises(ReviewkitError, match="nothing to undo"):
        queue.undo()
    queue.skip()
    queue.skip()
    assert queue.current is None and queue.progress() == (2, 2)
    assert queue.undo() == ("skipped", REAL_PAIR)
    assert queue.current.key == REAL_PAIR and queue.progress() == (2, 2)
    assert not log_path(proj).exists()


def test_quit_mid_queue_and_restart_shows_the_next_unjudged_pair(project):
    proj, store = project
    first = drive(ReviewQueue(proj, store, "alice"), "sq")
    assert "1 possible pair(s) still queued" in first.return_value
    again = ReviewQueue(proj, store, "alice")
    assert again.current.key == REAL_PAIR and again.progress() == (1, 1)


def test_empty_queue_says_so_and_exits(project):
    proj, store = project
    app = drive(ReviewQueue(proj, store, "alice"), "sdq")
    assert app.return_value.startswith("No possible duplicate pairs are waiting")
    assert not app.is_running and len(log_lines(proj)) == 2
    res = run_cli("dedup", "review", "--reviewer", "alice", cwd=proj.root)
    assert res.returncode == 0 and "No possible duplicate pairs" in res.stdout
    with pytest.raises(ReviewkitError):
        ReviewQueue(proj, store, "alice").decide(True)


def test_help_screen_and_80_column_layout(project):
    proj, store = project
    screens = []
    drive(ReviewQueue(proj, store, "alice"), "?E",
          lambda a, _: screens.append(type(a.screen)))
    assert screens[0] is HelpScreen and screens[1] is not HelpScreen
    console = Console(width=80, record=True, color_system=None)
    console.print(pair_table(pending_pairs(store)[1]))
    lines = console.export_text().splitlines()
    assert max(len(x) for x in lines) <= 80
    assert any(x.startswith(" ≠ Authors") for x in lines)
    assert any(x.startswith(" – DOI") for x in lines)


def test_review_command_needs_a_project(tmp_path: Path):
    res = run_cli("dedup", "review", cwd=tmp_path)
    assert res.returncode == 2 and res.stderr.startswith("error:")


def test_after_the_last_pair_the_app_stays_and_undo_reaches_it(project):
    proj, store = project
    seen = []
    app = drive(ReviewQueue(proj, store, "alice"), "sdkuq",
                lambda a, key: seen.append((key, text(a, "fields") + "\n" + text(a, "message"),
                                            a.queue.current)))
    assert [k for k, _, _ in seen] == ["s", "d", "k", "u"]  # still running after the last
    assert "No pair to skip." in seen[2][1] and "Skipped" not in seen[2][1]
    seen.pop(2)
    assert "All pairs judged — u undo, q quit" in seen[1][1] and seen[1][2] is None
    assert seen[2][2].key == REAL_PAIR                  # undo brought the last pair back
    assert [e.get("undo", False) for e in log_lines(proj)] == [False, False, True]
    assert app.return_value.startswith("1 possible pair(s) still queued")


def test_judging_needs_one_of_the_projects_reviewers(project):
    proj, store = project
    with pytest.raises(ReviewkitError, match=r"reviewkit.toml: field 'reviewers': 'mallory' "
                                             r"is not a reviewer .*alice, bob, carol.*"
                                             r"reviewkit reviewer add mallory"):
        ReviewQueue(proj, store, "mallory")
    with pytest.raises(ReviewkitError, match="it names the reviewer's log file"):
        ReviewQueue(proj, store, "../../evil")
    before = snapshot(proj.root)
    said = []
    for args in (["dedup", "judge", *COPY_PAIR, "--same", "-r", "mallory"],
                 ["dedup", "judge", *COPY_PAIR, "--same"],
                 ["dedup", "review", "-r", "mallory"],
                 ["dedup", "judge", *COPY_PAIR, "--same", "--different", "-r", "alice"],
                 ["dedup", "judge", *COPY_PAIR, "-r", "alice"]):
        res = run_cli(*args, cwd=proj.root)
        assert res.returncode == 2 and len(res.stderr.splitlines()) == 1, (args, res.stderr)
        said.append(res.stderr)
    assert snapshot(proj.root) == before
    assert "reviewkit reviewer add mallory" in said[0] and "reviewkit reviewer add" in said[2]
    assert said[1].startswith("error: field 'reviewer': who is judging duplicates? pass "
                              "--reviewer NAME")
    assert said[3] == said[4] == "error: field 'same': say one of --same or --different\n"


def test_undo_in_a_sitting_withdraws_this_reviewers_judgement_not_a_later_one(project):
    # alice judges a pair in her sitting; bob, from another sitting or the command line,
    # judges it differently before she presses undo. Her undo must take back her own
    # judgement: withdrawing 'the pair's latest' took back bob's, and left hers standing.
    proj, store = project
    key = tuple(sorted(COPY_PAIR))
    queue = ReviewQueue(proj, store, "alice")
    assert queue.current.key == COPY_PAIR
    queue.decide(True)
    res = run_cli("dedup", "judge", *COPY_PAIR, "--different", "--reviewer", "bob",
                  cwd=proj.root)
    assert res.returncode == 0, res.stderr
    assert read_judgements(proj)[key] is False
    assert queue.undo() == ("judged", COPY_PAIR)
    assert read_judgements(proj)[key] is False  # bob's judgement stands
    same, different, undo = log_lines(proj)
    assert (same["by"], different["by"], undo["by"]) == ("alice", "bob", "alice")
    assert undo["of"] == same["id"]  # the line says which judgement it withdraws
    queue.apply()
    assert not together(store, *COPY_PAIR)
    # a second undo line for the same judgement (a merge kept it twice) withdraws nothing
    append_undo(proj, *COPY_PAIR, "alice", of=same["id"])
    assert read_judgements(proj)[key] is False
