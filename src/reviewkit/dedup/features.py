"""Normalised comparison features of one record, computed once per record."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from reviewkit.records.normalise import doi as norm_doi

# combining marks left by NFKD (accents): dropped in one C-level pass
_COMBINING = dict.fromkeys(c for c in range(0x300, 0x370))
_COMBINING.update(dict.fromkeys(range(0x1AB0, 0x1B00)))
_COMBINING.update(dict.fromkeys(range(0x1DC0, 0x1E00)))
_COMBINING.update(dict.fromkeys(range(0x20D0, 0x2100)))
_TAGS = re.compile(r"<[^>]{1,40}>")
_NONWORD = re.compile(r"[^0-9a-z]+")
_TAIL = re.compile(r"\s*[\[(]([^\[\]()]{1,60})[\])]\s*\.?\s*$")
_LA_SUFFIX = re.compile(r"\s+la:\s*[a-z]{2,4}\.?\s*$")
_NUMBER = re.compile(r"\d+")
_MANGLED = re.compile(r"^\s*\d*\)")  # '1)' left from '38 (Supplement 1)'
_PAGE = re.compile(r"^([a-z]*)0*(\d+)")
_EXCEL = re.compile(r"^(\d{1,2})-([a-z]{3})$")
_EXCEL_MD = re.compile(r"^([a-z]{3})-(\d{1,2})$")
_LAST_NUMBER = re.compile(r"(\d+)\D*$")
_PAGE_COUNT = re.compile(r"^\d+\s*(p|pp|pages|s|seiten)\.?$")  # '180 p': a count, not a page
_DASH_RUN = re.compile(r"-{2,}")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u2212": "-"})


@cache
def rules() -> dict:
    text = resources.files("reviewkit.dedup").joinpath("rules.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    venue = data["venue"]
    lists = {k: data[k] for k in ("generic_titles", "title_tail_words", "journal_stopwords",
                                  "notice_words", "title_rubrics")}
    lists.update({f"venue.{k}": venue[k] for k in ("drop_words", "organisations")})
    for key, words in lists.items():
        odd = [w for w in words if not isinstance(w, str)]
        if odd:  # YAML reads a bare on/off/yes/no as a boolean: quote it in rules.yaml
            raise ValueError(f"rules.yaml {key}: {odd!r} is not a word; quote it")
    data["generic_titles"] = {_NONWORD.sub("", t) for t in data["generic_titles"]}
    data["title_tail_words"] = set(data["title_tail_words"])
    data["journal_stopwords"] = set(data["journal_stopwords"])
    data["rubric_first"] = {}
    for w in data["title_rubrics"]:
        data["rubric_first"].setdefault(w.split()[0], []).append(_NONWORD.sub("", w))
    data["notice_words"] = [tuple(w.split()) for w in data["notice_words"]]
    data["notice_first"] = {}
    for phrase in data["notice_words"]:
        data["notice_first"].setdefault(phrase[0], []).append(phrase)
    venue["drop"] = set(venue["drop_words"]) | set(venue["organisations"])
    venue["ordinal_re"] = re.compile(venue["ordinal"])
    return data


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: entities decoded, tags and accents dropped."""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAGS.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_COMBINING)
    return text.lower()


def title_words(title: str) -> str:
    """Title as space-separated words, without brackets and language/review tails."""
    t = fold(title).strip()
    t = _LA_SUFFIX.sub("", t)
    if t.startswith("[") and t.rstrip(". ").endswith("]"):
        t = t.strip("[]. ")  # MEDLINE brackets translated titles
    tail_words = rules()["title_tail_words"]
    for _ in range(3):
        m = _TAIL.search(t)
        if not m or m.start() < 10:
            break
        words = set(_NONWORD.sub(" ", m.group(1)).split())
        if not words or not words <= tail_words:
            break
        t = t[: m.start()]
    return " ".join(_NONWORD.sub(" ", t).split())


def author_tokens(authors: str) -> tuple[str, ...]:
    """Surname-like tokens in order: initials dropped, whatever the separator style."""
    a = fold(authors)
    a = re.sub(r"\([^)]*\)", " ", a)  # e-mails and ids in parentheses
    out = []
    for tok in _NONWORD.sub(" ", a).split():
        if len(tok) > 1 and tok not in ("and", "et", "al"):
            out.append(tok)
    return tuple(out)


_PARENS = re.compile(r"\([^()]*\)")


@cache  # journal names repeat across thousands of records
def journal_tokens(journal: str) -> tuple[str, ...]:
    """Venue words that name the venue: stopwords, numbers, ordinals, 'proceedings',
    'joint', 'vol 2', organisation prefixes and a parenthesised acronym left out."""
    r = rules()
    stop, venue = r["journal_stopwords"], r["venue"]
    drop, ordinal = venue["drop"], venue["ordinal_re"]
    folded = fold(journal)

    def words(text: str) -> tuple[str, ...]:
        return tuple(t for t in _NONWORD.sub(" ", text).split()
                     if t not in stop and t not in drop and not ordinal.match(t))
    # '(ICXX)' repeats what the name says; 'Proc (Bayl Univ Med Cent)' is all name
    return words(_PARENS.sub(" ", folded)) or words(folded)


def notice(title: str) -> bool:
    """True for an erratum, retraction or correction notice ('Erratum: <title>').

    Only a leading word counts: MEDLINE appends '[Erratum appears in ...]' to the
    article's own title."""
    first, _, rest = title.partition(" ")
    phrases = rules()["notice_first"].get(first)
    if not phrases:
        return False  # almost every title: one dict look-up
    words = (first, *rest.split(" ", 3)[:3])
    return any(words[:len(phrase)] == phrase for phrase in phrases)


def bare_key(title: str, key: str) -> str:
    """The key without a rubric before the title ('Research note: ...'), or ''."""
    rubrics = rules()["rubric_first"].get(title.partition(" ")[0])
    for rubric in rubrics or ():
        if key.startswith(rubric) and len(key) > len(rubric):
            return key[len(rubric):]
    return ""


def doi_tail(doi: str) -> int | None:
    """The DOI's last run of digits: an article number ('10.1016/j.x.2020.100123')."""
    m = _LAST_NUMBER.search(doi) if doi else None
    return int(m.group(1)) if m else None


def first_number(value: str) -> str:
    m = _NUMBER.search(value or "")
    return m.group(0).lstrip("0") or "0" if m else ""


def page_range(pages: str) -> tuple[str, int | None, int | None]:
    """(letter prefix, first page, last page): '221-8' -> ('', 221, 228).

    'e0137960' -> ('e', 137960, None): article numbers (e-, c-, S-prefixed) and
    printed pages are different kinds.
    """
    # '120--135' is BibTeX's en dash: one separator, not an empty end page
    p = _DASH_RUN.sub("-", (pages or "").translate(_DASHES)).strip().lower()
    if not p or not any(c.isdigit() for c in p) or _PAGE_COUNT.match(p):
        return "", None, None
    months = rules()["months"]
    m = _EXCEL.match(p)
    if m and m.group(2) in months:  # '21-Aug' was 21-8 (21-28), '11-Sep' was 11-9 (11-19)
        return "", int(m.group(1)), _expand(int(m.group(1)), months[m.group(2)])
    m = _EXCEL_MD.match(p)
    if m and m.group(1) in months:  # 'Nov-19' was 11-19
        return "", months[m.group(1)], _expand(months[m.group(1)], int(m.group(2)))
    first = re.split(r"[;,]", p)[0].strip()
    start, _, end = first.partition("-")
    m = _PAGE.match(start.strip())
    if not m:
        return "", None, None
    prefix, digits = m.group(1), m.group(2)
    last = None
    m_end = _PAGE.match(end.strip())
    if m_end and m_end.group(2):
        last = _expand(int(digits), int(m_end.group(2)))
    return prefix, int(digits), last


def _expand(start: int, end: int) -> int:
    """221-8 -> 228: an end page written with only its last digits."""
    if end >= start:
        return end
    s, e = str(start), str(end)
    full = int(s[: len(s) - len(e)] + e) if len(e) < len(s) else end
    return full if full >= start else end


@dataclass(slots=True)
class Features:
    index: int
    title: str            # words, space separated
    key: str              # letters and digits only
    bare_key: str         # key without a rubric ('Research note: '), '' if none
    generic: bool
    notice: bool          # an erratum or retraction notice
    authors: tuple[str, ...]
    first_author: str
    year: int | None
    journal: tuple[str, ...]
    volume: str
    issue: str
    issue_numbers: frozenset[str]   # every number in the issue field ('3 SUPPL. 1')
    pages: tuple[str, int | None, int | None]
    spage: str            # prefix + first page, for blocking
    doi: str
    doi_tail: int | None  # an article number the DOI ends in
    abstract: str
    issn: frozenset[str]


def features(index: int, rec: dict) -> Features:
    """``rec`` is a plain dict of the record's fields (title, authors as one string, ...)."""
    title = title_words(rec.get("title") or "")
    key = title.replace(" ", "")
    r = rules()
    generic = key in r["generic_titles"] or len(key) < r["generic_title_length"]
    authors = author_tokens(rec.get("authors") or "")
    volume_text = rec.get("volume") or ""
    pages = page_range(rec.get("pages") or "")
    abstract = _NONWORD.sub(" ", fold((rec.get("abstract") or "")[:600])).strip()
    issn = frozenset(re.findall(r"\d{4}-?\d{3}[\dxX]", rec.get("issn") or ""))
    year = rec.get("year")
    doi = norm_doi(rec.get("doi") or "")
    return Features(
        index=index, title=title, key=key, bare_key=bare_key(title, key), generic=generic,
        notice=notice(title), authors=authors,
        first_author=authors[0] if authors else "",
        year=int(year) if str(year or "").isdigit() else None,
        journal=journal_tokens(rec.get("journal") or ""),
        volume="" if _MANGLED.search(volume_text) else first_number(volume_text),
        issue=first_number(rec.get("issue") or ""),
        issue_numbers=frozenset(n.lstrip("0") for n in _NUMBER.findall(
            (rec.get("issue") or "") + " " + volume_text[len(first_number(volume_text)):])),
        pages=pages, spage=f"{pages[0]}{pages[1]}" if pages[1] is not None else "",
        doi=doi, doi_tail=doi_tail(doi), abstract=abstract[:400],
        issn=frozenset(i.replace("-", "").upper() for i in issn),
    )
