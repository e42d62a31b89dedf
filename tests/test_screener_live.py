"""The ranked queue learns while a reviewer screens: refits in the background, reranks
what follows the record on screen, never learns from the other reviewer's unsettled work."""

from __future__ import annotations

import pytest

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.screening import Screening, ScreenSession, add_reviewer
from reviewkit.screening.events import decision_event
from reviewkit.screening.live import own_labels, queue_labels
from reviewkit.screening.live_features import prepared_ranker
from reviewkit.screening.live_resume import queue_file, saved_queue
from reviewkit.screening.log import append_events, log_path, read_events
from reviewkit.store import open_store

from conftest import export_file

STAGE = "title-abstract"


def _project(tmp_path):
    """Acne/blue-light records and others (Web of Science, Scopus) in one ranked project."""
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("ris/wos_asysd.ris"),
                                  export_file("ris/scopus_asysd.ris")])
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\norder = "ranked"\n')
    for name in ("ana", "ben"):
        add_reviewer(project, name)  # reloads the config
    return project, store


def _acne(project, store) -> set[str]:
    units = Screening(project, store).eligible(STAGE)
    return {u for u in units if u.startswith("bluelight-")}


def _session(project, reviewer="ana"):
    session = ScreenSession(project, open_store(project.store_path), reviewer)
    assert session.go_live() is not None
    session.live.wait(60)
    session.refresh()
    return session


def _decide_truth(session, acne, n):
    """Decide the next ``n`` records as the truth says (acne relevant), waiting for no refit."""
    for _ in range(n):
        session.decide("include" if session.current() in acne else "exclude")


def _until_both_kinds(session, acne) -> list[str]:
    """Decide as the truth says until one relevant and one irrelevant record are known."""
    seen = []
    while not ({*seen} & acne and {*seen} - acne):
        seen.append(session.current())
        _decide_truth(session, acne, 1)
    return seen


def test_own_decisions_rerank_what_follows_and_the_record_on_screen_stays(tmp_path):
    project, store = _project(tmp_path)
    acne = _acne(project, store)
    session = _session(project)
    first = session.ranked_by
    assert first.startswith("random-start/")     # nothing settled: the seeded start
    # until both kinds are known the order stays the seeded random one
    seen = _until_both_kinds(session, acne)
    before = list(session.pending)
    on_screen = session.current()
    session.live.wait(60)
    assert session.refresh()                      # a new ranking was taken
    assert session.current() == on_screen         # the record on screen did not change
    after = [u for u in session.pending if u not in session.log.active]
    assert session.ranked_by != first and f"/n-{len(seen)}" in session.ranked_by
    left_acne = [u for u in after if u in acne]
    top = after[1:1 + min(10, len(left_acne) - 1)]
    assert top and all(u in acne for u in top), top  # the model learnt acne = relevant
    moved_up = [u for u in top if before.index(u) > after.index(u) + 5]
    assert moved_up                                # visibly moved up by my own decisions
    assert set(session.pending) >= set(Screening(project, store).eligible(STAGE)) - set(
        session.log.active)                       # nothing dropped from the queue
    session.close()


def test_the_other_reviewers_unsettled_decisions_never_move_my_queue(tmp_path):
    project, store = _project(tmp_path)
    acne = _acne(project, store)
    units = Screening(project, store).eligible(STAGE)
    truth = {u: "include" if u in acne else "exclude" for u in units}
    pos, neg = [u for u in units if u in acne], [u for u in units if u not in acne]
    both = pos[:3] + neg[:3]                      # agreed: settled
    ana_only = pos[3:8] + neg[3:8]
    ben_only = pos[8:20] + neg[8:21]
    for who, mine in (("ana", both + ana_only), ("ben", both + ben_only)):
        append_events(log_path(project, STAGE, who),
                      [decision_event(STAGE, who, u, truth[u]) for u in mine])

    keep_file = queue_file(project, STAGE, "ana")

    def queue() -> tuple[list[str], list[str], str, str]:
        keep_file.unlink(missing_ok=True)         # both sittings rank their first order
        s = _session(project)
        for _ in range(3):                        # and some live decisions of my own,
            _decide_truth(s, acne, 1)             # each refit waited for: warm starts
            s.live.wait(60)                       # then follow the same path
            s.refresh()
        out = (list(s.order), list(s.pending), s.ranked_by)
        s.close()
        return (*out, keep_file.read_text())      # and the ranking kept for next time

    with_ben = queue()
    ben_log = log_path(project, STAGE, "ben")
    events = read_events(ben_log)
    # the same log without ben's unsettled decisions (the agreed ones stay: settled)
    append_events(ben_log.with_name("tmp.jsonl"), [e for e in events if e["record"] in both])
    ben_log.unlink()
    ben_log.with_name("tmp.jsonl").rename(ben_log)
    # forget the three live decisions the first sitting made, so both sittings start alike
    ana_log = log_path(project, STAGE, "ana")
    kept = read_events(ana_log)[:len(both) + len(ana_only)]
    ana_log.unlink()
    append_events(ana_log, kept)
    without_ben = queue()
    assert with_ben == without_ben                # first order, live queue, model version,
    assert saved_queue(project, STAGE, "ana")[1] == with_ben[2]  # the ranking kept
    # and the test can fail: learning from ben's unsettled labels would change the ranking
    session = ScreenSession(project, open_store(project.store_path), "ana")
    state = Screening(project, store).state(STAGE)
    own = own_labels(state.log("ana"), set(units))
    ranker = prepared_ranker(project, store, units)
    plain = ranker.order(queue_labels({}, own)).order
    leaky = prepared_ranker(project, store, units).order(
        queue_labels({}, {**own, **{u: int(truth[u] == "include") for u in ben_only}})).order
    assert [u for u in plain if u not in ben_only] != [u for u in leaky if u not in ben_only]
    session.close()


def test_each_decision_logs_the_model_version_that_ranked_it(tmp_path):
    project, store = _project(tmp_path)
    acne = _acne(project, store)
    session = _session(project)
    n = len(_until_both_kinds(session, acne))
    session.live.wait(60)
    session.refresh()
    version = session.ranked_by
    _decide_truth(session, acne, 1)
    session.decide("exclude")  # a record that became the head under the same ranking
    session.close()
    events = [e for e in read_events(log_path(project, STAGE, "ana")) if e["type"] == "decision"]
    assert all(e["ranked_by"] for e in events)
    assert events[0]["ranked_by"].startswith("random-start/")
    assert events[-1]["ranked_by"] == version and version.startswith("svm/reviewkit-")
    assert "/h-" in version and version.endswith(f"/n-{n}")
    # an old log line without the field still reads, alongside the new ones
    append_events(log_path(project, STAGE, "ana"),
                  [decision_event(STAGE, "ana", sorted(acne)[0], "include")])
    again = ScreenSession(project, open_store(project.store_path), "ana")
    assert again.done == n + 3 and not again.state.problems
    again.close()


def test_the_stopping_test_runs_in_the_background_and_shows_its_verdict(tmp_path):
    project, store = _project(tmp_path)
    acne = _acne(project, store)
    session = _session(project)
    assert session.stopping_text() == "stop? not yet"       # nothing decided yet
    _decide_truth(session, acne, 30)
    session.live.wait(60)
    session.refresh()
    st = session.stop_status
    assert st.screened == 30 and st.relevant_found == sum(
        e["decision"] == "include" for e in session.log.decided().values())
    text = session.stopping_text()
    assert text.startswith("stop? not yet, recall ~") or text.startswith("stop? yes")
    # a maybe counts as relevant until settled
    session.decide("maybe")
    session.live.wait(60)
    session.refresh()
    assert session.stop_status.relevant_found == st.relevant_found + 1
    session.close()


def test_a_stop_with_records_left_without_abstract_says_how_many(tmp_path):
    from reviewkit.ranking.stopping import stopping_status
    from reviewkit.screening.ranked import bare_units

    project, store = _project(tmp_path)
    session = _session(project)
    bare = bare_units(session.screening, session.eligible)
    assert session.bare_left() == len(bare) > 0
    # a verdict of "stop" as the worker would send it (the test on real labels)
    session.stop_status = stopping_status([1] * 20 + [0] * 140, session.total,
                                          confidence=0.95)
    assert session.stop_status.criterion_met
    assert session.stopping_text() == (f"stop? yes, recall ≥95% · {len(bare):,} left "
                                       "without abstract (?)")
    session.visiting = sorted(bare)[0]
    session.decide("exclude")
    assert session.bare_left() == len(bare) - 1  # one fewer left
    session.stop_status = stopping_status([1] * 10 + [0] * 5, session.total)
    assert "without abstract" not in session.stopping_text()  # said beside a stop only
    session.close()
    full = ScreenSession(project, open_store(project.store_path), "ana", "full-text")
    assert full.bare_left() == 0  # read in full at later stages
    full.close()


def test_features_are_cached_in_the_project_cache_and_a_torn_file_is_rebuilt(tmp_path):
    from reviewkit.screening import live_features

    project, store = _project(tmp_path)
    units = Screening(project, store).eligible(STAGE)
    live_features._FEATURES.clear()                     # as in a new process
    first = prepared_ranker(project, store, units).features_
    files = list((project.cache_dir / "ranking").glob("features-*.npz"))
    assert len(files) == 1
    live_features._FEATURES.clear()                     # a new process: read from .reviewkit
    again = prepared_ranker(project, store, units).features_
    assert again.shape == first.shape and (again != first).nnz == 0
    files[0].write_bytes(files[0].read_bytes()[:100])   # torn
    live_features._FEATURES.clear()
    rebuilt = prepared_ranker(project, store, units).features_
    assert (rebuilt != first).nnz == 0


@pytest.mark.parametrize("order", ["random"])
def test_random_order_has_no_background_work(tmp_path, order):
    project, _ = new_project(tmp_path)
    import_files(project, open_store(project.store_path),
                 [export_file("ris/bluelight-endnote_reflib.ris")])
    add_reviewer(project, "ana")
    session = ScreenSession(project, open_store(project.store_path), "ana")
    assert session.go_live() is None and session.stopping_text() == ""
    session.decide("include")
    assert "ranked_by" not in read_events(log_path(project, STAGE, "ana"))[0]
    session.close()


def test_the_ranked_queue_reads_a_ranking_lazily_and_keeps_skipped_records_last():
    import numpy as np

    from reviewkit.screening.live import RankedQueue

    ids = np.array(["a", "b", "c", "d", "e"], dtype=object)
    skipped = {"b"}
    queue = RankedQueue(ids, np.array([3, 1, 4, 0, 2], dtype=np.int32), ["c"], skipped)
    assert list(queue) == ["c", "d", "e", "a", "c", "b"]   # c also ranked: skipped lazily
    assert queue[0] == "c" and queue.popleft() == "c"
    queue.appendleft("x")
    assert queue.popleft() == "x" and queue.popleft() == "d"
    queue.append(queue.popleft())                      # a skip: e goes to the back
    assert list(queue) == ["a", "c", "b", "e"]
    assert [queue.popleft() for _ in range(4)] == ["a", "c", "b", "e"] and not queue


def test_the_incremental_stopper_equals_the_test_from_scratch() -> None:
    import random

    from reviewkit.screening.live import Stopper, stopping_now

    rng = random.Random(3)
    stopper, labels = Stopper(), []
    for step in range(300):
        if step % 37 == 36 and labels:  # an undo or a changed label: not a prefix any more
            labels[rng.randrange(len(labels))] ^= 1
        else:
            labels += [int(rng.random() < 0.1) for _ in range(rng.randrange(1, 6))]
        got, want = stopper(list(labels), 2000), stopping_now(list(labels), 2000)
        assert got.to_dict() == want.to_dict(), step


def test_settled_records_for_a_third_reviewer_are_not_in_import_order(tmp_path):
    """Records ana and ben settled come after the rest for cy, shuffled by the project's
    seed: never grouped by database as imported."""
    from reviewkit.screening.ranked import ranked_order

    project, store = _project(tmp_path)
    units = Screening(project, store).eligible(STAGE)
    for name in ("ana", "ben"):  # both decide every record the same way: all settled
        append_events(log_path(project, STAGE, name),
                      [decision_event(STAGE, name, u, "exclude") for u in units])
    order = ranked_order(project, store, STAGE, units)
    assert sorted(order) == sorted(units) and order != sorted(units) and order != units
    assert ranked_order(project, store, STAGE, units) == order  # the same every time
