"""studies.toml saved with a UTF-8 byte order mark (Notepad and some editors add one):
`studies add`, `link` and `unlink` keep it, and every other byte of the file; a file
without one is written without one."""

from __future__ import annotations

import codecs

import pytest

from fulltext_support import project_with_decisions
from helpers import run_cli

HAND = ("# Included studies, kept by hand: Zoë's notes stay\n\n"
        '[[study]]\nid = "hand-2001"\ncitation = "Hand A (2001) Kept by hand"\n')


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, b""])
def test_add_link_and_unlink_keep_what_the_editor_wrote(tmp_path, bom):
    project, store, units = project_with_decisions(tmp_path)  # units[:3] included at FT
    store.close()
    path = project.root / "studies.toml"
    path.write_bytes(bom + HAND.encode("utf-8"))
    root = project.root
    for args in (("add", "smith-2019", "--report", units[0]), ("link", "smith-2019", units[1]),
                 ("unlink", "smith-2019", units[1])):
        r = run_cli("studies", *args, cwd=root)
        assert r.returncode == 0, (args, r.stderr)
        data = path.read_bytes()
        assert data.startswith(bom + HAND.encode("utf-8")), (args, data[:40])
        assert data.count(codecs.BOM_UTF8) == len(bom) // 3, args  # one, never two
        assert "smith-2019" in data.decode("utf-8-sig")
    r = run_cli("studies", "list", "--format", "json", cwd=root)
    assert r.returncode == 0 and '"hand-2001"' in r.stdout and '"smith-2019"' in r.stdout


def test_windows_line_ends_are_kept(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    store.close()
    path = project.root / "studies.toml"
    path.write_bytes(codecs.BOM_UTF8 + HAND.replace("\n", "\r\n").encode("utf-8"))
    for args in (("add", "smith-2019", "--report", units[0]), ("link", "smith-2019", units[1])):
        r = run_cli("studies", *args, cwd=project.root)
        assert r.returncode == 0, (args, r.stderr)
        data = path.read_bytes()
        assert data.startswith(codecs.BOM_UTF8 + HAND.replace("\n", "\r\n").encode("utf-8"))
        assert data.count(b"\n") == data.count(b"\r\n") > HAND.count("\n"), data
