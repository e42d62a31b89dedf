"""Exclusion reasons: several per decision, "other: free text", and whether two agree.

A decision's reasons are one text field in the log, "wrong population; not empirical",
so logs written before several reasons were allowed read the same. They are kept in the
order of the project's list (its hierarchy), "other: ..." last, so the same reasons
chosen in another order are the same text.
"""

from __future__ import annotations

from reviewkit.errors import ReviewkitError

OTHER = "other"
SEPARATOR = "; "


def split_reasons(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def _other(part: str) -> str | None:
    """'Other: not a trial' -> 'other: not a trial'; None when ``part`` is no 'other'."""
    head, colon, rest = part.partition(":")
    if head.strip().lower() != OTHER:
        return None
    if not colon or not rest.strip():
        raise ReviewkitError("'other' needs its reason written after it: "
                             "'other: <why>'", field="reason")
    return f"{OTHER}: {rest.strip()}"


def normalise_reasons(text: str, known: list[str]) -> str:
    """The project's spelling and order, or a ReviewkitError naming the unknown reason."""
    by_lower = {r.lower(): r for r in known}
    rank = {r: i for i, r in enumerate(known)}
    chosen: list[str] = []
    for part in split_reasons(text):
        canonical = by_lower.get(part.lower()) or _other(part)
        if canonical is None:
            raise ReviewkitError(f"unknown reason {part!r}; the project's reasons are: "
                                 f"{'; '.join(known)}, or 'other: <why>' ([screening] "
                                 "reasons in reviewkit.toml)", field="reason")
        if canonical not in chosen:
            chosen.append(canonical)
    chosen.sort(key=lambda r: (rank.get(r, len(rank)), r))
    return SEPARATOR.join(chosen)


def lenient(text: str, known: list[str]) -> str:
    """As normalise_reasons for a log line already written: an unknown reason is kept
    as written (the log is the record of what was said), never refused."""
    try:
        return normalise_reasons(text, known)
    except ReviewkitError:
        return (text or "").strip()


def primary_reason(text: str) -> str:
    """The reason PRISMA counts a report under: the first in the project's hierarchy."""
    parts = split_reasons(text)
    return parts[0] if parts else ""


def agreed_reason(judgements: dict[str, dict], resolution: dict | None) -> str | None:
    """The reasons of a unit everyone excluded: the resolution's, else the reviewers' when
    they gave the same; None when they differ (a person must settle which)."""
    if resolution is not None and resolution.get("reason"):
        return resolution["reason"]
    given = {e.get("reason") or "" for e in judgements.values()}
    named = given - {""}
    if len(named) > 1:
        return None
    return next(iter(named), "")
