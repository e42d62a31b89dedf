"""GRADE-CERQual as data (cerqual.yaml) and the explanation drafted from the levels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    phrase: str
    optional: bool = False


@dataclass(frozen=True)
class Spec:
    components: tuple[Component, ...]
    concerns: dict[str, dict]  # value -> {label, phrase}
    confidence: dict[str, dict]  # value -> {label, word}
    relevance: tuple[str, ...]
    explanation: dict[str, str]
    extraction: dict[str, list[str]]
    source: str

    def component(self, cid: str) -> Component | None:
        return next((c for c in self.components if c.id == cid), None)

    @property
    def required(self) -> list[Component]:
        return [c for c in self.components if not c.optional]

    def concern_label(self, value: str) -> str:
        return self.concerns[value]["label"] if value in self.concerns else value

    def confidence_label(self, value: str) -> str:
        return self.confidence[value]["label"] if value in self.confidence else value


@cache
def spec() -> Spec:
    text = resources.files("reviewkit.synthesis.confidence").joinpath("cerqual.yaml") \
        .read_text("utf-8")
    data = yaml.safe_load(text)
    return Spec(tuple(Component(c["id"], c["name"], c["phrase"], bool(c.get("optional")))
                      for c in data["components"]),
                {c["value"]: c for c in data["concerns"]},
                {c["value"]: c for c in data["confidence"]},
                tuple(data["relevance"]), data["explanation"], data["extraction"],
                data["source"])


def match(value: object, options: dict[str, dict]) -> str | None:
    """The option value for ``value`` given as a value or a label (any case)."""
    text = str(value).strip().casefold()
    for key, o in options.items():
        if text in (key.casefold(), str(o["label"]).casefold()):
            return key
    return None


def draft_explanation(confidence: str, concerns: dict[str, str]) -> str:
    """"Moderate confidence, because of minor concerns regarding coherence and moderate
    concerns regarding adequacy": the components with concerns, in the spec's order."""
    s = spec()
    word = s.confidence[confidence]["word"]
    parts = [s.explanation["concern"].format(concern=s.concerns[concerns[c.id]]["phrase"],
                                             component=c.phrase)
             for c in s.components if concerns.get(c.id) not in (None, "", "none")]
    if not parts:
        return s.explanation["without_concerns"].format(confidence=word)
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return s.explanation["with_concerns"].format(confidence=word, concerns=joined)
