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


def lemmatise(texts: Iterable[str], lemmas: bool = True) -> list[str]:
    """Each text as space-joined lower-case tokens (lemmas when ``lemmas``).

    Punctuation-only tokens are dropped. Lemma look-ups are memoised per token
    because a corpus repeats a few thousand words millions of times.
    """
    tokenizer, table = _spacy()
    memo: dict[str, str] = {}
    out = []
    for doc in tokenizer.pipe(texts, batch_size=512):
        words = []
        for tok in doc:
            low = tok.lower_
            word = memo.get(low)
            if word is None:
                if not _WORDY.search(low):
                    word = ""
                elif lemmas:
                    word = table.get(low, low).lower().replace(" ", "_")
                else:
                    word = low
                memo[low] = word
            if word:
                words.append(word)
        out.append(" ".join(words))
    return out


class TextFeatures(TransformerMixin, BaseEstimator):
    """Record texts -> L2-normalised TF-IDF over word n-grams (scikit-learn transformer).

    ``fit``/``transform`` take strings as produced by :func:`record_text`
    (or records, which are turned into text first).
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), lemmas: bool = True,
                 min_df: int | float = 1, max_df: float = 0.95, sublinear_tf: bool = True,
                 max_features: int | None = None) -> None:
        self.ngram_range = ngram_range
        self.lemmas = lemmas
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.max_features = max_features

    def _docs(self, X: Sequence[Any]) -> list[str]:
        texts = [x if isinstance(x, str) else record_text(x) for x in X]
        return lemmatise(texts, self.lemmas)

    def fit(self, X: Sequence[Any], y: Any = None) -> TextFeatures:
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Sequence[Any], y: Any = None, **_: Any) -> sparse.csr_matrix:
        docs = self._docs(X)
        # max_df > 1 document only makes sense once there are documents to compare
        max_df = self.max_df if len(docs) > 1 else 1.0
        self.vectorizer_ = TfidfVectorizer(
            token_pattern=r"\S+", lowercase=False, ngram_range=tuple(self.ngram_range),
            min_df=self.min_df, max_df=max_df, sublinear_tf=self.sublinear_tf,
            max_features=self.max_features, dtype=np.float32)
        return self.vectorizer_.fit_transform(docs).tocsr()

    def transform(self, X: Sequence[Any]) -> sparse.csr_matrix:
        return self.vectorizer_.transform(self._docs(X)).tocsr()
