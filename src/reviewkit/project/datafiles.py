"""Team-defined YAML tools in a project folder (checklists, extraction forms): load
them all by id, and pick one by id, by path or, when there is only one, by default."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TypeVar

from reviewkit.errors import ReviewkitError


class HasId(Protocol):
    id: str


T = TypeVar("T", bound=HasId)


def load_by_id(paths: Iterable[Path], load: Callable[[Path], T], what: str,
               folder: str) -> dict[str, T]:
    """Every file loaded, by id; the first invalid file or a repeated id raises."""
    out: dict[str, T] = {}
    for path in paths:
        item = load(path)
        if item.id in out:
            raise ReviewkitError(f"{what} id {item.id!r} is also used by another file in "
                                 f"{folder}/", file=str(path), field="id")
        out[item.id] = item
    return out


def choose(ref: str | None, known: Callable[[], dict[str, T]], load: Callable[[Path], T],
           what: str, folder: str, option: str) -> T:
    """``ref`` as a path (ends in .yaml or holds a '/') or an id; None: the only one."""
    if ref and (ref.endswith((".yaml", ".yml")) or "/" in ref):
        return load(Path(ref))
    items = known()
    names = ", ".join(items) or "none"
    if ref is None:
        if len(items) == 1:
            return next(iter(items.values()))
        raise ReviewkitError(f"{len(items)} {what}s in {folder}/ ({names}): choose one "
                             f"with {option}")
    if ref not in items:
        raise ReviewkitError(f"no {what} {ref!r} in {folder}/ (known: {names}); choose one "
                             f"with {option}")
    return items[ref]
