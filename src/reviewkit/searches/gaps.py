"""PRISMA-S items a search log leaves blank, named so none goes missing silently."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from reviewkit.searches.log import Search


@cache
def _rules() -> list[dict]:
    text = resources.files("reviewkit.searches").joinpath("prisma_s.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


def prisma_s_gaps(searches: list[Search]) -> list[str]:
    """One line per PRISMA-S item some searches leave blank, naming those searches."""
    out = []
    for rule in _rules():
        kinds = rule.get("kinds")
        blank = [s.id for s in searches if (kinds is None or s.kind in kinds)
                 and _blank(getattr(s, rule["field"]))]
        if blank:
            out.append(f"PRISMA-S item {rule['item']} is not logged for: {', '.join(blank)} "
                       f"(the '{rule['field']}' line of searches/ID.toml)")
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
