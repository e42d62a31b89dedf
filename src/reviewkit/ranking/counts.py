"""Word 1-2-gram counts of space-separated token strings, with array operations.

The same matrix as scikit-learn's ``CountVectorizer(token_pattern=r"\\S+",
lowercase=False, ngram_range=(1, 1) or (1, 2), min_df, max_df)``: the same
vocabulary in the same (sorted) column order, the same counts
(tests/test_ranking_counts.py). scikit-learn builds each bigram as a Python
string, which was two thirds of the feature time on a 2,300-record pile; here
each token is numbered once and a bigram is a pair of numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain, repeat
from numbers import Integral

import numpy as np
from scipy import sparse

_CONTROL = re.compile(r"[\x00-\x1f]")


def supported(ngram_range: tuple[int, int], max_features: int | None) -> bool:
    return tuple(ngram_range) in ((1, 1), (1, 2)) and max_features is None


def _cells(keys: np.ndarray, docs: np.ndarray, n: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys, and per (key, document) cell: key number, document, count).

    One sort of key * n + document when that fits in 63 bits (it does below about
    a million distinct tokens at a million records), else the keys numbered first.
    """
    top = int(keys.max()) + 1
    if top * n < 2**62:
        cell, tf = np.unique(keys * n + docs, return_counts=True)
        key = cell // n
        first = np.empty(len(key), dtype=bool)
        first[:1] = True
        first[1:] = key[1:] != key[:-1]
        return key[first], np.cumsum(first) - 1, cell % n, tf
    uniq, inv = np.unique(keys, return_inverse=True)
    cell, tf = np.unique(inv.astype(np.int64) * n + docs, return_counts=True)
    return uniq, cell // n, cell % n, tf


class NgramCounts:
    """fit_transform / transform like CountVectorizer, for the settings ``supported`` allows."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_df: int | float = 1,
                 max_df: int | float = 1.0, dtype: type = np.float32) -> None:
        self.ngram_range, self.min_df, self.max_df = tuple(ngram_range), min_df, max_df
        self.dtype = dtype

    def _ids(self, texts: Sequence[str], grow: bool) -> tuple[np.ndarray, np.ndarray]:
        """(token numbers, document of each); unknown tokens are -1 when not ``grow``."""
        split = list(map(str.split, texts))
        lens = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        words = list(chain.from_iterable(split))
        if grow:  # numbered in order of first occurrence
            for w in dict.fromkeys(words):
                self.tokens_.setdefault(w, len(self.tokens_))
            ids = map(self.tokens_.__getitem__, words)
        else:
            ids = map(self.tokens_.get, words, repeat(-1))
        doc = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
        return np.fromiter(ids, dtype=np.int64, count=len(words)), doc

    def _keys(self, ids: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """n-gram keys (a token t is t; a bigram a b is V + a*V + b) and their documents."""
        V = max(len(self.tokens_), 1)
        ok = ids >= 0
        keys, docs = [ids[ok]], [doc[ok]]
        if self.ngram_range[1] == 2 and len(ids) > 1:
            pair = (doc[1:] == doc[:-1]) & ok[1:] & ok[:-1]
            keys.append(V + ids[:-1][pair] * V + ids[1:][pair])
            docs.append(doc[1:][pair])
        return np.concatenate(keys), np.concatenate(docs)

    def _name(self, key: int, words: list[str]) -> str:
        V = max(len(words), 1)
        if key < V:
            return words[key]
        a, b = divmod(key - V, V)
        return f"{words[a]} {words[b]}"

    def _by_name(self, keys: np.ndarray) -> np.ndarray:
        """The order of ``keys`` by their names, as CountVectorizer sorts its columns.

        "a b" sorts as the pair (a, b) after "a" alone, because the space sorts
        before any character of a token. Only a token that is another token plus a
        control character (below the space) and more breaks that ("a\x01" sorts
        before "a b"); then the names themselves are sorted.
        """
        words = list(self.tokens_)
        V = max(len(words), 1)
        if self._prefix_clash(words):
            names = [self._name(int(k), words) for k in keys]
            return np.asarray(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
        rank = np.empty(V, dtype=np.int64)
        rank[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
        uni = keys < V
        first = np.where(uni, keys, (keys - V) // V)
        second = np.where(uni, -1, rank[(keys - V) % V])
        return np.lexsort((second, rank[first]))

    def _prefix_clash(self, words: list[str]) -> bool:
        """Whether some token is another token followed by a control character."""
        if not _CONTROL.search("".join(words)):
            return False
        return any(m.start() > 0 and w[:m.start()] in self.tokens_
                   for w in words if _CONTROL.search(w) for m in _CONTROL.finditer(w))

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        n = len(texts)
        self.tokens_: dict[str, int] = {}
        keys, docs = self._keys(*self._ids(texts, grow=True))
        if not len(keys):
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        uniq, feat, row, tf = _cells(keys, docs, n)
        df = np.bincount(feat, minlength=len(uniq))
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        keep = (df <= high) & (df >= low)
        if not keep.any():
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher "
                             "max_df.")
        kept = np.flatnonzero(keep)
        by_name = self._by_name(uniq[kept])
        col = np.full(len(uniq), -1, dtype=np.int64)
        col[kept[by_name]] = np.arange(len(kept))
        self.keys_, self.cols_ = uniq[kept], col[kept]  # sorted keys -> their columns
        self.sorted_keys_ = uniq[kept][by_name]
        c = col[feat]
        m = c >= 0
        return self._matrix(row[m], c[m], tf[m], n)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        n = len(texts)
        keys, docs = self._keys(*self._ids(texts, grow=False))
        at = np.searchsorted(self.keys_, keys)
        at[at == len(self.keys_)] = 0
        m = (self.keys_[at] == keys) if len(self.keys_) else np.zeros(len(keys), bool)
        cell, tf = np.unique(self.cols_[at[m]] * n + docs[m], return_counts=True)
        return self._matrix(cell % n, cell // n, tf, n)

    def _matrix(self, rows: np.ndarray, cols: np.ndarray, tf: np.ndarray, n: int
                ) -> sparse.csr_matrix:
        X = sparse.csr_matrix((tf.astype(self.dtype), (rows, cols)),
                              shape=(n, len(self.keys_)))
        X.sort_indices()
        return X

    @property
    def names_(self) -> list[str]:
        words = list(self.tokens_)
        return [self._name(int(k), words) for k in self.sorted_keys_]

    @property
    def vocabulary_(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names_)}

    def get_feature_names_out(self) -> np.ndarray:
        return np.asarray(self.names_, dtype=object)


class NgramTfidf:
    """NgramCounts then scikit-learn's own TfidfTransformer: TfidfVectorizer's matrix."""

    def __init__(self, ngram_range: tuple[int, int], min_df: int | float,
                 max_df: int | float, sublinear_tf: bool, dtype: type = np.float32) -> None:
        from sklearn.feature_extraction.text import TfidfTransformer

        self.counts = NgramCounts(ngram_range, min_df, max_df, dtype)
        self.tfidf = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True,
                                      sublinear_tf=sublinear_tf)

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        X = self.counts.fit_transform(texts)
        return self.tfidf.fit(X).transform(X, copy=False)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.tfidf.transform(self.counts.transform(texts), copy=False)

    @property
    def vocabulary_(self) -> dict[str, int]:
        return self.counts.vocabulary_
