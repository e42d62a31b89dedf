"""`reviewkit status` answered from its last output when nothing it reads has changed.

Like git's index, the cache keys on what a stat of every file says: each file of the project
folder outside dot-folders (path, size, mtime), the store (any other command since writes it),
the package's own files, the interpreter, the command line's options and the REVIEWKIT_*
environment. A hit prints the stored output and
never imports Typer, pydantic or the store (status: 5x `import typer, rich` -> about 1x).

Stored only when it cannot be stale: the command exited 0, the fingerprint taken before the
command equals the one taken after it, and no file changed in the RACY_S seconds before it
started (a file written twice within one mtime tick keeps its stat; git calls such entries
"racily clean").
Never in team mode: there the state lives on a server."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = "reviewkit.toml"
CACHE = Path(".reviewkit") / "status-cache.json"
VERSION = 1  # of this file's layout and of the key
RACY_S = 2.0
FORMATS = ("table", "csv", "json", "md")

# set by probe() on a miss, read by remember() in the status command of the same process
_pending: Probe | None = None


@dataclass(frozen=True)
class Probe:
    root: Path
    key: str
    fingerprint: str
    store: str
    at: float  # when the fingerprint was taken


def store_stat(root: Path) -> str:
    """The store's files as a stat sees them. Every command that opens the store writes it,
    so another command since (or damage to heal) means a miss; status writes it too, so it
    is taken after the command, not compared before and after."""
    parts = []
    for name in ("store.sqlite", "store.sqlite-wal", "store.sqlite-journal"):
        try:
            st = os.stat(root / ".reviewkit" / name)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
        except OSError:
            parts.append(f"{name}:absent")
    return ";".join(parts)


def parse_status_argv(argv: list[str]) -> tuple[str | None, str] | None:
    """(the -C folder or None, the --format) for a plain `status` command line, else None."""
    project, i = None, 0
    while i < len(argv) and argv[i] != "status":
        if argv[i] in ("-C", "--project") and i + 1 < len(argv):
            project, i = argv[i + 1], i + 2
        elif argv[i].startswith("--project="):
            project, i = argv[i].split("=", 1)[1], i + 1
        else:
            return None
    rest, fmt = argv[i + 1:], "table"
    if i >= len(argv):
        return None
    if rest and rest[0] in ("--format", "-f") and len(rest) == 2:
        fmt = rest[1]
    elif len(rest) == 1 and rest[0].startswith("--format="):
        fmt = rest[0].split("=", 1)[1]
    elif rest:
        return None
    return (project, fmt) if fmt in FORMATS else None


def find_root(project: str | None, cwd: Path) -> Path | None:
    """The project folder, found as find_project finds it; None for anything unusual (the
    full command then says what is wrong)."""
    here = (cwd / project) if project else cwd
    try:
        here = here.resolve()
        if project and here.is_file() and here.name == CONFIG:
            here = here.parent
        if not here.is_dir():
            return None
        for folder in (here, *here.parents):
            if (folder / CONFIG).is_file():
                return folder
    except OSError:
        return None
    return None


def _walk(folder: Path, out: list[str], base: Path) -> float:
    """Stat lines for every file under folder outside dot-folders; the newest mtime."""
    newest = 0.0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return newest
    for e in sorted(entries, key=lambda e: e.name):
        try:
            if e.is_dir(follow_symlinks=False):
                if not e.name.startswith("."):
                    newest = max(newest, _walk(Path(e.path), out, base))
                continue
            st = e.stat(follow_symlinks=False)
        except OSError:
            out.append(f"{e.path}\tunreadable")
            continue
        out.append(f"{os.path.relpath(e.path, base)}\t{st.st_size}\t{st.st_mtime_ns}")
        newest = max(newest, st.st_mtime)
    return newest


def _code_lines() -> list[str]:
    """What the output depends on besides the project: this package's files (an edited
    checkout counts), the interpreter, and Rich, which draws the tables."""
    lines = [sys.version, sys.executable]
    package = Path(__file__).resolve().parents[1]
    _walk(package, lines, package)
    try:
        import importlib.util

        spec = importlib.util.find_spec("rich")
        if spec and spec.origin:
            st = os.stat(spec.origin)
            lines.append(f"rich\t{spec.origin}\t{st.st_size}\t{st.st_mtime_ns}")
    except (ImportError, OSError, ValueError):
        lines.append("rich\tunknown")
    return lines


def fingerprint(root: Path) -> tuple[str, float]:
    """Hash of the project's files' stats; the newest mtime among them."""
    lines: list[str] = []
    newest = _walk(root, lines, root)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest(), newest


def _team_mode(root: Path, environ: dict[str, str]) -> bool:
    if environ.get("REVIEWKIT_DATABASE_URL"):
        return True
    try:
        return "[team]" in (root / CONFIG).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True


def probe(argv: list[str], cwd: Path | None = None, environ: dict[str, str] | None = None
          ) -> Probe | None:
    """The cache key of a `status` command line, or None when it is not one to cache."""
    environ = dict(os.environ) if environ is None else environ
    parsed = parse_status_argv(argv)
    if parsed is None:
        return None
    project, fmt = parsed
    root = find_root(project, cwd or Path.cwd())
    if root is None or _team_mode(root, environ):
        return None
    env = sorted((k, v) for k, v in environ.items() if k.startswith("REVIEWKIT_"))
    key_text = json.dumps([VERSION, str(root), fmt, env, _code_lines()])
    key = hashlib.sha256(key_text.encode()).hexdigest()
    at = time.time()
    return Probe(root, key, fingerprint(root)[0], store_stat(root), at)


def replay(p: Probe) -> bool:
    """Print the stored output if it is this probe's; True when it did."""
    try:
        stored = json.loads((p.root / CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stored, dict) or stored.get("key") != p.key \
            or stored.get("fingerprint") != p.fingerprint or stored.get("store") != p.store:
        return False
    sys.stdout.write(stored.get("stdout", ""))
    sys.stdout.flush()
    sys.stderr.write(stored.get("stderr", ""))
    sys.stderr.flush()
    return True


def begin(argv: list[str]) -> bool:
    """The entry point's first step: True when the stored output was printed; otherwise
    remember the probe so that the status command stores what it prints."""
    global _pending
    try:
        p = probe(argv)
    except OSError:
        return False
    if p is None:
        return False
    if replay(p):
        return True
    _pending = p
    return False


def remember(stdout: str, stderr: str) -> None:
    """Store what a status command printed, when it cannot be stale (see the module doc)."""
    p = _pending
    if p is None:
        return
    after, newest = fingerprint(p.root)
    if after != p.fingerprint or newest > p.at - RACY_S:
        return
    from reviewkit.project.atomic import write_text_atomic

    data = {"key": p.key, "fingerprint": p.fingerprint, "store": store_stat(p.root),
            "stdout": stdout, "stderr": stderr}
    try:
        write_text_atomic(p.root / CACHE, json.dumps(data, ensure_ascii=False))
    except OSError:
        pass  # a read-only project still answers; it just is not faster next time
