"""reviewkit.toml and the folder layout of a review project."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.atomic import write_text_atomic

CONFIG = "reviewkit.toml"
FOLDERS = ("searches", "searches/exports", "dedup", "screening", "extraction", "casp",
           "templates")


class ReviewSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    question: str = ""
    protocol: str = ""


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow")
    seed: int = 20240611


class Config(BaseModel):
    model_config = ConfigDict(extra="allow")
    review: ReviewSection
    reviewers: list[str] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)


@dataclass
class Project:
    """A review project folder; everything derived lives under .reviewkit/."""

    root: Path
    config: Config

    @property
    def searches_dir(self) -> Path:
        return self.root / "searches"

    @property
    def exports_dir(self) -> Path:
        return self.root / "searches" / "exports"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".reviewkit"

    @property
    def store_path(self) -> Path:
        return self.cache_dir / "store.sqlite"

    def relative(self, path: Path) -> str:
        """Path as written in the project's text files (POSIX, from the root)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()


# Keys of reviewkit.toml that name a file or folder; each must stay inside the project,
# checked when the file is loaded, so no command reads outside it.
PATH_KEYS = ("report.counts", "screening.fulltext_dir")


def inside_project(project: Project, value: str, key: str) -> Path:
    """A path written in reviewkit.toml, resolved from the root; it must stay inside the
    project (a project received through git must not make reviewkit read other files)."""
    config = project.root / CONFIG
    text = config.read_text("utf-8-sig") if config.is_file() else ""
    return _inside(project.root, value, key, text)


def _inside(root: Path, value: str, key: str, text: str) -> Path:
    root = root.resolve()
    path = (root / value).resolve()  # follows symlinks, so a link out is caught too
    if not path.is_relative_to(root):
        name = key.rsplit(".", 1)[-1]
        raise ReviewkitError(f"{value!r} is outside the project folder; name a path inside "
                             "it, relative to the folder of reviewkit.toml",
                             file=str(root / CONFIG), line=tomlfile.line_of(text, name),
                             field=key)
    return path


def load_config(root: Path) -> Config:
    path = root / CONFIG
    data, text = tomlfile.load(path)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise tomlfile.validation_error(exc, path, text) from None
    for key in PATH_KEYS:
        section, name = key.split(".")
        value = (data.get(section) or {}).get(name) if isinstance(data.get(section), dict) \
            else None
        if isinstance(value, str) and value:
            _inside(root, value, key, text)
    return config


def find_project(start: Path | None = None) -> Project:
    """The project containing ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    if start is not None and not here.exists():
        raise ReviewkitError("this folder does not exist: pass --project DIR naming a review "
                             "project folder", file=str(start))
    if start is not None and here.is_file() and here.name == CONFIG:
        here = here.parent  # -C path/to/reviewkit.toml names its project
    elif start is not None and not here.is_dir():
        raise ReviewkitError("this is a file, not a folder: pass --project DIR naming a review "
                             "project folder", file=str(start))
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return Project(folder, load_config(folder))
    raise ReviewkitError(f"no {CONFIG} here or in any parent folder: run 'reviewkit init DIR' "
                         "or pass --project DIR", file=str(here))


def init_project(root: Path, title: str, question: str = "") -> Project:
    """Scaffold a project; refuses to overwrite an existing one."""
    root = root.resolve()
    if (root / CONFIG).exists():
        raise ReviewkitError("a project already exists here", file=str(root / CONFIG))
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    template = resources.files("reviewkit.project").joinpath("scaffold/reviewkit.toml")
    text = template.read_text("utf-8").replace("{{title}}", _toml_str(title))
    text = text.replace("{{question}}", _toml_str(question))
    (root / CONFIG).write_text(text, "utf-8")
    for rel, data in _starter_files().items():
        target = root / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    ignore = root / ".gitignore"
    if not ignore.exists() or ".reviewkit/" not in ignore.read_text("utf-8"):
        with ignore.open("a", encoding="utf-8") as fh:
            fh.write(".reviewkit/\n")
    if not (root / ".gitattributes").exists():
        add_git_attributes(root)
    return Project(root, load_config(root))


# The append-only files: each line stands alone, so a merge of two branches is the lines
# of both (git's union driver) instead of conflict markers that stop every command.
GIT_ATTRIBUTES = """\
# reviewkit: append-only logs; a merge keeps the lines of both branches.
searches/file-ids.tsv merge=union
screening/**/*.jsonl merge=union
dedup/judgements.jsonl merge=union
synthesis/coding/*.jsonl merge=union
"""


def missing_git_attributes(root: Path) -> list[str]:
    """The merge=union lines .gitattributes lacks (a project made before init wrote them)."""
    path = root / ".gitattributes"
    try:
        have = {" ".join(line.split()) for line in path.read_text("utf-8-sig").splitlines()}
    except (FileNotFoundError, UnicodeDecodeError):
        have = set()
    return [line for line in GIT_ATTRIBUTES.splitlines()
            if not line.startswith("#") and line not in have]


def add_git_attributes(root: Path) -> list[str]:
    """Append the missing merge=union lines (keeping the team's own); the lines added."""
    missing = missing_git_attributes(root)
    if missing:
        path = root / ".gitattributes"
        old = path.read_text("utf-8-sig") if path.exists() else ""
        head = "" if old else GIT_ATTRIBUTES.splitlines()[0] + "\n"
        sep = "\n" if old and not old.endswith("\n") else ""
        write_text_atomic(path, old + sep + head + "".join(f"{m}\n" for m in missing))
    return missing


def _starter_files() -> dict[str, bytes]:
    # the stages own their starter files; imported here only, so project/ stays a base layer
    from reviewkit.appraisal.starter import starter_files

    return starter_files()


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
