"""Simulation on a real labelled dataset: determinism, the order file, the command line."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from helpers import run_cli
from reviewkit.errors import ReviewkitError
from reviewkit.ranking import draw_priors, load_labelled, simulate
from reviewkit.ranking.features import TextFeatures, lemmatise
from reviewkit.ranking.gram import GramSVM, gram
from reviewkit.ranking.metrics import summary
from reviewkit.ranking.models import balanced_weights, feature_params

from conftest import shared_path

UI = "data/screening/Cohen_2006_UrinaryIncontinence.csv"


@pytest.fixture(scope="module")
def ui():
    return load_labelled(shared_path(UI))


def test_simulate_is_deterministic_for_a_seed(ui):
    a = simulate(ui.records, ui.labels, seed=3)
    b = simulate(ui.records, ui.labels, seed=3)
    c = simulate(ui.records, ui.labels, seed=4)
    assert a.order == b.order
    assert a.order != c.order
    assert sorted(a.order) == list(range(len(ui)))             # every record exactly once
    assert a.order[:2] == draw_priors(ui.labels, 1, 1, 3)       # priors first
    assert [ui.labels[i] for i in a.order[:2]] == [1, 0]
    assert a.labels == [ui.labels[i] for i in a.order]


def test_ranking_beats_random_screening(ui):
    m = simulate(ui.records, ui.labels, seed=0).metrics()
    # in a random order WSS@95 is about 0 and a relevant record is found halfway on average
    assert m["wss@95"] > 0.05 and m["atd_fraction"] < 0.4


def test_cold_start_without_relevant_prior(ui):
    sim = simulate(ui.records, ui.labels, seed=1, prior_included=0, prior_excluded=0)
    assert sim.n_priors == 0 and sorted(sim.order) == list(range(len(ui)))
    first_rel = sim.labels.index(1)
    # until the first relevant record, the order is the seeded random permutation
    perm = np.random.default_rng(1).permutation(len(ui))
    assert sim.order[:first_rel + 1] == [int(i) for i in perm[:first_rel + 1]]


def test_gram_refit_is_the_liblinear_svm(ui):
    X = TextFeatures(**feature_params("svm")).fit_transform(ui.records).astype(np.float64)
    y = np.array(ui.labels)
    rng = np.random.default_rng(0)
    idx = np.concatenate([np.flatnonzero(y == 1)[:5], rng.choice(np.flatnonzero(y == 0), 60)])
    idx = np.unique(idx)
    w = balanced_weights(y[idx], 9.8)
    ref = LinearSVC(C=0.11, tol=1e-6, max_iter=100_000).fit(X[idx], y[idx], sample_weight=w)
    expect = X @ ref.coef_.ravel() + ref.intercept_[0]
    got = GramSVM(gram(X)).fit_scores(idx, y[idx], 0.11 * w)
    assert np.abs(got - expect).max() < 1e-3
    assert np.corrcoef(got, expect)[0, 1] > 0.9999


def test_lemmas_come_from_the_lookup_tables():
    assert lemmatise(["Studies of mice, and analyses!"]) == ["study of mouse and analysis"]
    assert lemmatise(["Studies of mice"], lemmas=False) == ["studies of mice"]
    # POS-blind lookups turn engineering into engineer; "plural" folds only -s forms
    assert lemmatise(["Studies in engineering"]) == ["study in engineer"]
    assert lemmatise(["Studies in engineering"], lemmas="plural") == ["study in engineering"]


def test_both_blocks_keep_unit_length():
    texts = ["Personal budgets for drug users", "Budget holders and drugs", "Cattle viruses"]
    X = TextFeatures(lemmas="both", max_df=1.0).fit_transform(texts)
    single = TextFeatures(lemmas=True, max_df=1.0).fit_transform(texts)
    assert X.shape[1] > single.shape[1]
    assert np.allclose(np.sqrt(X.multiply(X).sum(axis=1)).A.ravel(), 1.0, atol=1e-6)


def test_tokens_do_not_depend_on_the_chunk_memo():
    # the same chunk ("cannot", "U.S.", "10mg,") must split as spaCy splits it in context
    texts = ["We cannot say. U.S. trials gave 10mg, daily", "cannot 10mg, U.S."]
    assert lemmatise(texts, lemmas=False) == ["we can not say u.s. trials gave 10 mg daily",
                                              "can not 10 mg u.s."]


@pytest.mark.parametrize("name", ["Cohen_2006_ADHD", "Nagtegaal_2019"])
def test_fast_tokens_are_spacys_tokens(name):
    # the chunk memo and the plain-word shortcut must give exactly spaCy's tokens
    from reviewkit.ranking.features import _spacy, record_text

    data = load_labelled(shared_path(f"data/screening/{name}.csv"))
    texts = [record_text(r) for r in data.records]
    tokenizer, _ = _spacy()
    reference = [" ".join(t.lower_ for t in tokenizer(text) if any(c.isalnum() or c == "_"
                                                                    for c in t.lower_))
                 for text in texts]
    assert lemmatise(texts, lemmas=False) == reference


def test_title_weight_and_title_block():
    records = [{"title": "Personal budgets", "abstract": "Drug users and budgets"},
               {"title": "Cattle", "abstract": "Viruses in cattle herds"},
               {"title": "Budget holders", "abstract": "Interviews with holders"}]
    plain = TextFeatures(lemmas=False, max_df=1.0).fit(records)
    heavy = TextFeatures(lemmas=False, max_df=1.0, title_weight=3).fit(records)
    def weight(model, word):
        return model.transform(records)[0, model.vectorizers_[0].vocabulary_[word]]
    assert weight(heavy, "personal") > weight(plain, "personal")
    assert weight(heavy, "drug") < weight(plain, "drug")
    block = TextFeatures(lemmas=False, max_df=1.0, title_block=0.3)
    X = block.fit_transform(records)
    n_title = len(block.title_vectorizer_.vocabulary_)
    assert X.shape[1] == plain.transform(records).shape[1] + n_title
    # the title block's share of each row's squared length is the weight (both blocks unit)
    assert np.allclose(X[:, -n_title:].multiply(X[:, -n_title:]).sum(axis=1).A.ravel(), 0.3)
    assert abs(block.transform(records) - X).max() < 1e-6
    # plain strings have no title: the block is empty for them
    assert block.transform(["Personal budgets"])[:, -n_title:].nnz == 0


def test_common_words_are_dropped_but_a_tiny_pile_keeps_its_words():
    records = ["budgets for drug users", "budgets for cattle", "budgets and holders",
               "drug holders"]
    model = TextFeatures(lemmas=False, max_df=0.5).fit(records)
    vocab = model.vectorizers_[0].vocabulary_
    assert "budgets" not in vocab and "drug" in vocab  # in 3 of 4 records vs 2 of 4
    # two identical records: every word is in all of them, so none is dropped
    same = TextFeatures(lemmas=False, max_df=0.5).fit_transform(["same words", "same words"])
    assert same.shape[1] == 3 and same.nnz == 6
    with pytest.raises(ReviewkitError, match="no words to rank on"):
        TextFeatures(lemmas=False, max_df=0.5).fit_transform(["", "..."])


def test_cli_writes_the_order_every_metric_is_computed_from(ui, tmp_path):
    out = tmp_path / "order.csv"
    res = run_cli("simulate", str(shared_path(UI)), "--seed", "2", "--out", str(out),
                  "--format", "json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)[0]
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["record_id", "label"]
    assert sorted(r[0] for r in rows[1:]) == sorted(ui.ids)
    again = summary([int(r[1]) for r in rows[1:]], info["priors"])
    for key in ("wss@95", "wss@100", "recall@10%", "n95", "atd"):
        assert again[key] == pytest.approx(info[key])


def test_cli_bad_dataset_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,title,abstract\n1,A title,An abstract\n", encoding="utf-8")
    res = run_cli("simulate", str(bad), cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "label_included" in res.stderr
    res = run_cli("simulate", str(shared_path(UI)), "--model", "nope", cwd=tmp_path)
    assert res.returncode == 2 and "unknown model" in res.stderr


def test_bad_label_names_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,title,abstract,label_included\n1,a,b,1\n2,c,d,maybe\n",
                   encoding="utf-8")
    with pytest.raises(ReviewkitError) as err:
        load_labelled(bad)
    assert err.value.line == 3 and "maybe" in str(err.value)


def test_ris_with_label_tags(tmp_path):
    ris = tmp_path / "set.ris"
    ris.write_text("".join(
        f"TY  - JOUR\nTI  - {t}\nAB  - {a}\nLB  - {lab}\nER  - \n\n" for t, a, lab in [
            ("Budgets for drug users", "Personal budgets in addiction care", 1),
            ("Cattle viruses", "Metagenomics of farm animals", 0),
            ("Personal budgets", "Self-directed support for alcohol users", 1),
            ("Software reviews", "Tertiary study", 0)]), encoding="utf-8")
    data = load_labelled(ris)
    assert data.labels == [1, 0, 1, 0] and len(set(data.ids)) == 4
    sim = simulate(data.records, data.labels, seed=0)
    assert sorted(sim.order) == [0, 1, 2, 3]
