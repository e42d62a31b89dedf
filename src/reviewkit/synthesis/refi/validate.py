"""Check written REFI files against the shipped QDA-XML 1.0 schemas."""

from __future__ import annotations

from functools import cache
from importlib import resources

import xmlschema

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


@cache
def schema(kind: str) -> xmlschema.XMLSchema:
    """``kind``: "project" or "codebook"."""
    name = {"project": "Project-1.0.xsd", "codebook": "Codebook-1.0.xsd"}[kind]
    path = resources.files("reviewkit.synthesis.refi").joinpath("schemas", name)
    with resources.as_file(path) as file:
        return xmlschema.XMLSchema(str(file))


def schema_errors(data: bytes, kind: str) -> list[str]:
    """What the schema finds wrong in ``data`` (an XML document); [] when valid."""
    return [str(e.reason or e.message) + f" (at {e.path})"
            for e in schema(kind).iter_errors(data.decode("utf-8"))]


def require_valid(data: bytes, kind: str) -> None:
    """A file reviewkit wrote that breaks the schema is a bug in reviewkit, not a user error."""
    errors = schema_errors(data, kind)
    if errors:
        raise RuntimeError(f"reviewkit wrote an invalid REFI {kind}: {errors[0]}")
