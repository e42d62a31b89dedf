"""synthesis/sources.toml: the texts to code, kept verbatim under synthesis/sources/.

A source is copied once, its sha256 recorded; offsets of coded segments point
into its text, so `check_sources` reports a file that changed since it was added.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.atomic import write_bytes_atomic, write_text_atomic
from reviewkit.project.config import Project
from reviewkit.records.studies import load_studies

SOURCES = "synthesis/sources.toml"
SOURCE_DIR = "synthesis/sources"
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
SUFFIXES = (".txt", ".md", ".docx", ".pdf")
FIELDS = ("id", "study", "report", "file", "sha256", "title")
PAGE_FIELDS = ("page_starts", "page_labels")  # a PDF's pages: where each starts, its label


@dataclass(frozen=True)
class Source:
    id: str
    study: str
    file: str  # POSIX path from the project root
    sha256: str
    report: str = ""
    title: str = ""
    line: int | None = None
    page_starts: tuple[int, ...] = ()  # offset where each page of a PDF starts
    page_labels: tuple[str, ...] = ()  # the page number printed on it (PDF page labels)
    study_line: int | None = None  # where ``study =`` is written, for an unknown study


def sources_path(project: Project) -> Path:
    return project.root / SOURCES


def load_sources(project: Project) -> list[Source]:
    """The sources in file order; none when sources.toml does not exist yet."""
    path = sources_path(project)
    if not path.exists():
        return []
    data, text = tomlfile.load(path)
    return _parse(data, text, project)


_HEAD = re.compile(r"^[ \t]*\[\[[ \t]*source[ \t]*\]\]")


def _parse(data: dict, text: str, project: Project) -> list[Source]:
    starts = [text.count("\n", 0, m.start()) + 1
              for m in re.finditer(_HEAD.pattern, text, re.M)]
    extra = set(data) - {"source"}
    if extra:
        raise ReviewkitError("unknown table (expected [[source]] only)", file=SOURCES,
                             line=tomlfile.line_of(text, sorted(extra)[0]))
    out: list[Source] = []
    seen: set[str] = set()
    raw = data.get("source", [])
    if not isinstance(raw, list):
        raise ReviewkitError("expected [[source]] tables", file=SOURCES)
    for i, item in enumerate(raw):
        line = starts[i] if i < len(starts) else None

        def fail(msg: str, key: str | None = None, _line: int | None = line,
                 _nth: int = i) -> ReviewkitError:
            at = tomlfile.table_line(text, _HEAD, key, _nth) if key else None
            return ReviewkitError(msg, file=SOURCES, line=at or _line, field=key)

        for key, value in item.items():
            if key in PAGE_FIELDS:
                continue
            if key not in FIELDS:
                raise fail("unknown field (check the spelling)", key)
            if not isinstance(value, str):
                raise fail("must be text", key)
        starts_, labels = _pages(item, fail)
        for key in ("id", "study", "file", "sha256"):
            if not item.get(key):
                raise fail("required field is missing", key)
        if not SOURCE_ID.match(item["id"]):
            raise fail("source ids use lower-case letters, digits, '-', '_' or '.'", "id")
        if item["id"] in seen:
            raise fail(f"source id {item['id']!r} is listed twice", "id")
        seen.add(item["id"])
        _inside(project, item["file"], line)
        out.append(Source(item["id"], item["study"], item["file"], item["sha256"],
                          item.get("report", ""), item.get("title", ""), line,
                          starts_, labels, tomlfile.table_line(text, _HEAD, "study", i)))
    return out


def _pages(item: dict, fail) -> tuple[tuple[int, ...], tuple[str, ...]]:
    starts = item.get("page_starts", [])
    labels = item.get("page_labels", [])
    if not isinstance(starts, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in starts):
        raise fail("must be a list of whole numbers", "page_starts")
    if starts != sorted(starts) or (starts and starts[0] != 0):
        raise fail("page starts rise from 0", "page_starts")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise fail("must be a list of texts", "page_labels")
    if len(labels) != len(starts):
        raise fail(f"{len(labels)} page labels for {len(starts)} page starts", "page_labels")
    return tuple(starts), tuple(labels)


def page_at(source: Source, offset: int) -> str:
    """The page (its printed label) that ``offset`` of a PDF source's text is on;
    '' for a source that is not from a PDF."""
    if not source.page_starts:
        return ""
    k = bisect_right(source.page_starts, max(offset, 0)) - 1
    return source.page_labels[k]


def _inside(project: Project, rel: str, line: int | None) -> Path:
    root = project.root.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or Path(rel).is_absolute():
        raise ReviewkitError(f"file {rel!r} is outside the project", file=SOURCES, line=line,
                             field="file")
    return path


def source_text(project: Project, source: Source) -> str:
    """The text offsets index: UTF-8, with '\\r\\n' read as '\\n'."""
    path = _inside(project, source.file, source.line)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReviewkitError(f"cannot read source {source.id!r}: {exc.strerror}",
                             file=source.file) from None
    return decode(data, source.file)


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ReviewkitError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                             file=name) from None


def get_source(project: Project, source_id: str) -> Source:
    for s in load_sources(project):
        if s.id == source_id:
            return s
    raise ReviewkitError(f"source {source_id!r} is not in {SOURCES}", field="source")


def add_source(project: Project, file: Path, study: str, id: str | None = None,
               report: str = "", title: str = "", pages: str = "") -> Source:
    """Copy ``file`` into synthesis/sources/ and record it (both or neither).

    A .docx or .pdf is stored as the .txt of its text; a PDF's page starts and
    labels are recorded (``pages``: "3-7" or "5" takes those pages only)."""
    file = Path(file)
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReviewkitError(f"cannot add a {suffix or 'suffix-less'} file; expected "
                             f"{', '.join(SUFFIXES)}", file=str(file))
    if file.is_dir():
        raise ReviewkitError("is a folder, not a text file", file=str(file))
    if not file.is_file():
        raise ReviewkitError("no such file", file=str(file))
    studies = {s.id: s for s in load_studies(project)}
    if study not in studies:
        hint = ", ".join(list(studies)[:8]) or "none yet: list included studies in studies.toml"
        raise ReviewkitError(f"study {study!r} is not in studies.toml (known: {hint})",
                             field="study")
    if report and report not in studies[study].reports:
        raise ReviewkitError(f"report {report!r} is not a report of study {study!r} in "
                             "studies.toml", field="report")
    sid = id or re.sub(r"[^a-z0-9_.-]+", "-", file.stem.lower()).strip("-.")
    if not SOURCE_ID.match(sid or ""):
        raise ReviewkitError(f"source id {sid!r}: use lower-case letters, digits, '-', '_' "
                             "or '.' (pass --id)", field="id")
    existing = load_sources(project)
    if any(s.id == sid for s in existing):
        raise ReviewkitError(f"source {sid!r} is already in {SOURCES}", field="id")
    if pages and suffix != ".pdf":
        raise ReviewkitError("--pages is for a PDF only", field="pages")
    starts: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    if suffix == ".docx":
        data = docx_text(file).encode("utf-8")
        suffix = ".txt"
    elif suffix == ".pdf":
        from reviewkit.synthesis.pdf import pdf_text

        text, starts, labels = pdf_text(file, pages)
        data = text.encode("utf-8")
        suffix = ".txt"
    else:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ReviewkitError(f"cannot read the file ({exc.strerror})",
                                 file=str(file)) from None
        decode(data, str(file))  # refuse what offsets could not index
    if not data.strip():
        raise ReviewkitError("the file holds no text to code", file=str(file))
    sha = hashlib.sha256(data).hexdigest()
    twin = next((s for s in existing if s.sha256 == sha), None)
    if twin is not None:  # the same words twice would count twice in every output
        raise ReviewkitError(f"this text is already source {twin.id!r} (study {twin.study}, "
                             f"{twin.file}); a source is added once", file=str(file))
    rel = f"{SOURCE_DIR}/{sid}{suffix}"
    dest = project.root / rel
    if dest.exists():
        raise ReviewkitError(f"{rel} exists but is not in {SOURCES}: move it away first",
                             file=rel)
    source = Source(sid, study, rel, sha, report,
                    title or file.stem, None, starts, labels)
    path = sources_path(project)
    text = path.read_text("utf-8-sig") if path.exists() else ""
    doc = tomlkit.parse(text)
    entry = tomlkit.table()
    for key in FIELDS:
        entry[key] = getattr(source, key)
    if starts:
        entry["page_starts"] = list(starts)
        entry["page_labels"] = list(labels)
    if "source" not in doc:
        doc["source"] = tomlkit.aot()
    doc["source"].append(entry)
    write_bytes_atomic(dest, data)
    try:
        write_text_atomic(path, tomlkit.dumps(doc))
    except BaseException:
        dest.unlink(missing_ok=True)  # no file without its entry
        raise
    return source


def docx_text(file: Path) -> str:
    """The paragraphs of a .docx, one a line."""
    import docx

    try:
        document = docx.Document(str(file))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise ReviewkitError(f"cannot read as .docx: {exc}", file=str(file)) from None
    return "\n".join(p.text for p in document.paragraphs) + "\n"


@dataclass(frozen=True)
class SourceProblem:
    source: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: source {self.source!r} {self.message}"


def check_sources(project: Project) -> list[SourceProblem]:
    """Sources whose file is missing or changed since it was added (sha256 differs)."""
    out = []
    for s in load_sources(project):
        path = _inside(project, s.file, s.line)
        if not path.is_file():
            out.append(SourceProblem(s.id, s.file, "is missing"))
        elif hashlib.sha256(path.read_bytes()).hexdigest() != s.sha256:
            out.append(SourceProblem(s.id, s.file, "changed since it was added (sha256 "
                                     "differs): coded segments are re-anchored on its text"))
    return out
