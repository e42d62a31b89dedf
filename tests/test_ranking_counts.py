"""NgramCounts / NgramTfidf give scikit-learn's TfidfVectorizer matrix exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from reviewkit.ranking.counts import NgramTfidf, supported

# short words over few letters, so prefixes ("a", "ab", "a!") and repeats are common
WORD = st.text(alphabet="ab!-\x01é", min_size=1, max_size=3).filter(lambda w: w.strip() == w
                                                                   and w.split() == [w])
DOC = st.lists(WORD, max_size=8).map(" ".join)


def _reference(ngram: tuple[int, int], min_df, max_df, sublinear: bool) -> TfidfVectorizer:
    return TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=ngram,
                           min_df=min_df, max_df=max_df, sublinear_tf=sublinear,
                           dtype=np.float32)


def _same(A, B) -> bool:
    A, B = A.tocsr(), B.tocsr()
    A.sort_indices()
    B.sort_indices()
    return (A.shape == B.shape and np.array_equal(A.indptr, B.indptr)
            and np.array_equal(A.indices, B.indices) and np.array_equal(A.data, B.data))


@settings(max_examples=300, deadline=None)
@given(docs=st.lists(DOC, min_size=1, max_size=12), new=st.lists(DOC, max_size=4),
       ngram=st.sampled_from([(1, 1), (1, 2)]), max_df=st.sampled_from([1.0, 0.5, 2]),
       min_df=st.sampled_from([1, 2]), sublinear=st.booleans())
def test_matrix_vocabulary_and_transform_equal_scikit_learn(docs, new, ngram, max_df, min_df,
                                                            sublinear):
    ref, ours = _reference(ngram, min_df, max_df, sublinear), NgramTfidf(ngram, min_df, max_df,
                                                                       sublinear)
    try:
        A = ref.fit_transform(docs)
    except ValueError as err:  # the same refusal (empty vocabulary, nothing left after pruning)
        with pytest.raises(ValueError):
            ours.fit_transform(docs)
        assert str(err)
        return
    B = ours.fit_transform(docs)
    assert ours.vocabulary_ == ref.vocabulary_
    assert _same(A, B)
    if new:
        assert _same(ref.transform(new), ours.transform(new))


def test_column_order_puts_a_bigram_between_its_word_and_longer_words():
    docs = ["a b", "ab", "a!", "a", "b a"]
    ours = NgramTfidf((1, 2), 1, 1.0, True)
    ours.fit_transform(docs)
    assert ours.counts.names_ == ["a", "a b", "a!", "ab", "b", "b a"]


def test_only_the_settings_it_reproduces_are_taken():
    assert supported((1, 2), None) and supported((1, 1), None)
    assert not supported((1, 3), None) and not supported((1, 2), 1000)


def test_cells_by_one_sort_equal_cells_after_numbering_the_keys():
    from reviewkit.ranking.counts import _cells

    rng = np.random.default_rng(3)
    keys, docs = rng.integers(0, 40, 500), rng.integers(0, 9, 500)
    shift = 2**60  # key * n no longer fits: the two-step path
    small, big = _cells(keys, docs, 9), _cells(keys + shift, docs, 9)
    assert np.array_equal(small[0], big[0] - shift)
    for a, b in zip(small[1:], big[1:], strict=True):
        assert np.array_equal(a, b)
    assert small[3].sum() == 500 and len(small[0]) == len(set(keys.tolist()))
