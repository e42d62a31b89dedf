"""A UTF-8 export with one byte in another encoding (a line pasted from a Windows
program, two exports concatenated) cannot be decoded as UTF-8, so it is read as CP1252
whole, and every accented name in it turns to mojibake ('Rodríguez' -> 'RodrÃ­guez').
Reading it differently would move the content ids of its records, so the import says so,
naming the file and the line of the byte, and the person can mend the file."""

from __future__ import annotations

from helpers import new_project, run_cli
from reviewkit.io import parse_bytes

from conftest import export_file

ASP = "ris/ebsco-academicsearchpremier_synthesisr.ris"


def _mixed(tmp_path):
    data = export_file(ASP).read_bytes()
    assert "Rodríguez".encode() in data  # UTF-8 names in the real export
    at = data.index(b"\r\nER  - ", data.index(b"TY  - ", 10)) + 2  # the 2nd record's end
    line = data[:at].count(b"\n") + 1
    mixed = data[:at] + b"N1  - Note typed in Notepad: caf\xe9\r\n" + data[at:]
    path = tmp_path / "asp-mixed.ris"
    path.write_bytes(mixed)
    return path, line


def test_a_stray_cp1252_byte_in_a_utf8_file_is_named_with_its_line(tmp_path):
    path, line = _mixed(tmp_path)
    pf = parse_bytes(path.read_bytes(), str(path))
    assert len(pf.records) == 4 and pf.encoding in ("cp1252", "latin-1")
    assert "RodrÃ­guez" in pf.records[0].authors[0]  # what the person must be told of
    found = [w for w in pf.warnings if "UTF-8" in w]
    assert len(found) == 1
    assert found[0].startswith(f"{path}:{line}: ")
    assert "0xE9" in found[0] and "\n" not in found[0]


def test_a_file_wholly_in_cp1252_reads_without_that_warning(tmp_path):
    text = "TY  - JOUR\r\nTI  - Caf\xe9 culture\r\nAU  - M\xfcller, A.\r\nER  - \r\n"
    pf = parse_bytes(text.encode("cp1252"), "cp.ris")
    assert pf.encoding == "cp1252" and pf.records[0].title == "Café culture"
    assert pf.warnings == []


def test_the_import_command_prints_it_and_still_imports(tmp_path):
    path, line = _mixed(tmp_path)
    project, store = new_project(tmp_path)
    store.close()
    res = run_cli("import", str(path), cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert f"{path}:{line}: " in res.stderr and "UTF-8" in res.stderr
    assert "4 new records" in res.stdout
