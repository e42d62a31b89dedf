"""A mistyped tag line in a tagged export is kept as text, and reported by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewkit.io import read_file
from reviewkit.io.tagline import LIMIT

from conftest import export_file


def edited(tmp_path: Path, relative: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of a real export with the first line starting ``old`` re-typed; its line."""
    lines = export_file(relative).read_bytes().decode("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[number] = new + lines[number][len(old):]
    path = tmp_path / Path(relative).name
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return path, number + 1


def raw_text(parsed) -> str:
    return "\n".join(v for rec in parsed.records for _, v in rec.raw)


@pytest.mark.parametrize("typed", ["TI - ", "ti  - ", "TI -  ", "TI- ", "Ti  - ", " TI  - "])
def test_ris_mistyped_title_line_is_reported_and_kept(tmp_path, typed):
    path, line = edited(tmp_path, "ris/scopus_synthesisr.ris", "TI  - Soil fauna", typed +
                        "Soil fauna")
    parsed = read_file(path)
    assert parsed.warnings == [
        f"{path}:{line}: this line looks like a TI tag but is not written 'XX  - value': "
        "kept as text of the field above; fix the line if a tag was meant"]
    assert parsed.records[0].title == ""
    assert "Soil fauna diversity at different stages" in raw_text(parsed)  # not lost
    assert len(parsed.records) == 3


def test_ris_dash_without_its_space_is_still_a_tag(tmp_path):
    path, _ = edited(tmp_path, "ris/scopus_synthesisr.ris", "TI  - Soil", "TI  -Soil")
    parsed = read_file(path)
    assert parsed.warnings == []
    assert parsed.records[0].title.startswith("Soil fauna diversity")


def test_ris_text_that_merely_has_a_dash_is_no_tag(tmp_path):
    # 'IL-6' and 'and - or' are prose in a continued abstract, not tags
    text = "TY  - JOUR\nTI  - A\nAB  - first\nIL-6 levels rose\nand - or\nER  - \n"
    path = tmp_path / "prose.ris"
    path.write_text(text, "utf-8")
    parsed = read_file(path)
    assert parsed.warnings == []
    assert parsed.records[0].abstract == "first IL-6 levels rose and - or"


def test_ris_mistyped_ty_line_reports_the_record_it_hides(tmp_path):
    text = export_file("ris/scopus_synthesisr.ris").read_text("utf-8")
    second = text.index("TY  - JOUR", 1)
    path = tmp_path / "scopus.ris"
    path.write_text(text[:second] + "TY - JOUR" + text[second + len("TY  - JOUR"):], "utf-8")
    ty_line = text.count("\n", 0, second) + 1
    parsed = read_file(path)
    assert len(parsed.records) == 2
    assert parsed.warnings[0].startswith(f"{path}:{ty_line}: this line looks like a TY tag")
    assert len(parsed.warnings) == 2
    assert "this 'ER  -' line ends no record" in parsed.warnings[1]
    # the hidden record's fields are not glued onto the record before it
    assert len([v for t, v in parsed.records[0].raw if t == "TI"]) == 1


def test_ris_warnings_stop_at_the_limit_and_say_how_many_more(tmp_path):
    body = "".join(f"TI - title {n}\n" for n in range(LIMIT + 10))
    path = tmp_path / "many.ris"
    path.write_text(f"TY  - JOUR\nAB  - x\n{body}ER  - \n", "utf-8")
    warnings = read_file(path).warnings
    assert len(warnings) == LIMIT + 1
    assert warnings[0].startswith(f"{path}:3: ")
    assert warnings[-1] == f"{path}: 10 more warnings like these not shown"


@pytest.mark.parametrize(("old", "typed"), [
    ("TI  - Differences", "TI - Differences"),
    ("PG  - 188", "pg  - 188"),
    ("DP  - 2017", "DP  -2017"),
])
def test_medline_mistyped_tag_line_is_reported(tmp_path, old, typed):
    path, line = edited(tmp_path, "medline-nbib/pubmed_synthesisr.txt", old, typed)
    parsed = read_file(path)
    tag = old[:2]
    assert parsed.warnings == [
        f"{path}:{line}: this line looks like a {tag} tag but is not written 'XXXX- value': "
        "kept as text of the field above; fix the line if a tag was meant"]
    assert old[6:] in raw_text(parsed)


def test_ovid_mistyped_and_unknown_tags_are_reported(tmp_path):
    relative = "ovid-tagged/ovid-embase-citavi-format_knh.ovd"
    path, line = edited(tmp_path, relative, "TI  - Quality", "TI - Quality")
    parsed = read_file(path)
    assert parsed.warnings == [
        f"{path}:{line}: this line looks like a TI tag but is not written 'XX  - value': "
        "kept as text of the field above; fix the line if a tag was meant"]
    assert parsed.records[0].title == ""
    path, line = edited(tmp_path, relative, "ST  - ", "QQ  - ")
    assert read_file(path).warnings == [
        f"{path}:{line}: 'QQ' is not a tag Ovid writes: the line is kept as text of the "
        "field above"]


def test_wos_lower_case_tag_is_reported_and_kept_as_text(tmp_path):
    relative = "wos-plaintext/wos-plaintext-with-ris-extension_rispy.ris"
    path, line = edited(tmp_path, relative, "TI Interactions", "ti Interactions")
    parsed = read_file(path)
    assert parsed.warnings == [
        f"{path}:{line}: this line looks like a TI tag but is not written 'XX value': "
        "kept as text of the field above; fix the line if a tag was meant"]
    assert parsed.records[0].title == ""
    assert "ti Interactions stabilizing" in raw_text(parsed)


def test_wos_unindented_prose_is_text_not_a_tag(tmp_path):
    # two lower-case letters and a space used to become a tag 'of', lost to every field
    text = export_file("wos-plaintext/wos-plaintext-with-ris-extension_rispy.ris").read_text(
        "utf-8")
    assert text.count("(B820)\n") == 1
    path = tmp_path / "wos.txt"
    path.write_text(text.replace("(B820)\n", "(B820)\nof the\n"), "utf-8")
    parsed = read_file(path)
    assert parsed.warnings == []
    assert parsed.records[0].title.endswith("its subunit (B820) of the")
    assert all(t != "of" for t, _ in parsed.records[0].raw)
