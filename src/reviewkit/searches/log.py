"""Search log entries: read, validate (naming file and line), write."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PureWindowsPath
from typing import Literal

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from reviewkit.errors import ReviewkitError
from reviewkit.io.csv import FIELDS as CSV_FIELDS
from reviewkit.io.detect import FORMATS
from reviewkit.project import tomlfile
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project

# PRISMA 2020 separates databases/registers from "other methods".
Kind = Literal["database", "register", "website", "organisation", "citation",
               "handsearch", "contact", "other"]
OTHER_METHODS = ("website", "organisation", "citation", "handsearch", "contact", "other")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# the source key store/sync.py gives a file imported without a search: a search id
# starting so could share a key with one, and the store would keep only one of the two
_RESERVED = "unlogged-"
_RESERVED_MSG = ("search ids starting with 'unlogged-' are kept for files imported "
                 "without a search; choose another id")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# what a TOML literal string may not hold (a tab and line ends it may)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Search(BaseModel):
    """One search as a librarian reports it (PRISMA-S items 1-13)."""

    model_config = ConfigDict(extra="forbid")
    id: str = ""  # from the file name, never written in the file
    kind: Kind = "database"
    database: str
    platform: str = ""
    date_run: str = ""
    coverage: str = ""
    search_string: str = ""
    limits: str = ""
    # strict: TOML's true or "1270" is a typing slip, not a count; the bound is what TOML holds
    hits: StrictInt | None = Field(default=None, ge=0, le=2**63 - 1)
    run_by: str = ""
    files: list[str] = Field(default_factory=list)
    notes: str = ""
    # how to read the files when detection is not enough (a generic CSV's columns)
    format: str = ""
    columns: dict[str, str] = Field(default_factory=dict)

    @field_validator("date_run", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        if isinstance(value, dt.datetime):
            value = value.date()  # a TOML datetime: the day is what PRISMA-S asks for
        if isinstance(value, dt.date):
            return value.isoformat()
        value = str(value or "")
        if value and not _real_date(value):
            # a custom error: the message reads without pydantic's "Value error, " prefix
            raise PydanticCustomError("date", "{value} is not a date: expected YYYY-MM-DD "
                                      "(or YYYY-MM, YYYY), e.g. 2017-04-21",
                                      {"value": repr(value)})
        first = dt.date(*[int(p) for p in value.split("-")] + [1] * (3 - value.count("-") - 1)
                        ) if value else None
        if first and first > dt.date.today() + dt.timedelta(days=1):  # a day's slack: time zones
            raise PydanticCustomError("date", "{value} is in the future: a search is logged "
                                      "once it has been run", {"value": repr(value)})
        return value

    @field_validator("kind", "database", "platform", "coverage", "search_string", "limits",
                     "run_by", "files", "notes", "format", "columns", mode="before")
    @classmethod
    def _utf8(cls, value: object) -> object:
        # bytes that are not UTF-8 (a Windows-1252 paste) reach argv as lone surrogates,
        # which no file can hold: refuse them here, not with a traceback at the write
        texts = value.items() if isinstance(value, dict) else \
            value if isinstance(value, list) else [value]
        for text in texts:
            for part in text if isinstance(text, tuple) else [text]:
                if isinstance(part, str) and _SURROGATE.search(part):
                    raise PydanticCustomError("utf8", "holds bytes that are not UTF-8 text "
                                              "(a Windows-1252 paste?); give it as UTF-8")
        return value

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        # named here, at the search file's line, not by the reader with no file to fix
        if value and value not in FORMATS:
            raise PydanticCustomError("format", "unknown format {value}; expected one of "
                                      + ", ".join(FORMATS), {"value": repr(value)})
        return value

    @field_validator("database")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("empty", "name the database or source searched, "
                                      "e.g. MEDLINE")
        return value

    @property
    def other_method(self) -> bool:
        return self.kind in OTHER_METHODS


def _real_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a day that exists (no 2024-02-30)."""
    if not _DATE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], *(parts[1:] + [1, 1])[:2])
    except ValueError:
        return False
    return True


def make_search(**fields: object) -> Search:
    """A Search from keyword fields (CLI input), with errors naming the field."""
    try:
        return Search.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ReviewkitError(err["msg"], field=".".join(str(p) for p in err["loc"])) from None


def search_path(project: Project, search_id: str) -> Path:
    return project.searches_dir / f"{search_id}.toml"


def read_search(path: Path) -> Search:
    data, text = tomlfile.load(path)
    if "id" in data:
        raise ReviewkitError("the id is the file name; remove the 'id' line", file=str(path),
                             line=tomlfile.line_of(text, "id"), field="id")
    try:
        search = Search.model_validate({**data, "id": path.stem})
    except ValidationError as exc:
        raise tomlfile.validation_error(exc, path, text) from None
    for key in search.columns:  # named at its line here, not at the export being read
        if key not in CSV_FIELDS:
            raise ReviewkitError(f"unknown record field; expected one of "
                                 f"{', '.join(CSV_FIELDS)}", file=str(path),
                                 line=tomlfile.line_of(text, key), field=f"columns.{key}")
    root = path.resolve().parent.parent  # searches/<id>.toml sits in the project root
    for name in search.files:
        if not name.strip():
            raise ReviewkitError("an empty export file name", file=str(path),
                                 line=tomlfile.line_of(text, "files"), field="files")
        if not _inside(root, name):
            raise ReviewkitError(f"export file {name!r} is outside the project folder; "
                                 "export files are named from the project root, e.g. "
                                 "searches/exports/medline.ris", file=str(path),
                                 line=_line_of_item(text, "files", name), field="files")
    return search


def _inside(root: Path, name: str) -> bool:
    if Path(name).is_absolute() or PureWindowsPath(name).drive:
        return False
    return (root / name).resolve().is_relative_to(root)


def _line_of_item(text: str, key: str, item: str) -> int | None:
    """The line holding ``item`` in a (possibly multi-line) array, else the key's line."""
    start = tomlfile.line_of(text, key)
    if start is None:
        return None
    for n, line in enumerate(text.splitlines()[start - 1:], start):
        if item in line:
            return n
    return start


def load_searches(project: Project) -> list[Search]:
    """Every logged search, sorted by id; the first invalid file raises."""
    out = []
    for path in sorted(project.searches_dir.glob("*.toml")):
        if not _ID.match(path.stem):
            raise ReviewkitError("search file names must be lower-case letters, digits, '-' "
                                 "or '_' (the name is the search id)", file=str(path))
        if path.stem.startswith(_RESERVED):
            raise ReviewkitError(_RESERVED_MSG + " (rename the file)", file=str(path))
        if not path.is_file():
            raise ReviewkitError("is a folder; a search is one .toml file", file=str(path))
        out.append(read_search(path))
    return out


def get_search(project: Project, search_id: str) -> Search:
    path = search_path(project, search_id)
    if not path.exists():
        known = ", ".join(s.id for s in load_searches(project)) or "none yet"
        raise ReviewkitError(f"no search with id {search_id!r} (known: {known}); "
                             "log it with 'reviewkit search add'")
    return read_search(path)


def add_search(project: Project, search: Search, overwrite: bool = False) -> Path:
    """Write a new search file; the search string is kept exactly, line for line."""
    if not _ID.match(search.id):
        raise ReviewkitError(f"search id {search.id!r}: use lower-case letters, digits, "
                             "'-' or '_'", field="id")
    if search.id.startswith(_RESERVED):
        raise ReviewkitError(_RESERVED_MSG, field="id")
    path = search_path(project, search.id)
    if path.exists() and not overwrite:
        raise ReviewkitError("a search with this id exists; edit the file or choose "
                             "another id", file=str(path))
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Search log entry '{search.id}' (PRISMA-S). Edit freely; "
                            "reviewkit validates it."))
    data = search.model_dump(exclude={"id"})
    for key, value in data.items():
        if value in ("", None, [], {}) and key != "database":
            continue
        if key == "search_string" or (isinstance(value, str) and "\n" in value):
            doc.add(key, _multiline(value))
        else:
            doc.add(key, value)
    _write_atomic(path, tomlkit.dumps(doc))
    return path


def add_files(project: Project, search_id: str, files: list[str],
              settings: dict | None = None) -> None:
    """Append export paths to a search's ``files`` list and add how to read them
    (``format``/``columns``, absent so far), keeping the librarian's comments."""
    path = search_path(project, search_id)
    doc = tomlkit.parse(path.read_text("utf-8-sig"))
    current = doc.get("files")
    if current is None:
        current = tomlkit.array()
        doc["files"] = current
    for f in files:
        if f not in current:
            current.append(f)
    for key, value in (settings or {}).items():
        doc[key] = value
    text = tomlkit.dumps(doc)
    back = tomlfile.tomllib.loads(text)  # tomlkit places keys; make sure they read back
    if any(back.get(k) != v for k, v in (settings or {}).items()):
        raise ReviewkitError(f"cannot add {', '.join(settings or {})} to this search file "
                             "without changing what it says; add them by hand",
                             file=str(path))
    _write_atomic(path, text)


def _multiline(value: str) -> object:
    # a literal string cannot hold ''' or control codes (Word's \v line break, \f, a bare
    # \r): those go in a basic string, escaped
    literal = "'''" not in value and not _CONTROL.search(value)
    # TOML drops a newline right after the opening quotes; tomlkit versions differ in
    # whether they write one back, so keep whichever spelling reads back as the value
    for text in (value, "\n" + value):
        item = tomlkit.string(text, multiline=True, literal=literal)
        if tomlfile.tomllib.loads(tomlkit.dumps({"v": item}))["v"] == value:
            return item
    return tomlkit.string(value)  # on one line, escaped: still exactly the value


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)  # a project whose searches/ was removed
    write_text_atomic(path, text)  # hidden temp, fsynced, renamed: whole or not at all
