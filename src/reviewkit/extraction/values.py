"""Check and convert one field's value, from YAML, a CSV cell or a keyboard."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import FormField

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
SEP = ";"  # how a CSV cell or a typed line separates list items


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def coerce(f: FormField, value: Any, name: str = "") -> Any:
    """The stored value for ``value``, or a ReviewkitError naming the field and problem.

    ``name`` is the field's path (``participant_groups.2.n``); empty input gives None.
    """
    name = name or f.id

    def bad(msg: str) -> ReviewkitError:
        return ReviewkitError(msg, field=name)

    if isinstance(value, str):
        value = value.strip()
    if empty(value):
        return None
    t = f.type
    if t == "group":
        return _group(f, value, name)
    if isinstance(value, (dict,)) or (isinstance(value, list) and t not in ("multi_choice",
                                                                           "list")):
        raise bad(f"expected a single {t.replace('_', ' ')} value, got a "
                  f"{'mapping' if isinstance(value, dict) else 'list'}")
    if t in ("text", "long_text"):
        return value if isinstance(value, str) else _plain(value)
    if t == "number":
        if isinstance(value, bool):
            raise bad(f"expected a number, got {value!r}")
        text = str(value)
        # a comma only as a thousands separator (1,503); "1,5" is ambiguous
        if "," in text and not _THOUSANDS.fullmatch(text):
            raise bad(f"expected a number (use '.' for decimals), got {value!r}")
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise bad(f"expected a number, got {value!r}") from None
        if "." not in text and re.fullmatch(r"[+-]?\d+", text.replace(",", "")):
            return int(text.replace(",", ""))  # exact, however many digits
        return int(number) if number.is_integer() and "." not in text else number
    if t == "integer":
        text = str(value)
        # as for numbers: a comma only as a thousands separator ("1,5" is not 15)
        if "," in text and not _THOUSANDS.fullmatch(text):
            raise bad(f"expected a whole number, got {value!r}")
        text = text.replace(",", "")
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise bad(f"expected a whole number, got {value!r}")
        return int(text.split(".")[0])  # exact: a float would round 17+ digits
    if t == "yes_no":
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        if word in _YES or word in _NO:
            return word in _YES
        raise bad(f"expected yes or no, got {value!r}")
    if t == "date":
        # YAML reads 2017-05-01 10:30 as a datetime, whose isoformat no date field takes
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        text = str(value)
        if not _DATE.match(text) or not _real_date(text):
            raise bad(f"expected a date as YYYY-MM-DD (or YYYY-MM, YYYY), got {text!r}")
        return text
    if t == "choice":
        return _option(f, value, bad)
    items = value if isinstance(value, list) else [v for v in str(value).split(SEP)]
    items = [_plain(v).strip() for v in items if not empty(v) and _plain(v).strip()]
    if t == "multi_choice":
        return [_option(f, v, bad) for v in items]
    return items  # list


def missing_required(fields: list[FormField], values: dict[str, Any], prefix: str = ""
                     ) -> list[str]:
    """Paths of required fields with no value (inside every entry of a group)."""
    out = []
    for f in fields:
        v = values.get(f.id)
        if f.required and empty(v):
            out.append(prefix + f.id)
        elif f.type == "group" and v:
            entries = v if isinstance(v, list) else [v]
            for i, entry in enumerate(entries, 1):
                tag = f"{prefix}{f.id}.{i}." if f.repeatable else f"{prefix}{f.id}."
                out += missing_required(f.fields or [], entry, tag)
    return out


def display(f: FormField, value: Any) -> str:
    """A value as a person reads it (tables, the terminal form)."""
    if value is None:
        return ""
    if f.type == "yes_no":
        return "Yes" if value else "No"
    if isinstance(value, list) and f.type != "group":
        return f"{SEP} ".join(str(v) for v in value)
    if f.type == "group":
        entries = value if isinstance(value, list) else [value]
        return f"{SEP} ".join(", ".join(display(sub, e.get(sub.id)) for sub in f.fields or []
                                        if not empty(e.get(sub.id))) for e in entries)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _group(f: FormField, value: Any, name: str) -> Any:
    entries = value if isinstance(value, list) else [value]
    if not f.repeatable and isinstance(value, list):
        raise ReviewkitError("this group is not repeatable: give one mapping", field=name)
    out = []
    for i, entry in enumerate(entries, 1):
        where = f"{name}.{i}" if f.repeatable else name
        if not isinstance(entry, dict):
            raise ReviewkitError("expected a mapping of the group's fields", field=where)
        subs = {s.id: s for s in f.fields or []}
        unknown = [k for k in entry if str(k) not in subs]
        if unknown:
            raise ReviewkitError(f"unknown field {unknown[0]!r} (fields: {', '.join(subs)})",
                                 field=f"{where}.{unknown[0]}")
        clean = {k: coerce(s, entry.get(k), f"{where}.{k}") for k, s in subs.items()}
        out.append({k: v for k, v in clean.items() if v is not None})
    return out if f.repeatable else out[0]


def _option(f: FormField, value: Any, bad: Any) -> str:
    text = ("yes" if value else "no") if isinstance(value, bool) else str(value).strip()
    for o in f.options or []:
        if text == o or text.casefold() == o.casefold():
            return o
    raise bad(f"{text!r} is not one of the options ({', '.join(f.options or [])})")


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _real_date(text: str) -> bool:
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True
