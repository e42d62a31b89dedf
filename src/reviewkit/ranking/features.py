"""Text features: title + abstract + keywords -> lemmatised word n-gram TF-IDF.

Tokens come from spaCy's rule-based English tokenizer (``spacy.blank("en")``)
and lemmas from the lookup table shipped in ``spacy-lookups-data``: nothing is
downloaded at run time and no statistical model is loaded. The vectoriser is
fitted on every record of the review (screened or not), as the text of the
whole pile is known before screening starts; labels are never used here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from reviewkit.records.model import Record

_WORDY = re.compile(r"\w")


def record_text(record: Record | dict[str, Any]) -> str:
    """The text a ranker sees: title, abstract and keywords, in that order."""
    get = record.get if isinstance(record, dict) else lambda k, d="": getattr(record, k, d)
    keywords = get("keywords", "") or ""
    if isinstance(keywords, (list, tuple)):
        keywords = "; ".join(str(k) for k in keywords)
    parts = (get("title", "") or "", get("abstract", "") or "", keywords)
    return " . ".join(str(p) for p in parts if p)


@lru_cache(maxsize=1)
def _spacy() -> tuple[Any, dict[str, str]]:
    """The blank English tokenizer and the lookup lemma table (loaded once per process)."""
    import spacy

    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # reads the table from spacy-lookups-data; no download
    table = lemmatizer.lookups.get_table("lemma_lookup")
    return nlp.tokenizer, table


def lemmatise(texts: Iterable[str], lemmas: bool | str = True) -> list[str]:
    """Each text as space-joined lower-case tokens.

    ``lemmas``: True replaces every token by its lookup lemma; "plural" only
    tokens ending in -s (studies -> study; engineering, based stay, which the
    POS-blind lookup would turn into engineer, base); False keeps word forms.

    Punctuation-only tokens are dropped.
    """
    tokenizer, table = _spacy()
    specials = tokenizer.rules
    memo: dict[str, str] = {}
    chunks: dict[str, list[str]] = {}
    out = []
    for text in texts:
        words: list[str] = []
        # spaCy tokenises each whitespace-separated chunk on its own, so a chunk's
        # tokens can be memoised: a corpus repeats a few thousand chunks millions of times
        for chunk in text.split():
            toks = chunks.get(chunk)
            if toks is None:
                # a plain word is one token unless it is a special case (cannot -> can not);
                # skipping spaCy for it avoids creating a lexeme per new word
                lows = ([chunk.lower()] if chunk.isalpha() and chunk not in specials
                        else [t.lower_ for t in tokenizer(chunk)])
                toks = chunks[chunk] = [w for low in lows
                                        if (w := _word(low, lemmas, table, memo))]
            words.extend(toks)
        out.append(" ".join(words))
    return out


def _word(low: str, lemmas: bool | str, table: Any, memo: dict[str, str]) -> str:
    word = memo.get(low)
    if word is None:
        if not _WORDY.search(low):
            word = ""
        elif lemmas == "plural":
            # only -s forms: studies -> study, but engineering, based, mapping stay
            lem = table.get(low, low).lower() if low.endswith("s") else low
            word = lem.replace(" ", "_")
        elif lemmas:
            word = table.get(low, low).lower().replace(" ", "_")
        else:
            word = low
        memo[low] = word
    return word


class TextFeatures(TransformerMixin, BaseEstimator):
    """Record texts -> L2-normalised TF-IDF over word n-grams (scikit-learn transformer).

    ``fit``/``transform`` take strings as produced by :func:`record_text`
    (or records, which are turned into text first). ``lemmas``: True,
    "plural" or False as in :func:`lemmatise`, or "both" (lemma and word-form
    blocks side by side, each scaled by 1/√2 so a row keeps unit length: the
    kernel is the mean of the two).
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), lemmas: bool | str = True,
                 min_df: int | float = 1, max_df: float = 0.95, sublinear_tf: bool = True,
                 max_features: int | None = None) -> None:
        self.ngram_range = ngram_range
        self.lemmas = lemmas
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.max_features = max_features

    def _texts(self, X: Sequence[Any]) -> list[str]:
        return [x if isinstance(x, str) else record_text(x) for x in X]

    def _blocks(self) -> list[bool | str]:
        if self.lemmas == "both":
            return [True, False]
        return [self.lemmas if self.lemmas == "plural" else bool(self.lemmas)]

    def fit(self, X: Sequence[Any], y: Any = None) -> TextFeatures:
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Sequence[Any], y: Any = None, **_: Any) -> sparse.csr_matrix:
        texts = self._texts(X)
        # max_df < 1 only makes sense once there are documents to compare
        max_df = self.max_df if len(texts) > 1 else 1.0
        self.vectorizers_, parts = [], []
        for lem in self._blocks():
            vec = TfidfVectorizer(
                token_pattern=r"\S+", lowercase=False, ngram_range=tuple(self.ngram_range),
                min_df=self.min_df, max_df=max_df, sublinear_tf=self.sublinear_tf,
                max_features=self.max_features, dtype=np.float32)
            parts.append(vec.fit_transform(lemmatise(texts, lem)))
            self.vectorizers_.append(vec)
        return self._join(parts)

    def transform(self, X: Sequence[Any]) -> sparse.csr_matrix:
        texts = self._texts(X)
        return self._join([vec.transform(lemmatise(texts, lem))
                           for vec, lem in zip(self.vectorizers_, self._blocks(), strict=True)])

    @staticmethod
    def _join(parts: list[sparse.spmatrix]) -> sparse.csr_matrix:
        if len(parts) == 1:
            return parts[0].tocsr()
        return (sparse.hstack(parts, format="csr") / np.sqrt(len(parts))).astype(np.float32)
