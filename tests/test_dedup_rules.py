"""Dedup rules for literature the method was not tuned on (issue 18).

Synthetic pairs (invented values) written like the held-out information-systems
set's wrong pairs: each kind once as it should be decided, and with each guard
that keeps specificity. Pairs go through find_duplicates (blocking, scoring,
clustering), so a rule that scoring knows but blocking never reaches fails too.
"""

from __future__ import annotations

from reviewkit.dedup.engine import find_duplicates
from reviewkit.dedup.features import features, journal_tokens, page_range
from reviewkit.dedup.score import CERTAIN, DISTINCT, POSSIBLE, compare, journals_agree

TITLE = "Designing trustworthy recommender agents for online marketplaces"


def rec(**fields) -> dict:
    base = {"title": TITLE, "authors": "Muller, Anna and Schmidt, Jonas", "year": "2019",
            "journal": "", "volume": "", "issue": "", "pages": "", "doi": "",
            "abstract": "", "issn": ""}
    base.update(fields)
    return base


def merged(*records: dict) -> bool:
    """True when every record ends in one cluster."""
    clusters = find_duplicates(list(records)).clusters
    return len(clusters) == 1


def apart(*records: dict) -> bool:
    """True when every record is its own cluster."""
    clusters = find_duplicates(list(records)).clusters
    return len(clusters) == len(records)


def label(a: dict, b: dict) -> str:
    return compare(features(0, a), features(1, b)).label


def venue(a: str, b: str) -> bool | None:
    return journals_agree(journal_tokens(a), journal_tokens(b))


# -- the same conference named differently ---------------------------------------------

def test_conference_names_normalised_from_rules_yaml():
    assert journal_tokens("Proceedings of the 9th International Conference on X Systems") == \
        journal_tokens("9TH INTERNATIONAL CONFERENCE ON X SYSTEMS, VOL 2")
    assert journal_tokens("IEEE International Conference on Services Computing (SCC)") == \
        journal_tokens("2019 IEEE International Conference on Services Computing")
    assert journal_tokens("Proceedings of the Ninth International Conference on X") == \
        ("international", "conference", "x")
    assert venue("Proceedings of the 9th International Conference on X Systems",
                 "9TH INTERNATIONAL JOINT CONFERENCE ON X SYSTEMS AND Y, VOL 2") is True
    # the guard: a different conference on the same topic still differs
    assert venue("International Conference on Information Systems",
                 "European Conference on Information Systems") is False
    # parentheses that are the whole name are kept
    assert journal_tokens("Proc (Bayl Univ Med Cent)") == ("bayl", "univ", "med", "cent")


def test_same_conference_named_differently_merges():
    a = rec(journal="Proceedings of the 9th International Conference on X Systems",
            pages="120--135")
    b = rec(authors="Muller A; Schmidt J",
            journal="9TH INTERNATIONAL JOINT CONFERENCE ON X SYSTEMS AND Y, VOL 2",
            pages="120-135")
    assert label(a, b) == CERTAIN
    assert merged(a, b)
    c = rec(journal="ORG International Conference on T Research (ICTR)", doi="10.1/ictr.7")
    d = rec(journal="2019 ORG International Conference on T Research", doi="10.1/ictr.7")
    assert merged(c, d)


def test_acronym_vs_full_name_a_year_apart_merges():
    a = rec(journal="International Conference on Wissen Wirtschaft", year="2020")
    b = rec(journal="ICWW : digital platforms and their ecosystems", year="2021")
    assert venue(a["journal"], b["journal"]) is True
    assert label(a, b) == CERTAIN
    assert merged(a, b)
    # the guard: initials of another name do not stand for it
    c = dict(b, journal="ICXW : digital platforms and their ecosystems")
    assert venue(a["journal"], c["journal"]) is False
    assert not merged(a, c)


# -- translated title ------------------------------------------------------------------

EN = rec(title="Acceptance of electronic health records among general practitioners",
         authors="Weber, Klaus; Fischer, Eva", year="2009", journal="Wirtschaftsinformatik",
         volume="51", issue="3", pages="245-258")
DE = dict(EN, title="Akzeptanz elektronischer Patientenakten bei Allgemeinmedizinern",
          authors="Weber K, Fischer E")


def test_translated_title_with_the_whole_citation_merges():
    assert label(EN, DE) == CERTAIN
    assert merged(EN, DE)


def test_translated_title_needs_every_part_of_the_citation():
    for part, value in (("issue", "4"), ("pages", "245-259"), ("pages", "245"),
                        ("volume", "52"), ("year", "2010"), ("journal", "Business Research"),
                        ("authors", "Weber, Klaus; Braun, Lena")):
        other = dict(DE, **{part: value})
        assert label(EN, other) == DISTINCT, (part, value)
        assert apart(EN, other), (part, value)


# -- subtitle dropped ------------------------------------------------------------------

SHORT = rec(title="Digital nudging", journal="Proceedings of the 40th International "
            "Conference on X Systems", pages="1-16")
LONG = dict(SHORT, title="Digital nudging: guiding online user choices through interface "
            "design", journal="ICXS 2019 Proceedings of the International Conference on X "
            "Systems")


def test_short_main_title_without_subtitle_merges_on_identical_pages_and_venue():
    assert label(SHORT, LONG) == CERTAIN
    assert merged(SHORT, LONG)
    # a main title of 30 letters or more, proceedings without volume
    a = rec(title="Trust in algorithmic management of gig workers", journal="ECXS",
            pages="77-90")
    b = dict(a, title=a["title"] + ": a longitudinal study of ride hailing drivers")
    assert merged(a, b)


def test_subtitle_rule_needs_the_whole_range_and_the_venue():
    assert apart(SHORT, dict(LONG, pages="1-15"))         # last page differs
    assert apart(dict(SHORT, pages="1"), dict(LONG, pages="1"))  # no whole range
    assert apart(SHORT, dict(LONG, journal="Journal of Y Research"))
    assert apart(SHORT, dict(LONG, authors="Braun, Lena"))


# -- page count vs article number -----------------------------------------------------

def test_page_count_vs_article_number_when_the_doi_ends_in_it():
    doi = "10.1016/j.jsxs.2021.100123"
    a = rec(journal="Journal of X Systems", volume="30", pages="9", doi=doi)
    b = rec(journal="J X Syst", volume="30", pages="100123", doi=doi)
    assert label(a, b) == CERTAIN
    assert merged(a, b)
    assert page_range("180 p") == ("", None, None)  # a page count is not a page
    assert merged(dict(a, pages="180 p"), b)
    # the guard: an article number the DOI does not end in is still a page conflict
    c = dict(b, pages="100124")
    assert label(a, c) != CERTAIN
    assert not merged(a, c)


# -- year typed in the volume field -----------------------------------------------------

def test_year_in_the_volume_field_with_a_rubric_before_the_title():
    a = rec(title="How platform owners govern complementor ecosystems over time",
            journal="Information Systems Research", volume="29", issue="4",
            pages="1023-1040", year="2018")
    b = dict(a, title="Research note: " + a["title"], volume="2018", issue="")
    assert label(a, b) == CERTAIN
    assert merged(a, b)
    # the guard: a volume that is not the year still conflicts
    c = dict(b, volume="31", pages="1023-1041")
    assert label(a, c) != CERTAIN


# -- a recurring editor's column ---------------------------------------------------------

COLUMN = rec(title="From the editor: a column on the state of the discipline",
             authors="Rowe, Frantz", journal="European Journal of X Systems", volume="27")


def test_recurring_column_in_issues_of_one_volume_stays_apart():
    issues = [dict(COLUMN, issue=str(n)) for n in (1, 2, 3, 4)]
    assert label(issues[0], issues[1]) == DISTINCT
    assert apart(*issues)


def test_a_copy_without_issue_does_not_chain_two_issues():
    issues = [dict(COLUMN, issue=str(n)) for n in (1, 2, 3)]
    clusters = find_duplicates([dict(COLUMN)] + issues).clusters
    assert len(clusters) == 3  # the issue-less copy joins one column, never two
    assert all(len(c) <= 2 for c in clusters)


def test_issue_conflict_counts_only_under_its_guards():
    # pages present: a different issue is a typo, the pages decide
    assert merged(dict(COLUMN, issue="2", pages="1-3"), dict(COLUMN, issue="3", pages="1-3"))
    # one volume missing: the issues are not compared
    assert merged(dict(COLUMN, issue="2"), dict(COLUMN, issue="3", volume=""))
    # not small integers (a supplement code, a whole-number issue)
    assert merged(dict(COLUMN, issue="2 Suppl 1"), dict(COLUMN, issue="3"))
    assert merged(dict(COLUMN, issue="101"), dict(COLUMN, issue="102"))


# -- related records that stay apart -------------------------------------------------------

LONG_TITLE = ("A multi-method study of how enterprise social networks change the coordination "
              "of knowledge work in large distributed organisations across three countries")
ARTICLE = rec(title=LONG_TITLE, journal="Journal of X Systems", volume="12", issue="2",
              pages="100-125", doi="10.1/jxs.2019.12.2.100")


def test_erratum_is_not_merged_with_its_article():
    erratum = dict(ARTICLE, title="Correction to: " + LONG_TITLE, issue="4", pages="400",
                   doi="10.1/jxs.2019.12.4.400")
    assert apart(ARTICLE, erratum)
    # without DOIs or pages to tell them apart, at most a person sees the pair
    bare = dict(ARTICLE, pages="", doi="")
    notice = dict(bare, title="Correction to: " + LONG_TITLE)
    assert label(bare, dict(bare, title=LONG_TITLE + ".")) == CERTAIN
    assert label(bare, notice) == POSSIBLE
    result = find_duplicates([bare, notice])
    assert len(result.clusters) == 2 and len(result.queued) == 1


def test_notice_titled_by_one_database_on_the_same_pages_merges():
    # one database titles the erratum note itself by the article it corrects: the same
    # volume, issue and page range say it is one printed item (as in the shared sets)
    note = dict(ARTICLE, issue="6", pages="616-616", doi="")
    assert merged(dict(note, title="Erratum: " + LONG_TITLE), note)


def test_republication_in_the_next_volume_with_a_new_doi_is_not_merged():
    again = dict(ARTICLE, volume="13", issue="1", pages="1-26", year="2020",
                 doi="10.1/jxs.2020.13.1.1")
    assert label(ARTICLE, again) == DISTINCT
    assert apart(ARTICLE, again)


def test_editorial_vs_guest_editorial_is_not_merged():
    a = rec(title="Editorial", authors="Rowe, Frantz", journal="Journal of X Systems",
            volume="12", issue="2")
    b = dict(a, title="Guest editorial: digital platforms")
    assert label(a, b) == DISTINCT
    assert apart(a, b)
    assert apart(dict(a, pages="1-2"), dict(b, pages="1-2"))  # not a subtitle either
    # a generic main title is never rescued as a title without its subtitle
    assert apart(dict(a, pages="1-2"), dict(a, title="Editorial: digital platforms",
                                             pages="1-2"))
