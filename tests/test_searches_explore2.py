"""The search log as a librarian fills it in: mistakes named, re-runs safe (found exploring)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.searches.log import get_search


def _add(project, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`reviewkit search add` with bytes on stdin (a pasted or piped strategy)."""
    return subprocess.run([sys.executable, "-m", "reviewkit", "search", "add", *args],
                          cwd=project.root, input=stdin, capture_output=True, timeout=120)


# A strategy saved by Word or Notepad in Windows-1252: curly quotes are bytes 0x93/0x94.
CP1252 = "1. exp budget/\n2. \u201cpersonal budget*\u201d.ti,ab.\n".encode("cp1252")


def test_a_strategy_piped_in_windows_1252_is_refused_in_one_line(tmp_path):
    project, _ = new_project(tmp_path)
    before = snapshot(project.root)
    r = _add(project, "--id", "medline", "--database", "Medline", "--strategy-file", "-",
             stdin=CP1252)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "stdin:2:" in err and "UTF-8" in err
    assert snapshot(project.root) == before


def test_a_strategy_file_in_windows_1252_names_its_line(tmp_path):
    project, _ = new_project(tmp_path)
    strategy = tmp_path / "strategy.txt"
    strategy.write_bytes(CP1252)
    r = run_cli("search", "add", "--id", "medline", "--database", "Medline",
                "--strategy-file", str(strategy), cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{strategy}:2:" in r.stderr and "UTF-8" in r.stderr


def test_a_utf8_strategy_on_stdin_is_kept_exactly(tmp_path):
    project, _ = new_project(tmp_path)
    text = "1. exp budget/\n2. \u201cpersonal budget*\u201d.ti,ab.\n"
    r = _add(project, "--id", "medline", "--database", "Medline", "--strategy-file", "-",
             stdin=text.encode("utf-8"))
    assert r.returncode == 0, r.stderr.decode()
    assert get_search(project, "medline").search_string == text


@pytest.mark.parametrize("option", ["--database", "--search-string", "--notes", "--platform"])
def test_non_utf8_bytes_in_an_argument_are_refused_naming_the_field(tmp_path, option):
    project, _ = new_project(tmp_path)
    before = snapshot(project.root)
    args = ["--id", "medline", "--database", "Medline", option]
    # argv bytes that are not UTF-8 reach Python as lone surrogates
    r = subprocess.run([sys.executable, "-m", "reviewkit", "search", "add", *args,
                        b"budget \x93x\x94".decode("utf-8", "surrogateescape")],
                       cwd=project.root, capture_output=True, timeout=120)
    err = r.stderr.decode()
    assert r.returncode == 2 and "Traceback" not in err, err
    assert option.lstrip("-").replace("-", "_") in err and "UTF-8" in err
    assert snapshot(project.root) == before


def test_make_search_refuses_a_lone_surrogate():
    from reviewkit.searches.log import make_search

    with pytest.raises(ReviewkitError) as exc:
        make_search(id="m", database="M", files=["searches/exports/a\udc93.ris"])
    assert exc.value.field.startswith("files")


@pytest.mark.parametrize("value", ["true", "false", '"1270"', '"1,270"'])
def test_a_hit_count_that_is_not_a_whole_number_is_refused_at_its_line(tmp_path, value):
    project, _ = new_project(tmp_path)
    path = project.searches_dir / "medline.toml"
    path.write_text(f'database = "Medline"\n# from the Ovid history\nhits = {value}\n')
    with pytest.raises(ReviewkitError) as exc:
        get_search(project, "medline")
    assert exc.value.line == 3 and exc.value.field == "hits"


def test_a_whole_hit_count_still_reads(tmp_path):
    project, _ = new_project(tmp_path)
    (project.searches_dir / "medline.toml").write_text('database = "Medline"\nhits = 1_270\n')
    assert get_search(project, "medline").hits == 1270


TWO = ("TY  - JOUR\nTI  - A budget study\nti - Smith, J\nPY  - 2015\nER  - \n\n"
       "TY  - JOUR\nTI  - Second budget study\nPY  - 2016\nER  - \n")


def test_search_add_with_its_export_says_the_hits_do_not_match_and_what_the_reader_saw(
        tmp_path):
    project, _ = new_project(tmp_path)
    export = tmp_path / "medline.ris"
    export.write_text(TWO)
    r = run_cli("search", "add", "--id", "medline", "--database", "Medline", "--hits", "5",
                "--file", str(export), cwd=project.root)
    assert r.returncode == 0, r.stderr
    # the same mismatch `import` and `search list` warn about, not hidden at the first add
    assert "medline: the database reported 5 hits but the export files hold 2" in r.stderr
    assert f"{export}:3: this line looks like a TI tag" in r.stderr  # the reader's warning
    listed = run_cli("search", "list", cwd=project.root)
    assert "reported 5 hits" in listed.stderr


def test_search_add_whose_hits_match_warns_nothing(tmp_path):
    project, _ = new_project(tmp_path)
    export = tmp_path / "medline.ris"
    export.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    r = run_cli("search", "add", "--id", "medline", "--database", "Medline", "--hits", "2",
                "--file", str(export), cwd=project.root)
    assert r.returncode == 0 and r.stderr == "", r.stderr


MEDLINE = ["search", "add", "--id", "medline", "--database", "Medline", "--platform", "Ovid",
           "--date-run", "2018-03", "--hits", "2", "--search-string", "1. exp budget/\n2. 1"]


def test_running_the_same_search_add_again_changes_nothing_and_succeeds(tmp_path):
    project, store = new_project(tmp_path)
    export = tmp_path / "medline.ris"
    export.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    first = run_cli(*MEDLINE, "--file", str(export), cwd=project.root)
    assert first.returncode == 0, first.stderr
    before = snapshot(project.root)
    again = run_cli(*MEDLINE, "--file", str(export), cwd=project.root)
    assert again.returncode == 0, again.stderr
    assert "already logged" in again.stdout and "0 new records" in again.stdout
    assert snapshot(project.root) == before  # no second copy of the export, same log
    assert store.count_records() == 2


def test_the_same_search_add_again_with_a_new_export_logs_that_file_too(tmp_path):
    project, store = new_project(tmp_path)
    first, second = tmp_path / "part1.ris", tmp_path / "part2.ris"
    first.write_text(TWO.split("\n\n")[1])
    second.write_text(TWO.split("\n\n")[0].replace("ti - Smith", "AU  - Smith") + "\n")
    assert run_cli(*MEDLINE, "--file", str(first), cwd=project.root).returncode == 0
    r = run_cli(*MEDLINE, "--file", str(second), cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert get_search(project, "medline").files == ["searches/exports/part1.ris",
                                                    "searches/exports/part2.ris"]
    assert r.stderr == ""  # 2 hits, 2 records: now they match


@pytest.mark.parametrize(("option", "value", "named"), [
    ("--hits", "3", "hits (logged 2, given 3)"),
    ("--date-run", "2019-01", "date_run (logged '2018-03', given '2019-01')"),
])
def test_search_add_again_with_other_details_names_what_differs(tmp_path, option, value,
                                                                named):
    project, _ = new_project(tmp_path)
    assert run_cli(*MEDLINE, cwd=project.root).returncode == 0
    before = snapshot(project.root)
    args = list(MEDLINE)
    args[args.index(option) + 1] = value
    r = run_cli(*args, cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert named in r.stderr and "medline.toml" in r.stderr
    assert snapshot(project.root) == before


@pytest.mark.parametrize("options", [["--search", "nosuch"], ["--search", "medline"],
                                     ["--format", "csv"], ["--columns", "title=Title"]])
def test_import_with_search_or_format_but_no_file_is_refused_not_ignored(tmp_path, options):
    project, _ = new_project(tmp_path, ("medline", None))
    before = snapshot(project.root)
    r = run_cli("import", *options, cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr, (r.stdout, r.stderr)
    assert options[0] in r.stderr and "no export file" in r.stderr
    assert snapshot(project.root) == before


def test_import_with_no_file_and_no_option_still_reads_what_the_log_names(tmp_path):
    project, store = new_project(tmp_path, ("medline", 2))
    (project.exports_dir / "m.ris").write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    (project.searches_dir / "medline.toml").write_text(
        'database = "Medline"\nhits = 2\nfiles = ["searches/exports/m.ris"]\n')
    r = run_cli("import", cwd=project.root)
    assert r.returncode == 0 and "2 new records" in r.stdout, r.stderr


@pytest.mark.parametrize("where", ["searches/exports/2019/embase.ris",
                                   "searches/exports/.embase.ris"])
def test_an_unlogged_import_from_where_no_refresh_looks_is_refused_not_dropped(tmp_path, where):
    project, store = new_project(tmp_path)
    path = project.root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    before = snapshot(project.root)
    r = run_cli("import", where, cwd=project.root)
    # it said '2 records ... kept as an unlogged source', then '0 new records': never read
    assert r.returncode == 2 and "Traceback" not in r.stderr, (r.stdout, r.stderr)
    assert where in r.stderr and "--search" in r.stderr
    assert snapshot(project.root) == before


def test_a_file_in_a_subfolder_of_the_exports_imports_with_its_search(tmp_path):
    project, store = new_project(tmp_path, ("embase", 2))
    path = project.exports_dir / "2019" / "embase.ris"
    path.parent.mkdir(parents=True)
    path.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    r = run_cli("import", "--search", "embase", str(path), cwd=project.root)
    assert r.returncode == 0 and "2 new records" in r.stdout, r.stderr
    assert get_search(project, "embase").files == ["searches/exports/2019/embase.ris"]
    assert store.count_records() == 2


CSV = "Title,Abstract,Year\nA budget study,x,2015\nAnother budget study,y,2016\n"
COMMENTED = ('# From the Ovid history, saved by JT\ndatabase = "Scopus"\n'
             '# 12 on 2017-04-21, 2 exported\nhits = 2\n')


@pytest.mark.parametrize("extra", ["", '\n[columns]\ntitle = "Title"\n'])
def test_import_with_format_keeps_the_librarians_comments_in_the_search_file(tmp_path, extra):
    project, store = new_project(tmp_path)
    path = project.searches_dir / "scopus.toml"
    path.write_text(COMMENTED + extra)
    export = tmp_path / "scopus.csv"
    export.write_text(CSV)
    args = ["--format", "csv"] + ([] if extra else ["--columns", "title=Title,year=Year"])
    r = run_cli("import", "--search", "scopus", *args, str(export), cwd=project.root)
    assert r.returncode == 0, r.stderr
    text = path.read_text()
    for line in COMMENTED.splitlines():
        assert line in text  # nothing the librarian wrote is rewritten away
    search = get_search(project, "scopus")
    assert search.format == "csv" and search.files == ["searches/exports/scopus.csv"]
    assert search.columns == ({"title": "Title"} if extra else {"title": "Title",
                                                                "year": "Year"})
    assert store.count_records() == 2


@pytest.mark.parametrize(("content", "extra", "says"), [
    (b"", [], "empty"), (b"  \n\n", [], "empty"),
    (b"1. exp budget/\n", ["--search-string", "budget*"], "--search-string"),
])
def test_a_strategy_file_that_is_empty_or_competes_with_search_string_is_refused(
        tmp_path, content, extra, says):
    project, _ = new_project(tmp_path)
    strategy = tmp_path / "strategy.txt"
    strategy.write_bytes(content)
    before = snapshot(project.root)
    r = run_cli("search", "add", "--id", "medline", "--database", "Medline",
                "--strategy-file", str(strategy), *extra, cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert says in r.stderr and str(strategy) in r.stderr
    assert snapshot(project.root) == before


def test_a_search_id_that_is_an_unlogged_files_source_key_is_refused(tmp_path):
    from reviewkit.store.sync import unlogged_key

    project, _ = new_project(tmp_path)
    sid = unlogged_key(project.exports_dir / "embase.ris")  # what `import embase.ris` keys
    before = snapshot(project.root)
    r = run_cli("search", "add", "--id", sid, "--database", "Embase", cwd=project.root)
    assert r.returncode == 2 and "unlogged-" in r.stderr, r.stderr
    assert snapshot(project.root) == before


def test_a_hand_made_search_file_with_that_id_is_refused_when_loaded(tmp_path):
    from reviewkit.searches.log import load_searches

    project, store = new_project(tmp_path)
    export = tmp_path / "embase.ris"
    export.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    assert run_cli("import", str(export), cwd=project.root).returncode == 0
    (project.searches_dir / "unlogged-embase-ris.toml").write_text('database = "X"\n')
    # two sources with one key: the store kept one and the other's records vanished
    with pytest.raises(ReviewkitError) as exc:
        load_searches(project)
    assert "unlogged-embase-ris.toml" in str(exc.value)


def test_search_list_says_which_imported_records_no_search_accounts_for(tmp_path):
    project, _ = new_project(tmp_path, ("medline", 2))
    export = tmp_path / "embase.ris"
    export.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    assert run_cli("import", str(export), cwd=project.root).returncode == 0
    r = run_cli("search", "list", cwd=project.root)
    assert r.returncode == 0, r.stderr
    # the 2 records are in the project (and the PRISMA diagram) but in no listed search
    assert "searches/exports/embase.ris" in r.stderr and "2 records" in r.stderr
    logged = run_cli("import", "--search", "medline", str(export), cwd=project.root)
    assert logged.returncode == 0, logged.stderr
    assert "without a search" not in run_cli("search", "list", cwd=project.root).stderr


def test_search_list_names_the_prisma_s_items_a_search_leaves_blank(tmp_path):
    project, _ = new_project(tmp_path)
    full = ["--platform", "Ovid", "--date-run", "2018-03", "--hits", "0",
            "--search-string", "1. exp budget/"]
    for args in (["--id", "medline", "--database", "Medline", *full],
                 ["--id", "cinahl", "--database", "CINAHL", "--date-run", "2018-03"],
                 ["--id", "refs", "--database", "Reference lists", "--kind", "citation",
                  "--hits", "3"]):
        assert run_cli("search", "add", *args, cwd=project.root).returncode == 0
    err = run_cli("search", "list", cwd=project.root).stderr
    lines = {line.split(" is not logged")[0]: line for line in err.splitlines()}
    assert lines["warning: PRISMA-S item 1 (the platform or interface)"].endswith(
        "for: cinahl (the 'platform' line of searches/ID.toml)")
    assert "for: cinahl (" in lines["warning: PRISMA-S item 8 (the full search strategy)"]
    assert "for: refs (" in lines["warning: PRISMA-S item 13 (the date searched)"]
    assert "for: cinahl (" in lines["warning: PRISMA-S item 15 (the records found)"]
    assert "medline" not in err  # 0 hits is a count, not a blank


def test_a_complete_search_log_lists_without_a_prisma_s_warning(tmp_path):
    project, _ = new_project(tmp_path)
    r = run_cli("search", "add", "--id", "medline", "--database", "Medline", "--platform",
                "Ovid", "--date-run", "2018-03", "--hits", "0", "--search-string", "1. x/",
                cwd=project.root)
    assert r.returncode == 0
    assert "PRISMA-S" not in run_cli("search", "list", cwd=project.root).stderr


def test_an_export_with_a_hidden_name_is_copied_under_a_visible_one_and_read(tmp_path):
    project, store = new_project(tmp_path)
    export = tmp_path / ".embase.ris"  # a download saved with a leading dot
    export.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    r = run_cli("import", str(export), cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "searches/exports/embase.ris" in r.stdout and "2 new records" in r.stdout
    assert store.count_records() == 2


def test_import_after_a_file_left_the_log_says_so_instead_of_negative_new_records(tmp_path):
    project, store = new_project(tmp_path, ("medline", 4))
    first, second = tmp_path / "part1.ris", tmp_path / "part2.ris"
    first.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    second.write_text(TWO.replace("ti - Smith", "AU  - Jones").replace("study", "trial"))
    assert run_cli("import", "--search", "medline", str(first), str(second),
                   cwd=project.root).returncode == 0
    path = project.searches_dir / "medline.toml"
    path.write_text(path.read_text().replace(', "searches/exports/part2.ris"', ""))
    (project.exports_dir / "part2.ris").unlink()  # the librarian drops a wrong batch
    r = run_cli("import", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "-2" not in r.stdout and "0 new records" in r.stdout
    assert "searches/exports/part2.ris" in r.stderr and "2 records" in r.stderr


def test_import_of_a_renamed_export_reports_no_new_and_no_lost_records(tmp_path):
    project, store = new_project(tmp_path, ("medline", 2))
    export = tmp_path / "medline.ris"
    export.write_text(TWO.replace("ti - Smith", "AU  - Smith"))
    assert run_cli("import", "--search", "medline", str(export), cwd=project.root).returncode == 0
    (project.exports_dir / "medline.ris").rename(project.exports_dir / "medline-2018.ris")
    path = project.searches_dir / "medline.toml"
    path.write_text(path.read_text().replace("medline.ris", "medline-2018.ris"))
    r = run_cli("import", cwd=project.root)
    assert r.returncode == 0 and "0 new records" in r.stdout, r.stderr
    assert "no longer" not in r.stderr


def test_an_unknown_format_in_a_search_file_is_named_at_its_line(tmp_path):
    project, _ = new_project(tmp_path)
    (project.searches_dir / "scopus.toml").write_text('database = "Scopus"\nformat = "CSV "\n')
    r = run_cli("import", cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "scopus.toml:2: field 'format'" in r.stderr and "csv" in r.stderr


def test_an_unknown_column_field_in_a_search_file_is_named_at_its_line(tmp_path):
    project, _ = new_project(tmp_path)
    (project.exports_dir / "s.csv").write_text(CSV)
    (project.searches_dir / "scopus.toml").write_text(
        'database = "Scopus"\nformat = "csv"\nfiles = ["searches/exports/s.csv"]\n\n'
        '[columns]\ntitle = "Title"\nabstarct = "Abstract"\n')
    r = run_cli("import", cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    # the mistake is in the search file, not in the export the reader was reading
    assert "scopus.toml:7: field 'columns.abstarct'" in r.stderr and "abstract" in r.stderr
