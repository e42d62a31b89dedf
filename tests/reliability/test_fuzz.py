"""Every reader, fed mutations of the real shared exports, returns records or one clear line.

The property, for each mutated file read with detection, with its own format
forced and with another format forced: ``read_file`` returns records, or
raises a ReviewkitError whose message is one line starting with the file's
path. Any other exception, an unclear message or a read slower than
TIMEOUT CPU seconds fails. Hypothesis is derandomized and keeps no database, so
CI runs the same inputs every time; bench/fuzz.py runs the same mutators
for as long as asked.
"""

from __future__ import annotations

import random
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from fuzz_mutators import MUTATORS, huge_line, mutate, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run_cli, snapshot
from reviewkit.io.detect import FORMATS

from conftest import export_file

# small real files per format: every quirk the MANIFEST lists for them is a seed
SEEDS = {
    "ris": ["ris/scopus_synthesisr.ris", "ris/apa-psycnet-psycinfo-anonymised_colrev.ris",
            "ris/ovid-cababstracts_synthesisr.ris", "ris/scopus-via-citavi_asreview.txt"],
    "medline": ["medline-nbib/pubmed_synthesisr.txt"],
    "wos": ["wos-plaintext/wos-plaintext-with-ris-extension_rispy.ris"],
    "ovid": ["ovid-tagged/ovid-embase-endnote-format_knh.cgi",
             "ovid-tagged/ovid-embase-citavi-format_knh.ovd"],
    "bibtex": ["bibtex/scopus_synthesisr.bib", "bibtex/wos-anonymised_colrev.bib"],
    "csv": ["csv/pubmed-anonymised_colrev.csv", "csv/embase-com_asreview.csv"],
    "endnote_xml": ["endnote-xml/endnote-small_reflib-endnotexml.xml"],
}
PER_FORMAT = 300  # 7 formats x 300 = 2,100 mutated inputs, each read three ways
# CPU seconds per read (CPU, not wall: a loaded CI machine must not fail a
# slow-but-finite read); the slowest input here, a 3 MB line read as BibTeX, takes ~3
TIMEOUT = 15.0


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    def alarm(signum, frame):
        raise Hang(f"read did not finish in {seconds} CPU seconds")

    old = signal.signal(signal.SIGVTALRM, alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, old)


def read_three_ways(path: Path, own: str, other: str) -> list[str]:
    """The outcome with detection, with the file's format and with another forced."""
    results = []
    for fmt in (None, own, other):
        with time_limit(TIMEOUT):
            results.append(outcome(path, fmt))
    return results


@pytest.mark.parametrize("own", sorted(SEEDS))
def test_mutated_exports_never_crash(own, tmp_path):
    seeds = [(rel, export_file(rel).read_bytes()) for rel in SEEDS[own]]
    pool = [data for _, data in seeds]
    results: list[str] = []

    @settings(max_examples=PER_FORMAT, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow], print_blob=True)
    @given(seed=st.sampled_from(seeds), rnd=st.randoms(use_true_random=False),
           other=st.sampled_from([f for f in FORMATS if f != own]))
    def run(seed: tuple[str, bytes], rnd: random.Random, other: str) -> None:
        rel, data = seed
        mutated, _ = mutate(data, rnd, pool)
        path = tmp_path / f"fuzz{Path(rel).suffix}"
        path.write_bytes(mutated)
        results.extend(read_three_ways(path, own, other))

    run()
    inputs = len(results) // 3
    assert inputs >= PER_FORMAT
    # the mutations reach the parsers: some inputs still read, some are refused
    assert results.count("clean") >= inputs // 20, results.count("clean")
    assert results.count("error") >= inputs // 20, results.count("error")


@pytest.mark.parametrize("own", sorted(SEEDS))
def test_a_line_of_megabytes_is_read_or_refused(own, tmp_path):
    data = export_file(SEEDS[own][0]).read_bytes()
    path = tmp_path / "huge.txt"
    path.write_bytes(huge_line(data, random.Random(own), size=3 << 20))
    assert path.stat().st_size > 3 << 20
    other = "csv" if own != "csv" else "ris"
    assert set(read_three_ways(path, own, other)) <= {"clean", "error"}


@pytest.mark.parametrize("name", sorted(MUTATORS))
def test_each_mutator_changes_real_files(name):
    # a mutator that returned its input would make the fuzz tests vacuous
    data = export_file("ris/scopus_synthesisr.ris").read_bytes()
    changed = sum(MUTATORS[name](data, random.Random(n)) != data for n in range(20))
    assert changed >= 15


# end to end through the real command: (seed file, mutator, random seed, exit status)
CLI_CASES = [
    ("ris/scopus_synthesisr.ris", "truncate", 1, 2),
    ("ris/scopus_synthesisr.ris", "line_endings", 2, 0),
    ("medline-nbib/pubmed_synthesisr.txt", "insert_nul", 3, 2),
    ("bibtex/scopus_synthesisr.bib", "flip_bytes", 5, 0),
    ("endnote-xml/endnote-small_reflib-endnotexml.xml", "truncate", 7, 2),
]


@pytest.fixture(scope="module")
def cli_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "review"
    done = run_cli("init", str(root), "--title", "Fuzz", cwd=root.parent)
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize(("rel", "name", "seed", "status"), CLI_CASES)
def test_import_of_a_mutated_export_exits_clean_or_with_one_line(cli_project, rel, name,
                                                                  seed, status):
    data = MUTATORS[name](export_file(rel).read_bytes(), random.Random(seed))
    src = cli_project.parent / f"{name}-{seed}{Path(rel).suffix}"
    src.write_bytes(data)
    before = snapshot(cli_project)
    done = run_cli("import", str(src), cwd=cli_project)
    assert "Traceback" not in done.stderr
    assert done.returncode == status, done.stderr
    if status == 2:
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {src}:"), done.stderr
        assert snapshot(cli_project) == before
    else:
        assert " records, " in done.stdout
        assert snapshot(cli_project) != before  # the export was kept in the project
