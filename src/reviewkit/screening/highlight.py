"""Highlight terms in titles and abstracts: inclusion terms one colour, exclusion another.

Terms come from [screening] highlight in reviewkit.toml and, unless turned
off, from the search log's strings. Wildcards follow the databases: '*' or
'$' any ending (budget*), '?' one optional letter (behavio?r), '#' one letter.
Text and terms are tokenised by the same spaCy tokenizer (spacy.blank: no
model download) and matched with its Matcher, so 'self-directed support*'
matches however the hyphen is spaced.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import product

from reviewkit.project.config import Project
from reviewkit.screening.config import ScreeningConfig
from reviewkit.searches.log import load_searches

# wildcards are swapped for letters the tokenizer keeps inside a word
_WILD = {"*": "qqstarqq", "$": "qqstarqq", "?": "qqoptqq", "#": "qqoneqq"}
_WILD_RE = {"qqstarqq": r"\w*", "qqoptqq": r"\w?", "qqoneqq": r"\w"}
_LINE_NO = re.compile(r"^\s*(?:#|S)?\d+\s*[.:]?\s+", re.I)
_FIELD = re.compile(r"\.(?:[a-z]{1,4},?)+\.|\[[^\]]*\]|/\w*|\b(?:TI|AB|KW|MH|SU|TX)\s+(?=\S)")
_SPLIT = re.compile(r"\b(?:or|and|not|adj\d*|near/?\d*|n\d+|w\d+|next)\b|[()]", re.I)
MAX_WORDS = 5          # longer chunks are prose ("Key words relating to ..."), not terms
MIN_STEM = 3           # 'us*' would colour most of the abstract


def terms_from_search_string(text: str) -> list[str]:
    """The words and phrases of a database search string, wildcards kept."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = _LINE_NO.sub("", line).strip()
        if not line or line.lower().startswith(("limit ", "remove duplicates")):
            continue
        line = re.sub(r"\bexp\b", " ", _FIELD.sub(" ", line), flags=re.I).replace('"', " ")
        for chunk in _SPLIT.split(line):
            words = [w.strip("+,;:'") for w in chunk.split()]
            words = [w for w in words if any(c.isalnum() for c in w)]
            term = " ".join(words)
            if not words or len(words) > MAX_WORDS or all(w.isdigit() for w in words):
                continue
            if len(re.split(r"[*$?#]", words[0])[0]) < MIN_STEM and len(words) == 1 \
                    and re.search(r"[*$?#]", words[0]):
                continue
            if any("=" in w for w in words):
                continue
            out.setdefault(term.lower(), term)
    return list(out.values())


def project_terms(project: Project, conf: ScreeningConfig) -> tuple[list[str], list[str]]:
    """(inclusion terms, exclusion terms) for this project."""
    include = list(conf.highlight.include)
    if conf.highlight.from_searches:
        for search in load_searches(project):
            include += terms_from_search_string(search.search_string)
    return include, list(conf.highlight.exclude)


@cache
def _nlp():
    import spacy  # imported late: a second to load, needed only when screening

    return spacy.blank("en")


class _Term:
    """A term whose wildcard tokens are expanded to the words seen so far."""

    def __init__(self, kind: str, options: list[set[str]]) -> None:
        self.kind, self.options = kind, options


class Highlighter:
    """spans(text) -> [(start, end, 'include' | 'exclude')] character offsets.

    Wildcards are not REGEX predicates of spaCy's token Matcher: it runs every
    pattern from every token (14 ms an abstract with a Medline strategy's
    terms). Instead each new word is checked once against the wildcards, the
    matching terms gain the exact phrases, and spaCy's PhraseMatcher finds
    them by hash, whatever the number of phrases.
    """

    def __init__(self, include: list[str], exclude: list[str]) -> None:
        from spacy.matcher import PhraseMatcher

        self.nlp = _nlp()
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.terms = {"include": include, "exclude": exclude}
        self._wild: dict[str, tuple[re.Pattern, list[tuple[_Term, int]]]] = {}
        self._seen: set[str] = set()
        for kind, terms in self.terms.items():
            for term in terms:
                self._add(kind, term)

    def _add(self, kind: str, term: str) -> None:
        for char, word in _WILD.items():
            term = term.replace(char, word)
        tokens = [t.text for t in self.nlp.make_doc(term.lower())]
        if not tokens:
            return
        wild = [any(w in t for w in _WILD_RE) for t in tokens]
        if not any(wild):
            self._phrases(kind, [tokens])
            return
        entry = _Term(kind, [set() if w else {t} for t, w in zip(tokens, wild, strict=True)])
        for j, text in enumerate(tokens):
            if wild[j]:
                regex = re.escape(text)
                for word, rx in _WILD_RE.items():
                    regex = regex.replace(word, rx)
                self._wild.setdefault(regex, (re.compile(regex), []))[1].append((entry, j))

    def _learn(self, words: set[str]) -> None:
        for word in words - self._seen:
            self._seen.add(word)
            for rx, uses in self._wild.values():
                if rx.fullmatch(word):
                    for entry, j in uses:
                        self._expand(entry, j, word)

    def _expand(self, entry: _Term, j: int, word: str) -> None:
        entry.options[j].add(word)
        pools = [{word} if i == j else opts for i, opts in enumerate(entry.options)]
        # nothing while another wildcard of the term has matched no word yet
        self._phrases(entry.kind, list(product(*pools)))

    def _phrases(self, kind: str, phrases: list) -> None:
        from spacy.tokens import Doc

        if phrases:
            self.matcher.add(kind, [Doc(self.nlp.vocab, words=list(p)) for p in phrases])

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        if not text or not any(self.terms.values()):
            return []
        from spacy.util import filter_spans

        doc = self.nlp.make_doc(text)
        if self._wild:
            self._learn({t.lower_ for t in doc})
        if not self.matcher:
            return []
        labels = {(s, e): self.nlp.vocab.strings[m] for m, s, e in self.matcher(doc)}
        spans = filter_spans([doc[s:e] for s, e in labels])  # longest wins where they overlap
        return [(sp.start_char, sp.end_char, labels[(sp.start, sp.end)]) for sp in spans]
