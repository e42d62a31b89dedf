"""A ranked sitting opens on the reviewer's last ranking (kept in .reviewkit/ranking/)
at once, the live worker refitting beside it; a missing, torn or foreign file means
"rank now"; a worker that cannot rank says so instead of going stale."""

from __future__ import annotations

import shutil

from reviewkit.screening import Screening, ScreenSession, live_features
from reviewkit.screening.live import LiveQueue, LiveStart
from reviewkit.screening.live_resume import queue_file, save_queue, saved_queue
from reviewkit.screening.log import log_path, read_events
from reviewkit.store import open_store
from screener_support import STAGE, ranked_project


def _project(tmp_path):
    project, store = ranked_project(tmp_path)
    acne = {u for u in Screening(project, store).eligible(STAGE) if u.startswith("bluelight-")}
    return project, acne


def _first_sitting(project, acne) -> tuple[list[str], str]:
    """Decide as the truth says until the model has both kinds, let it rank, quit.
    Returns the newest ranking's unlabelled records (best first) and its version."""
    s = ScreenSession(project, open_store(project.store_path), "ana")
    s.go_live()
    seen: set[str] = set()
    while not (seen & acne and seen - acne):
        seen.add(s.current())
        s.decide("include" if s.current() in acne else "exclude")
    assert s.live.wait(60) and s.refresh()
    latest = s.live.latest
    ranked = [u for u in s.live.ids[latest.order] if u not in s.log.active]
    version = s.ranked_by
    s.close()
    return ranked, version


def test_the_next_sitting_opens_on_the_last_ranking_and_learns_on_from_there(tmp_path):
    project, acne = _project(tmp_path)
    ranked, version = _first_sitting(project, acne)
    assert version.startswith("svm/") and queue_file(project, STAGE, "ana").is_file()
    kept_ids, kept_version = saved_queue(project, STAGE, "ana")
    assert kept_version == version
    assert [u for u in kept_ids if u in set(ranked)] == ranked  # that ranking, in order

    live_features._FEATURES.clear()           # as in a new process
    again = ScreenSession(project, open_store(project.store_path), "ana")
    assert again.ranked_by == version         # opened on it, before any refit
    assert not live_features._FEATURES        # no features read, no model fitted here
    assert [u for u in again.pending][:len(ranked)] == ranked
    first = again.current()
    again.go_live()
    again.decide("include" if first in acne else "exclude")
    assert again.live.wait(60) and not again.live.error
    assert again.refresh() and again.ranked_by != version   # the worker ranks on
    again.close()
    last = read_events(log_path(project, STAGE, "ana"))[-1]
    assert last["record"] == first and last["ranked_by"] == version  # what put it there

    # another reviewer has no ranking kept: ben's sitting ranks now, from settled only
    ben = ScreenSession(project, open_store(project.store_path), "ben")
    assert ben.ranked_by.startswith("random-start/")
    ben.close()


def test_a_first_sitting_with_nothing_to_learn_from_opens_without_features(tmp_path):
    from reviewkit.ranking.ranker import Ranker
    from reviewkit.screening.live_features import prepared_ranker

    project, acne = _project(tmp_path)
    live_features._FEATURES.clear()           # as in a new process
    s = ScreenSession(project, open_store(project.store_path), "ana")
    assert s.ranked_by.startswith("random-start/")
    assert not live_features._FEATURES        # nothing computed here: the seeded start
    assert not list((project.cache_dir / "ranking").glob("features-*.npz"))
    store = open_store(project.store_path)
    units = Screening(project, store).eligible(STAGE)
    full = prepared_ranker(project, store, units).order({})  # the same start, with features
    assert s.order == full.order and s.ranked_by == full.model_version
    assert Ranker(random_state=1).prepare_ids(units).order({}).order != full.order  # seeded
    live_features._FEATURES.clear()
    for f in (project.cache_dir / "ranking").glob("features-*.npz"):
        f.unlink()
    s.go_live()                               # the worker computes and caches them
    seen: set[str] = set()
    while not (seen & acne and seen - acne):
        seen.add(s.current())
        s.decide("include" if s.current() in acne else "exclude")
    assert s.live.wait(120) and not s.live.error and s.refresh()
    assert s.ranked_by.startswith("svm/")
    assert len(list((project.cache_dir / "ranking").glob("features-*.npz"))) == 1
    s.close()


def test_a_missing_torn_or_foreign_kept_ranking_means_rank_now(tmp_path):
    project, acne = _project(tmp_path)
    path = queue_file(project, STAGE, "ana")
    for text in (None, '{"format": 1, "version": "svm/x", "ids": [', '{"format": 9, '
                 '"version": "svm/x", "ids": []}', '{"format": 1, "version": "", "ids": []}',
                 '{"format": 1, "version": "v", "ids": [1, 2]}', "[]"):
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        assert saved_queue(project, STAGE, "ana") is None, text
        s = ScreenSession(project, open_store(project.store_path), "ana")
        assert s.ranked_by.startswith("random-start/"), text  # ranked now: nothing settled
        s.close()
    # units imported since the ranking was kept are not hidden: they follow it
    units = Screening(project, open_store(project.store_path)).eligible(STAGE)
    save_queue(path, units[:5], "svm/kept")
    s = ScreenSession(project, open_store(project.store_path), "ana")
    assert s.ranked_by == "svm/kept" and s.order[:5] == units[:5]
    assert sorted(s.order) == sorted(units)
    s.close()


def test_a_worker_that_cannot_rank_says_so_and_the_screener_shows_it(tmp_path):
    queue = LiveQueue(LiveStart(["a", "b"], 0, root=str(tmp_path / "nowhere")), {}, {}, 2)
    assert queue.wait(60)
    assert queue.error.startswith("the ranking could not start")
    assert not queue.ranking_busy()
    queue.close(5)

    project, acne = _project(tmp_path)
    _, version = _first_sitting(project, acne)
    s = ScreenSession(project, open_store(project.store_path), "ana")
    live_features._FEATURES.clear()
    kept_store = project.store_path.rename(tmp_path / "store.sqlite")
    s.go_live()                               # the cache deleted under the screener
    assert s.live.wait(60) and "is gone" in s.live.error
    assert not project.store_path.exists()    # the worker made no empty store
    s.close()
    kept_store.rename(project.store_path)

    s = ScreenSession(project, open_store(project.store_path), "ana")
    assert s.ranked_by == version             # opened on the kept ranking
    shutil.move(project.root, tmp_path / "moved")  # the worker will not find the project
    s.go_live()
    assert s.live.wait(60) and s.live.error
    assert s.stopping_text() == "not learning: worker stopped"
    s.close()
