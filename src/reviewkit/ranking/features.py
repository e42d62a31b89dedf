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
from itertools import chain
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from reviewkit.errors import ReviewkitError
from reviewkit.ranking import counts
from reviewkit.records.model import Record

_WORDY = re.compile(r"\w")


def _fields(record: Record | dict[str, Any] | str) -> tuple[str, str]:
    """(title, abstract . keywords) of a record; a plain string is all abstract."""
    if isinstance(record, str):
        return "", record
    get = record.get if isinstance(record, dict) else lambda k, d="": getattr(record, k, d)
    keywords = get("keywords", "") or ""
    if isinstance(keywords, (list, tuple)):
        keywords = "; ".join(str(k) for k in keywords)
    rest = [str(get("abstract", "") or ""), str(keywords)]
    return str(get("title", "") or ""), " . ".join(p for p in rest if p)


def record_text(record: Record | dict[str, Any], title_weight: int = 1) -> str:
    """The text a ranker sees: title, abstract and keywords, in that order.

    ``title_weight`` n writes the title n times: a title is the authors' own
    summary, so its words deserve more than one abstract sentence's weight.
    """
    title, rest = _fields(record)
    return " . ".join(p for p in [title] * max(1, title_weight) + [rest] if p)


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """The blank English tokenizer (loaded once per process)."""
    import spacy

    return spacy.blank("en").tokenizer


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    """The lookup lemma table, read only when lemmas are asked for: loading it
    costs more than tokenising a whole pile without it."""
    import spacy

    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # reads the table from spacy-lookups-data; no download
    return lemmatizer.lookups.get_table("lemma_lookup")


def _spacy() -> tuple[Any, Any]:
    """The tokenizer and the lemma table."""
    return _tokenizer(), _lemma_table()


def lemmatise(texts: Iterable[str], lemmas: bool | str = True) -> list[str]:
    """Each text as space-joined lower-case tokens.

    ``lemmas``: True replaces every token by its lookup lemma; "plural" only
    tokens ending in -s (studies -> study; engineering, based stay, which the
    POS-blind lookup would turn into engineer, base); False keeps word forms.

    Punctuation-only tokens are dropped.
    """
    tokenizer = _tokenizer()
    table = _lemma_table() if lemmas else None
    texts = [t.split() for t in texts]
    # spaCy tokenises each whitespace-separated chunk on its own, so each distinct
    # chunk is tokenised once: a corpus repeats a few thousand chunks millions of times.
    # A plain word is one token unless it is a special case (cannot -> can not).
    lows: dict[str, list[str]] = {}
    hard: list[str] = []
    for chunk in dict.fromkeys(chain.from_iterable(texts)):  # first-seen order
        core = _core(chunk, tokenizer.rules)
        if core:
            lows[chunk] = [core.lower()]
        else:
            lows[chunk] = []
            hard.append(chunk)
    # the others in one call (one Doc, not one per chunk); a token followed by
    # whitespace ends its chunk
    at = 0
    for tok in tokenizer(" ".join(hard)) if hard else ():
        lows[hard[at]].append(tok.lower_)
        if tok.whitespace_:
            at += 1
    memo: dict[str, str] = {}
    words = {chunk: " ".join(w for low in ls if (w := _word(low, lemmas, table, memo)))
             for chunk, ls in lows.items()}
    return [" ".join(filter(None, map(words.__getitem__, chunks))) for chunks in texts]


_PEEL = re.compile(r"([(\[]?)([^\W\d_]+)([)\],;:]*\.?)")


def _core(chunk: str, rules: Any) -> str | None:
    """The one word of a chunk spaCy would split only into that word and punctuation.

    A plain word ("budgets"), or one wrapped in brackets and followed by , ; :
    or a full stop after a lower-case letter ("(budgets),", "users."). Special
    cases ("cannot", "Dr.") and anything else go to spaCy; punctuation tokens
    are dropped later anyway. Checked token for token against spaCy on the
    shared datasets (tests/test_ranking_simulate.py).
    """
    if chunk in rules:
        return None
    if chunk.isalpha():
        return chunk
    m = _PEEL.fullmatch(chunk)
    if m is None:
        return None
    if m[3].endswith(".") and not (len(m[3]) == 1 and m[2][-1].islower()):
        return None
    # spaCy looks for a special case after each piece it strips ("vs.," -> "vs." ",")
    start, end = len(m[1]), len(m[1]) + len(m[2])
    if any(chunk[i:j] in rules for i in (0, start) for j in range(end, len(chunk) + 1)):
        return None
    return m[2]


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
    kernel is the mean of the two). ``title_weight`` as in :func:`record_text`
    (strings are taken as they are).

    ``title_block`` w > 0 appends a second TF-IDF block over the titles alone,
    scaled so that its kernel weighs w beside the whole text's: a word in the
    title then also counts as a title word, which the whole-text block cannot say.

    ``lsa`` k > 0 with ``lsa_weight`` v > 0 appends the records' k-topic LSA
    vectors (TruncatedSVD of this matrix, learned from the pile itself, seeded by
    ``random_state``), unit length and weighted v in the kernel.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), lemmas: bool | str = True,
                 min_df: int | float = 1, max_df: float = 0.95, sublinear_tf: bool = True,
                 max_features: int | None = None, title_weight: int = 1,
                 title_block: float = 0.0, lsa: int = 0, lsa_weight: float = 0.0,
                 random_state: int | None = 0) -> None:
        self.ngram_range = ngram_range
        self.lemmas = lemmas
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.max_features = max_features
        self.title_weight = title_weight
        self.title_block = title_block
        self.lsa = lsa
        self.lsa_weight = lsa_weight
        self.random_state = random_state

    def _tokens(self, X: Sequence[Any], lem: bool | str) -> tuple[list[str], list[str]]:
        """(whole texts, titles) as token strings; each title is tokenised once."""
        fields = [_fields(x) for x in X]
        n = len(fields)
        toks = lemmatise([f[0] for f in fields] + [f[1] for f in fields], lem)
        titles = toks[:n]
        repeat = max(1, self.title_weight)
        whole = [" ".join(p for p in [t] * repeat + [r] if p)
                 for t, r in zip(titles, toks[n:], strict=True)]
        return whole, titles

    def _blocks(self) -> list[bool | str]:
        if self.lemmas == "both":
            return [True, False]
        return [self.lemmas if self.lemmas == "plural" else bool(self.lemmas)]

    def fit(self, X: Sequence[Any], y: Any = None) -> TextFeatures:
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Sequence[Any], y: Any = None, **_: Any) -> sparse.csr_matrix:
        # max_df < 1 only makes sense once there are documents to compare
        max_df = self.max_df if len(X) > 1 else 1.0
        self.vectorizers_, parts, titles = [], [], []
        for lem in self._blocks():
            whole, titles = self._tokens(X, lem)
            vec, part = self._fit(whole, max_df, self.max_features)
            parts.append(part)
            self.vectorizers_.append(vec)
        X_all = self._join(parts)
        self.title_vectorizer_ = None
        if self.title_block and any(titles):
            self.title_vectorizer_, X_title = self._fit(titles, max_df, None)
            X_all = self._with_titles(X_all, X_title)
        self.svd_ = None
        k = min(self.lsa, X_all.shape[0] - 1, X_all.shape[1] - 1)
        if k > 0 and self.lsa_weight > 0:
            from sklearn.decomposition import TruncatedSVD

            self.svd_ = TruncatedSVD(k, random_state=self.random_state).fit(X_all)
            return self._with_lsa(X_all)
        return X_all

    def transform(self, X: Sequence[Any]) -> sparse.csr_matrix:
        parts, titles = [], []
        for vec, lem in zip(self.vectorizers_, self._blocks(), strict=True):
            whole, titles = self._tokens(X, lem)
            parts.append(vec.transform(whole))
        X_all = self._join(parts)
        if self.title_vectorizer_ is not None:
            X_all = self._with_titles(X_all, self.title_vectorizer_.transform(titles))
        return X_all if getattr(self, "svd_", None) is None else self._with_lsa(X_all)

    def _with_lsa(self, X_all: sparse.csr_matrix) -> sparse.csr_matrix:
        """X beside its unit-length LSA topic vector, whose kernel weighs ``lsa_weight``:
        two records that share no word but the same topics still count as alike."""
        Z = self.svd_.transform(X_all)
        Z /= np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
        Z *= np.sqrt(self.lsa_weight)
        return sparse.hstack([X_all, sparse.csr_matrix(Z.astype(np.float32))],
                             format="csr").astype(np.float32)

    def _fit(self, texts: list[str], max_df: float, max_features: int | None
             ) -> tuple[Any, sparse.csr_matrix]:
        """A fitted vectoriser and its matrix. In a tiny pile every word may be in more
        than ``max_df`` of the records; then none is dropped for being common."""
        try:
            vec = self._vectorizer(max_df, max_features)
            return vec, vec.fit_transform(texts)
        except ValueError:
            if max_df >= 1.0:
                raise ReviewkitError("no words to rank on: every record's title and abstract "
                                     "is empty") from None
            return self._fit(texts, 1.0, max_features)

    def _vectorizer(self, max_df: float, max_features: int | None) -> Any:
        if counts.supported(self.ngram_range, max_features):  # the same matrix, faster
            return counts.NgramTfidf(tuple(self.ngram_range), self.min_df, max_df,
                                     self.sublinear_tf)
        return TfidfVectorizer(
            token_pattern=r"\S+", lowercase=False, ngram_range=tuple(self.ngram_range),
            min_df=self.min_df, max_df=max_df, sublinear_tf=self.sublinear_tf,
            max_features=max_features, dtype=np.float32)

    def _with_titles(self, X_all: sparse.spmatrix, X_title: sparse.spmatrix) -> sparse.csr_matrix:
        return sparse.hstack([X_all, X_title * np.float32(np.sqrt(self.title_block))],
                             format="csr").astype(np.float32)

    @staticmethod
    def _join(parts: list[sparse.spmatrix]) -> sparse.csr_matrix:
        if len(parts) == 1:
            return parts[0].tocsr()
        return (sparse.hstack(parts, format="csr") / np.sqrt(len(parts))).astype(np.float32)
