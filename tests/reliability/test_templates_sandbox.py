"""A project's own templates are data, not code: they render in Jinja's immutable sandbox,
read only files inside the project's templates/ folder, and a template that reaches for
more fails with one line naming the template file; the project is left unchanged."""

from __future__ import annotations

import shutil

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.reporting.outputs import Table, render_text, write_table
from reviewkit.reporting.report import build_report, render_report
from reviewkit.reporting.report.docx import render_docx

MD = "templates/report/report.md.j2"
ESCAPES = {
    "globals": "{{ cycler.__init__.__globals__.os.popen('touch PWNED_PATH').read() }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "lipsum": "{{ lipsum.__globals__['os'].popen('touch PWNED_PATH') }}",
    "os": "{{ os.popen('touch PWNED_PATH').read() }}",
    "import": "{% import 'os' as os %}{{ os.popen('touch PWNED_PATH') }}",
    "mutate": "{% set x = r.notes.append('touch PWNED_PATH') %}",
    "huge": "{{ 'x' * 10**9 }}",
    "range": "{% for i in range(10**7) %}{% endfor %}",
    "crash": "{{ 1 // 0 }}",
    "syntax": "{% for %}",
}


@pytest.fixture
def project(tmp_path):
    project, store = new_project(tmp_path, ("medline", 10))
    store.close()
    return project


def write(project, rel: str, text: str):
    path = project.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def report_md(project) -> str:
    from reviewkit.store import open_store

    store = open_store(project.store_path)
    try:
        return render_report(build_report(project, store), "md", project.root)
    finally:
        store.close()


def escape(kind: str, project) -> str:
    """The template, its command aimed at an absolute path (a shell would run it in the
    current folder, not in the project)."""
    return ESCAPES[kind].replace("PWNED_PATH", str(project.root / "PWNED"))


@pytest.mark.parametrize("kind", sorted(ESCAPES))
def test_template_reaching_out_fails_naming_its_file(project, kind):
    write(project, MD, "# {{ r.title }}\n" + escape(kind, project) + "\n")
    with pytest.raises(ReviewkitError) as err:
        report_md(project)
    assert str(err.value).startswith(f"{MD}:")  # the file and the line
    assert "\n" not in str(err.value)
    assert not (project.root / "PWNED").exists()


def test_format_strings_cannot_reach_attributes(project):
    write(project, MD, "{{ '{0.__class__} {0.__init__}'.format(r) }}|{{ r.title }}\n")
    assert report_md(project) == " |Test review\n"  # the sandbox's formatter hid both


def error_lines(stderr: str) -> list[str]:
    """reviewkit's own lines (Graphviz and fontconfig may warn on stderr too)."""
    return [line for line in stderr.splitlines() if line.startswith(("error:", "Traceback"))]


def test_cli_report_refuses_a_template_that_runs_a_command(project):
    write(project, MD, escape("globals", project) + "\n")
    before = snapshot(project.root)
    out = run_cli("report", cwd=project.root)
    assert out.returncode == 2
    [line] = error_lines(out.stderr)
    assert line.startswith(f"error: {MD}:1: template refused: ") and "unsafe" in line
    assert not (project.root / "PWNED").exists()
    assert snapshot(project.root) == before  # no report folder, nothing else written


def test_cli_report_uses_a_harmless_team_template(project):
    write(project, MD, "# Ours: {{ r.title | md_text }}\n{% include 'report/part.md.j2' %}\n")
    write(project, "templates/report/part.md.j2", "{{ table(r.searches) }}")
    out = run_cli("report", cwd=project.root)
    assert out.returncode == 0, out.stderr
    text = (project.root / "report" / "report.md").read_text("utf-8")
    assert text.startswith("# Ours: Test review\n") and "| Medline |" in text


@pytest.mark.parametrize("name", ["../reviewkit.toml", "../../secret.txt", "/etc/passwd",
                                  "report/../../reviewkit.toml", "//etc/passwd"])
def test_include_cannot_leave_the_templates_folder(project, name):
    (project.root.parent / "secret.txt").write_text("SECRET", "utf-8")
    write(project, MD, "{% include '" + name + "' %}\n")
    with pytest.raises(ReviewkitError) as err:
        report_md(project)
    assert str(err.value).startswith(f"{MD}:1: ") and "no template" in str(err.value)


@pytest.mark.parametrize("name", ["../reviewkit.toml"])  # absolute names: the test above
def test_cli_include_outside_is_one_line_and_changes_nothing(project, name):
    write(project, MD, "{% include '" + name + "' %}\n")
    before = snapshot(project.root)
    out = run_cli("report", cwd=project.root)
    assert out.returncode == 2
    [line] = error_lines(out.stderr)
    assert line == f"error: {MD}:1: template refused: no template {name!r} in the templates folder"
    assert "root:" not in out.stdout + out.stderr and "[review]" not in out.stderr
    assert snapshot(project.root) == before


def test_a_symlink_out_of_the_templates_folder_is_refused(project):
    secret = project.root.parent / "secret.txt"
    secret.write_text("SECRET {{ r.title }}", "utf-8")
    link = project.root / MD
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    with pytest.raises(ReviewkitError) as err:
        report_md(project)
    assert str(err.value).startswith(MD) and "outside the templates folder" in str(err.value)


def test_a_symlinked_templates_folder_is_refused(project):
    elsewhere = project.root.parent / "elsewhere"
    (elsewhere / "report").mkdir(parents=True)
    (elsewhere / "report" / "report.md.j2").write_text("SECRET", "utf-8")
    shutil.rmtree(project.root / "templates", ignore_errors=True)
    (project.root / "templates").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ReviewkitError) as err:
        report_md(project)
    assert "outside the templates folder" in str(err.value)


def test_a_word_base_document_reached_by_a_symlink_is_refused(project):
    from reviewkit.store import open_store

    secret = project.root.parent / "secret.docx"
    secret.write_bytes(b"not a word file")
    link = project.root / "templates" / "report" / "report.docx"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    store = open_store(project.store_path)
    report = build_report(project, store)
    store.close()
    with pytest.raises(ReviewkitError, match="outside the templates folder"):
        render_docx(report, project.root)
    link.unlink()
    link.write_bytes(b"not a word file either")
    with pytest.raises(ReviewkitError, match="not a Word file"):
        render_docx(report, project.root)


def test_a_word_table_base_reached_by_a_symlink_is_refused(project, tmp_path):
    secret = project.root.parent / "secret.docx"
    secret.write_bytes(b"not a word file")
    link = project.root / "templates" / "tables" / "table.docx"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    table = Table("t", "T", [("a", "A")], [{"a": 1}])
    with pytest.raises(ReviewkitError, match="^templates/tables/table.docx: refused"):
        write_table(table, "docx", tmp_path / "t.docx", project.root)
    assert not (tmp_path / "t.docx").exists()


def test_table_templates_are_sandboxed_too(project):
    write(project, "templates/tables/table.md.j2", escape("subclasses", project))
    table = Table("t", "T", [("a", "A")], [{"a": 1}])
    with pytest.raises(ReviewkitError) as err:
        render_text(table, "md", project.root)
    assert str(err.value).startswith("templates/tables/table.md.j2:1: ")
    assert render_text(table, "md").startswith("**T**")  # the package's own still works
