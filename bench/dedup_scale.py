"""Deduplication speed and memory at 20k-1M records, reviewkit beside bib-dedupe.

Usage: python bench/dedup_scale.py [--sizes 20000,50000,...] [--no-anchor]
                                   [--seed N] [--keep DIR] [--profile SIZE]
       python bench/dedup_scale.py --incremental 100000 [--added 1000]

--incremental: a real project (store and all) with SIZE records, then one more export
of --added records (duplicates of the first included): prints the dedup after that
import beside a forced full run over all of them, and whether their clusters and
pairs are identical (issue 18: under 2 s at 100k + 1k, the same clusters).

Inputs are built from the real records in ../shared/data/screening/*.csv
(title, abstract, authors, year; about 10,900 after dropping exact repeats):
  - originals: each real record once, then distinct variants of it (k = 1, 2, ...)
    that are different papers, not duplicates: a topical prefix and suffix on the
    title (a different one per variant, so no two share a title start or end),
    other authors, year, journal, pages, DOI, and an abstract spliced from two
    other records. Fields the real data lacks (journal, volume, issue, pages,
    DOI for 70 %, authors/year where empty) are invented from the seed; journals
    come from a generated list of ~1,000 titles with ISO-4-like abbreviations.
  - duplicates: 30 % of originals get 1-3 perturbed copies, with the changes
    seen in the real labelled sets (../shared/data/dedup/): title case, trailing
    period, an HTML entity or tag, a "[Review]" tail, author initials / BibTeX
    " and " / no separators, journal abbreviated, DOI as a dx.doi.org URL or
    missing, pages 221-8 for 221-228, a missing issue or abstract, rarely the
    year off by one. Every copy has at least one change.
The ground truth (dup_group) is kept, so pairwise F1 is printed as a sanity
check. Each input is written as a CSV in the shared dedup schema (so
bench/dedup.py can be run on it too, see --keep) and each tool runs on it in a
fresh child process exactly as in bench/dedup.py (same seconds / peak RSS
definitions; bib-dedupe's quadratic merge step is not run here, it builds
merged records we do not build). bib-dedupe gets ANCHOR_TIMEOUT seconds per
size and is not tried on larger sizes once it times out.

Prints one JSON line per size and tool on stdout, then a table on stderr with
the targets of issue 3: 100k records under 60 s, >= 5x faster than bib-dedupe,
under 2 GB, time growing near-linearly. --profile SIZE also runs ours under
cProfile at that size and prints where the time goes.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import math
import os
import pstats
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup import ANCHOR, OURS, SHARED, result_line, run_tool  # noqa: E402
from dedup_data import read_rows  # noqa: E402

SCREENING = SHARED / "data" / "screening"
SIZES = (20_000, 50_000, 100_000, 200_000)
ANCHOR_TIMEOUT = 600.0   # issue 3: bib-dedupe "up to the size it finishes within 10 minutes"
OURS_TIMEOUT = 3600.0    # only so a regression cannot hang the run
DUP_SHARE = 0.30         # share of originals that get copies (real sets: 25-35 %)
COLUMNS = ("record_id", "source_db", "authors", "year", "title", "journal", "volume", "issue",
           "pages", "doi", "abstract", "isbn_issn", "dup_group", "dup_label")
DATABASES = ("Medline", "Embase", "PsycINFO", "CINAHL", "Web of Science", "Cochrane CENTRAL")

# Title framing for distinct variants: variant k of a record shares its prefix and
# suffix with no other variant of that record up to k = 24 (~400k records).
PREFIXES = (
    "Revisiting", "A reappraisal of", "Long-term perspectives on", "Regional variation in",
    "Sex differences in", "Cost implications of", "Ethical aspects of", "Nursing perspectives on",
    "Patient-reported outcomes and", "Secular trends in", "Socioeconomic gradients in",
    "Rural-urban differences in", "Early experience with", "Barriers and facilitators to",
    "Quality indicators for", "Implementation of", "Genetic determinants of",
    "Seasonal patterns in", "A decade of", "Methodological issues in", "Teaching",
    "Public attitudes to", "Health economic aspects of", "Novel insights into")
SUFFIXES = (
    "in older adults", "in Scandinavia", "a multicentre cohort",
    "results from a national registry", "a qualitative study", "in primary care",
    "evidence from low-income countries", "a retrospective chart review", "in adolescents",
    "a cross-sectional survey", "a Delphi consensus", "in Brazil", "a case series",
    "findings from a pilot study", "lessons from Japan", "a secondary analysis", "in women",
    "in veterans", "a modelling study", "in Africa", "a population-based study", "an audit",
    "in intensive care", "a nested case-control study")

# Journal names: forms x fields gives ~1,000 titles; the abbreviation follows ISO 4 style.
FIELDS = (
    "Cardiology", "Oncology", "Neurology", "Psychiatry", "Paediatrics", "Gastroenterology",
    "Hepatology", "Nephrology", "Urology", "Dermatology", "Rheumatology", "Endocrinology",
    "Diabetes", "Obesity", "Nutrition", "Epidemiology", "Public Health", "Nursing",
    "Midwifery", "Pharmacology", "Toxicology", "Virology", "Microbiology", "Immunology",
    "Infectious Diseases", "Veterinary Science", "Animal Health", "Software Engineering",
    "Information Systems", "Health Policy", "Health Economics", "Behavioural Science",
    "Psychology", "Sociology", "Anaesthesia", "Surgery", "Orthopaedics", "Ophthalmology",
    "Otolaryngology", "Radiology", "Pathology", "Haematology", "Respiratory Medicine",
    "Critical Care", "Emergency Medicine", "Geriatrics", "Rehabilitation", "Sports Medicine",
    "Dentistry", "Genetics", "Biochemistry", "Molecular Biology", "Medical Education",
    "Primary Care", "Family Medicine", "Women's Health", "Men's Health", "Sleep Research",
    "Pain Research", "Addiction")
FORMS = ("Journal of {f}", "International Journal of {f}", "European Journal of {f}",
         "American Journal of {f}", "Annals of {f}", "Clinical {f}", "Archives of {f}",
         "Current Opinion in {f}", "British Journal of {f}", "Scandinavian Journal of {f}",
         "Research in {f}", "Advances in {f}", "Frontiers in {f}", "Reviews in {f}",
         "Journal of Clinical {f}", "Journal of Applied {f}")
ABBREV = {
    "Journal": "J", "International": "Int", "European": "Eur", "American": "Am",
    "Annals": "Ann", "Clinical": "Clin", "Archives": "Arch", "Current": "Curr",
    "Opinion": "Opin", "British": "Br", "Scandinavian": "Scand", "Research": "Res",
    "Advances": "Adv", "Frontiers": "Front", "Reviews": "Rev", "Applied": "Appl",
    "Cardiology": "Cardiol", "Oncology": "Oncol", "Neurology": "Neurol",
    "Psychiatry": "Psychiatry", "Paediatrics": "Paediatr", "Gastroenterology": "Gastroenterol",
    "Hepatology": "Hepatol", "Nephrology": "Nephrol", "Urology": "Urol",
    "Dermatology": "Dermatol", "Rheumatology": "Rheumatol", "Endocrinology": "Endocrinol",
    "Nutrition": "Nutr", "Epidemiology": "Epidemiol", "Public": "Public", "Health": "Health",
    "Nursing": "Nurs", "Pharmacology": "Pharmacol", "Toxicology": "Toxicol",
    "Virology": "Virol", "Microbiology": "Microbiol", "Immunology": "Immunol",
    "Infectious": "Infect", "Diseases": "Dis", "Veterinary": "Vet", "Science": "Sci",
    "Animal": "Anim", "Software": "Softw", "Engineering": "Eng", "Information": "Inf",
    "Systems": "Syst", "Policy": "Policy", "Economics": "Econ", "Behavioural": "Behav",
    "Psychology": "Psychol", "Sociology": "Sociol", "Anaesthesia": "Anaesth",
    "Surgery": "Surg", "Orthopaedics": "Orthop", "Ophthalmology": "Ophthalmol",
    "Otolaryngology": "Otolaryngol", "Radiology": "Radiol", "Pathology": "Pathol",
    "Haematology": "Haematol", "Respiratory": "Respir", "Medicine": "Med",
    "Critical": "Crit", "Care": "Care", "Emergency": "Emerg", "Geriatrics": "Geriatr",
    "Rehabilitation": "Rehabil", "Sports": "Sports", "Dentistry": "Dent",
    "Genetics": "Genet", "Biochemistry": "Biochem", "Molecular": "Mol", "Biology": "Biol",
    "Medical": "Med", "Education": "Educ", "Primary": "Prim", "Family": "Fam",
    "Women's": "Womens", "Men's": "Mens", "Sleep": "Sleep", "Pain": "Pain",
    "Addiction": "Addict", "Diabetes": "Diabetes", "Obesity": "Obes", "Midwifery": "Midwifery"}
STOP = {"of", "in", "and"}


def journals() -> list[tuple[str, str, str, int]]:
    """(full title, abbreviation, ISSN, first year of publication), deterministic."""
    rng = random.Random(1)  # journal list must not depend on the dataset seed
    out = []
    for form in FORMS:
        for field in FIELDS:
            full = form.format(f=field)
            abbrev = " ".join(ABBREV.get(w, w) for w in full.split() if w not in STOP)
            digits = f"{rng.randrange(10**7):07d}"
            issn = f"{digits[:4]}-{digits[4:]}{rng.choice('0123456789X')}"
            out.append((full, abbrev, issn, rng.randint(1950, 2005)))
    return out


# ------------------------------------------------------------------ real base

def base_records(folder: Path = SCREENING) -> list[dict]:
    """The real screening records, each title once (the sets overlap a little)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"needs the labelled screening sets in {folder}")
    seen: set[str] = set()
    out = []
    for path in sorted(folder.glob("*.csv")):
        for row in read_rows(path):
            key = re.sub(r"[^0-9a-z]", "", row["title"].lower())
            if len(key) < 12 or key in seen:
                continue
            seen.add(key)
            out.append({k: row.get(k, "").strip() for k in ("title", "abstract", "authors",
                                                              "year", "doi")})
    return out


def surnames(base: list[dict]) -> list[str]:
    """Real surnames (the part before the comma in 'Simons, F E'), for invented author lists."""
    names = set()
    for rec in base:
        for author in rec["authors"].split(";"):
            name = author.split(",")[0].strip()
            if name and all(c.isalpha() or c in " '-" for c in name):
                names.add(name)
    return sorted(names)


# ------------------------------------------------------------------ generator

class Generator:
    def __init__(self, seed: int, base: list[dict] | None = None) -> None:
        self.rng = random.Random(seed)
        self.base = base if base is not None else base_records()
        self.surnames = surnames(self.base)
        self.journals = journals()
        # Zipf-like journal use: a few journals carry many records, as in real searches
        self.journal_weights = [1 / (i + 1) ** 0.8 for i in range(len(self.journals))]
        self.order = list(range(len(self.base)))
        self.rng.shuffle(self.order)

    def build(self, size: int) -> list[dict]:
        """``size`` rows in the shared dedup schema, shuffled, with dup_group/dup_label."""
        groups: list[list[dict]] = []
        count = 0
        n = 0
        while count < size:
            variant, pos = divmod(n, len(self.base))
            original = self.original(self.base[self.order[pos]], variant, n)
            group = [original]
            if self.rng.random() < DUP_SHARE:
                group += [self.perturb(original) for _ in range(self.rng.randint(1, 3))]
            group = group[: size - count]
            groups.append(group)
            count += len(group)
            n += 1
        rows = [(g, rec) for g, group in enumerate(groups) for rec in group]
        self.rng.shuffle(rows)
        smallest: dict[int, str] = {}
        out = []
        for i, (g, rec) in enumerate(rows):
            rid = f"s{i:07d}"
            smallest.setdefault(g, rid)  # ids grow with i, so the first seen is the smallest
            out.append({"record_id": rid, **rec, "dup_group": smallest[g],
                        "dup_label": "1" if len(groups[g]) > 1 else "0"})
        return out

    def authors(self) -> str:
        rng = self.rng
        names = []
        for _ in range(min(12, 1 + int(rng.expovariate(1 / 3.5)))):
            initials = " ".join(rng.choice("ABCDEFGHIJKLMNOPRSTW")
                                for _ in range(rng.choice((1, 1, 2, 2, 3))))
            names.append(f"{rng.choice(self.surnames)}, {initials}")
        return "; ".join(names)

    def original(self, real: dict, variant: int, n: int) -> dict:
        rng = self.rng
        title = real["title"]
        if variant:
            core = title.rstrip(" .")
            first = core.split(" ", 1)[0]
            if first[1:].islower():  # keep acronyms such as 'DNA' or 'H1-receptor'
                core = core[0].lower() + core[1:]
            k = variant - 1
            prefix = PREFIXES[k % len(PREFIXES)]
            suffix = SUFFIXES[(5 * k + k // len(PREFIXES)) % len(SUFFIXES)]
            title = f"{prefix} {core}: {suffix}"
        authors = real["authors"] if real["authors"] and not variant else self.authors()
        year = int(real["year"]) if real["year"].isdigit() and not variant \
            else rng.randint(1985, 2023)
        if variant:
            abstract = self.spliced_abstract()
        else:
            abstract = real["abstract"]
        full, _, issn, founded = rng.choices(self.journals, self.journal_weights)[0]
        volume = max(1, year - founded + 1)
        start = rng.randint(1, 2400)
        pages = f"{start}-{start + rng.randint(2, 16)}"
        doi = real["doi"] if real["doi"] and not variant else (
            f"10.5555/{full.lower().replace(' ', '')[:12]}.{year}.{n:06d}"
            if rng.random() < 0.7 else "")
        return {"source_db": rng.choice(DATABASES), "authors": authors, "year": str(year),
                "title": title, "journal": full, "volume": str(volume),
                "issue": str(rng.randint(1, 12)), "pages": pages, "doi": doi,
                "abstract": abstract, "isbn_issn": issn}

    def spliced_abstract(self) -> str:
        """First half of one real abstract, second half of another: text of no other record."""
        a = self.base[self.rng.randrange(len(self.base))]["abstract"]
        b = self.base[self.rng.randrange(len(self.base))]["abstract"]
        if not a or not b or self.rng.random() < 0.05:
            return a or b
        sa, sb = a.split(". "), b.split(". ")
        return ". ".join(sa[: max(1, len(sa) // 2)] + sb[len(sb) // 2:])

    def perturb(self, rec: dict) -> dict:
        """A copy as another database would export it; at least one field changes."""
        rng = self.rng
        out = dict(rec, source_db=rng.choice([d for d in DATABASES if d != rec["source_db"]]))
        changes = [fn for fn, p in PERTURBATIONS if rng.random() < p]
        for fn in changes:
            fn(out, rng, self)
        if out == dict(rec, source_db=out["source_db"]):
            _trailing_period(out, rng, self)
        return out


def _title_case(rec: dict, rng: random.Random, gen: Generator) -> None:
    how = rng.choice(("upper", "title", "sentence"))
    t = rec["title"]
    rec["title"] = t.upper() if how == "upper" else t.title() if how == "title" \
        else t[:1].upper() + t[1:].lower()


def _trailing_period(rec: dict, rng: random.Random, gen: Generator) -> None:
    t = rec["title"]
    rec["title"] = t[:-1] if t.endswith(".") else t + "."


def _html(rec: dict, rng: random.Random, gen: Generator) -> None:
    t = rec["title"]
    if not t.isascii():  # accents as numeric entities, as some exports do
        rec["title"] = t.encode("ascii", "xmlcharrefreplace").decode()
    elif "'" in t or "&" in t:
        rec["title"] = html.escape(t, quote=True)
    else:  # a word in italics (species names, trial acronyms)
        words = t.split(" ")
        i = rng.randrange(len(words))
        words[i] = f"<i>{words[i]}</i>"
        rec["title"] = " ".join(words)


def _review_tail(rec: dict, rng: random.Random, gen: Generator) -> None:
    rec["title"] = rec["title"].rstrip(".") + " [Review]"


def _author_style(rec: dict, rng: random.Random, gen: Generator) -> None:
    people = []
    for author in rec["authors"].split(";"):
        last, _, first = author.strip().partition(",")
        initials = [p[0] for p in re.split(r"[\s.-]+", first.strip()) if p]
        people.append((last.strip(), initials))
    how = rng.choice(("initials", "bibtex", "concatenated", "upper"))
    if how == "initials":    # 'Laer S; Mir TS'
        rec["authors"] = "; ".join(f"{last} {''.join(i)}".strip() for last, i in people)
    elif how == "bibtex":    # 'Laer, S. and Mir, T. S.'
        rec["authors"] = " and ".join(
            f"{last}, {' '.join(x + '.' for x in i)}".strip(", ") for last, i in people)
    elif how == "concatenated":  # the diabetes set: 'Adeli K.Lewis G. F.'
        rec["authors"] = "".join(f"{last} {' '.join(x + '.' for x in i)}" for last, i in people)
    else:
        rec["authors"] = rec["authors"].upper()


def _journal_abbrev(rec: dict, rng: random.Random, gen: Generator) -> None:
    for full, abbrev, _, _ in gen.journals:
        if full == rec["journal"]:
            rec["journal"] = abbrev
            return


def _doi(rec: dict, rng: random.Random, gen: Generator) -> None:
    if rec["doi"]:
        rec["doi"] = "" if rng.random() < 0.45 else f"http://dx.doi.org/{rec['doi']}"


def _short_pages(rec: dict, rng: random.Random, gen: Generator) -> None:
    start, _, end = rec["pages"].partition("-")
    common = 0
    while common < len(start) - 1 and len(start) == len(end) and start[common] == end[common]:
        common += 1
    if common:
        rec["pages"] = f"{start}-{end[common:]}"


def _year(rec: dict, rng: random.Random, gen: Generator) -> None:
    rec["year"] = str(int(rec["year"]) + rng.choice((-1, 1)))


def _no_abstract(rec: dict, rng: random.Random, gen: Generator) -> None:
    rec["abstract"] = ""


def _no_issue(rec: dict, rng: random.Random, gen: Generator) -> None:
    rec["issue"] = ""


# (change, probability per copy)
PERTURBATIONS = (
    (_title_case, 0.25), (_trailing_period, 0.3), (_html, 0.1), (_review_tail, 0.05),
    (_author_style, 0.35), (_journal_abbrev, 0.3), (_doi, 0.3), (_short_pages, 0.3),
    (_year, 0.03), (_no_abstract, 0.12), (_no_issue, 0.08))


def write_csv(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


# ------------------------------------------------------------------ running

KEEP = ("records", "seconds", "cpu_seconds", "peak_rss_mb", "workers_peak_rss_mb",
        "base_rss_mb", "pair_f1", "pair_precision", "pair_recall", "removal_specificity",
        "maybe_pairs")


def _line(size: int, tool: str, rows: list[dict], run: dict | None, status: str) -> dict:
    if run is None:
        return {"size": size, "tool": tool, "status": status,
                **dict.fromkeys(KEEP), "records": len(rows)}
    full = result_line(f"scale_{size}", tool, rows, run)
    return {"size": size, "tool": tool, "status": status, **{k: full[k] for k in KEEP}}


def table(lines: list[dict]) -> str:
    by: dict[int, dict[str, dict]] = {}
    for line in lines:
        by.setdefault(line["size"], {})[line["tool"]] = line
    head = (f"{'records':>8} | {'ours s':>7} {'cpu s':>6} {'MB':>6} {'ms/rec':>6} {'F1':>6} "
            f"{'maybe':>5} | {'bib s':>7} {'cpu s':>7} {'MB':>6} {'wMB':>6} {'F1':>6} | "
            f"{'speed-up':>8} {'(cpu)':>6}")
    out = [head, "-" * len(head)]
    prev: tuple[int, float, float] | None = None
    growth = []
    for size in sorted(by):
        ours, bib = by[size].get(OURS), by[size].get(ANCHOR)
        cells = f"{size:>8} | "
        if ours and ours["seconds"] is not None:
            cells += (f"{ours['seconds']:>7.1f} {ours['cpu_seconds']:>6.1f} "
                      f"{ours['peak_rss_mb']:>6.0f} {1000 * ours['seconds'] / size:>6.2f} "
                      f"{ours['pair_f1']:>6.3f} {ours['maybe_pairs']:>5} | ")
            if prev:
                wall = math.log(ours["seconds"] / prev[1]) / math.log(size / prev[0])
                cpu = math.log(ours["cpu_seconds"] / prev[2]) / math.log(size / prev[0])
                growth.append(f"{prev[0] // 1000}k->{size // 1000}k {wall:.2f} (cpu {cpu:.2f})")
            prev = (size, ours["seconds"], ours["cpu_seconds"])
        else:
            cells += f"{ours['status'] if ours else '-':>44} | "
        if bib and bib["seconds"] is not None:
            cells += (f"{bib['seconds']:>7.1f} {bib['cpu_seconds']:>7.1f} "
                      f"{bib['peak_rss_mb']:>6.0f} {bib['workers_peak_rss_mb']:>6.0f} "
                      f"{bib['pair_f1']:>6.3f} | ")
            if ours and ours["seconds"]:
                cells += (f"{bib['seconds'] / ours['seconds']:>7.1f}x "
                          f"{bib['cpu_seconds'] / ours['cpu_seconds']:>5.1f}x")
        else:
            cells += f"{bib['status'] if bib else 'not run':>42} |"
            bound = _lower_bound(bib, ours)
            if bound:
                cells += f" >{bound:>5.1f}x"
        out.append(cells)
    out.append("time growth exponent of ours (1.0 = linear): " + (", ".join(growth) or "-"))
    out.append(_targets(by.get(100_000, {})))
    if by.get(1_000_000, {}).get(OURS):
        out.append(_million(by[1_000_000]))
    out.append("s = wall seconds; cpu s = user+system CPU incl. workers; MB = the child's own "
               "peak RSS (input + work); wMB = bib-dedupe's largest forked worker")
    return "\n".join(out)


def _targets(at: dict[str, dict]) -> str:
    ours, bib = at.get(OURS), at.get(ANCHOR)
    if not ours or ours["seconds"] is None:
        return "targets at 100k: not run"
    marks = [f"<60 s {'ok' if ours['seconds'] < 60 else 'MISS'} ({ours['seconds']:.1f} s)",
             f"<2 GB {'ok' if ours['peak_rss_mb'] < 2048 else 'MISS'} "
             f"({ours['peak_rss_mb']:.0f} MB)"]
    if bib and bib["seconds"] is not None:
        ratio = bib["seconds"] / ours["seconds"]
        marks.append(f">=5x bib-dedupe {'ok' if ratio >= 5 else 'MISS'} ({ratio:.1f}x wall, "
                     f"{bib['cpu_seconds'] / ours['cpu_seconds']:.1f}x cpu)")
    elif bib:
        bound = _lower_bound(bib, ours)
        verdict = f"ok (> {bound:.1f}x, lower bound)" if bound and bound >= 5 else "not measured"
        marks.append(f">=5x bib-dedupe {verdict}: bib-dedupe {bib['status']}")
    return "targets at 100k: " + "; ".join(marks)


def _million(at: dict[str, dict]) -> str:
    """Issue 18: a million records under 5 minutes and under 4 GB."""
    ours = at[OURS]
    if ours["seconds"] is None:
        return f"targets at 1M: {ours['status']}"
    return (f"targets at 1M (issue 18): <300 s {'ok' if ours['seconds'] < 300 else 'MISS'} "
            f"({ours['seconds']:.1f} s); <4 GB {'ok' if ours['peak_rss_mb'] < 4096 else 'MISS'} "
            f"({ours['peak_rss_mb']:.0f} MB)")


def _lower_bound(bib: dict | None, ours: dict | None) -> float | None:
    """bib-dedupe took longer than its timeout (at this size or a smaller one, and its
    time only grows with size), so the speed-up is at least timeout / ours."""
    if not bib or not bib.get("timeout") or not ours or not ours["seconds"]:
        return None
    return bib["timeout"] / ours["seconds"]


EXPORT_COLUMNS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
                  "abstract", "issn")


def _export(rows: list[dict], path: Path) -> Path:
    """Rows as a CSV export a person would import (the shared schema's fields)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(EXPORT_COLUMNS)
        for row in rows:
            out.writerow([row["isbn_issn"] if c == "issn" else row[c] for c in EXPORT_COLUMNS])
    return path


def incremental(size: int, added: int, seed: int, base: list[dict], work: Path) -> dict:
    """A project of ``size`` records, then one more export of ``added``: the dedup after
    that import timed beside a full run over all of them, and their results compared.

    Both exports come from one generated set, so the new file holds duplicates of records
    already in the project. Imports are not timed (they are the import's cost)."""
    import resource

    from reviewkit.dedup.run import last_run, run_dedup
    from reviewkit.io.importer import import_files
    from reviewkit.project import init_project
    from reviewkit.store import open_store

    rows = Generator(seed, base).build(size + added)
    project = init_project(work / f"project_{size}", "Scale", "Incremental dedup")
    store = open_store(project.store_path)
    first = _export(rows[:size], work / f"first_{size}.csv")
    second = _export(rows[size:], work / f"added_{added}.csv")

    def timed(force: bool = False) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        run_dedup(project, store, force=force)
        return time.perf_counter() - t0, time.process_time() - c0

    import_files(project, store, [first])
    before, before_cpu = timed()
    import_files(project, store, [second])
    step, step_cpu = timed()
    run = last_run(store)
    got = (store.clusters(), store.dedup_pairs())
    full, full_cpu = timed(force=True)  # from the records, nothing kept
    same = got == (store.clusters(), store.dedup_pairs())
    store.close()
    for path in (first, second):
        path.unlink()
    import shutil

    shutil.rmtree(project.root)
    return {"size": size, "added": added, "first_run_seconds": round(before, 2),
            "first_run_cpu": round(before_cpu, 2), "incremental_seconds": round(step, 2),
            "incremental_cpu": round(step_cpu, 2), "full_run_seconds": round(full, 2),
            "full_run_cpu": round(full_cpu, 2), "load_average": os.getloadavg()[0],
            "mode": run["mode"], "why": run["why"], "compared_pairs": run["compared"],
            "reused_verdicts": run["reused"], "same_as_full_run": same,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def profile(csv_path: Path, top: int = 25) -> None:
    with tempfile.TemporaryDirectory(prefix="rk-prof-") as tmp:
        out = Path(tmp) / "ours.pstats"
        run_tool(OURS, csv_path, timeout=OURS_TIMEOUT, profile=out)
        stats = pstats.Stats(str(out), stream=sys.stderr)
        stats.strip_dirs()
        for key in ("cumulative", "tottime"):
            print(f"\n== cProfile of {OURS} on {csv_path.name}, by {key} ==", file=sys.stderr)
            stats.sort_stats(key).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                    help="comma-separated record counts")
    ap.add_argument("--no-anchor", action="store_true", help="skip bib-dedupe")
    ap.add_argument("--anchor-python", default=sys.executable)
    ap.add_argument("--anchor-timeout", type=float, default=ANCHOR_TIMEOUT)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--keep", type=Path, help="write the generated CSVs here")
    ap.add_argument("--profile", type=int, metavar="SIZE", help="cProfile ours at this size")
    ap.add_argument("--incremental", type=int, metavar="SIZE",
                    help="only the incremental run: a SIZE-record project plus --added more")
    ap.add_argument("--added", type=int, default=1000)
    args = ap.parse_args(argv)
    if args.incremental:
        with tempfile.TemporaryDirectory(prefix="rk-inc-") as tmp:
            line = incremental(args.incremental, args.added, args.seed, base_records(),
                               Path(tmp))
        print(json.dumps(line), flush=True)
        ok = line["incremental_seconds"] < 2 and line["same_as_full_run"]
        print(f"adding {args.added} records to {args.incremental}: dedup "
              f"{line['incremental_seconds']:.2f} s, {line['incremental_cpu']:.2f} s CPU "
              f"({line['mode']}) beside a full run's {line['full_run_seconds']:.2f} s, "
              f"{line['full_run_cpu']:.2f} s CPU (load {line['load_average']:.1f}); "
              "same clusters and pairs as the full run: "
              f"{line['same_as_full_run']}; target < 2 s and same: {'ok' if ok else 'MISS'}",
              file=sys.stderr)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.keep or Path(tempfile.mkdtemp(prefix="rk-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    base = base_records()
    print(f"{len(base)} real base records; inputs in {work}", file=sys.stderr)
    lines = []
    anchor_status = "" if not args.no_anchor else "skipped (--no-anchor)"
    for size in sorted(set(sizes) | ({args.profile} if args.profile else set())):
        t0 = time.perf_counter()
        rows = Generator(args.seed, base).build(size)  # fresh generator: each size stands alone
        path = work / f"scale_{size}.csv"
        write_csv(rows, path)
        print(f"built {size} records in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        if size in sizes:
            print(f"load average before {size}: {os.getloadavg()[0]:.1f}", file=sys.stderr)
            run = run_tool(OURS, path, timeout=OURS_TIMEOUT, merge=False)
            lines.append(_line(size, OURS, rows, run, "ok" if run else "timed out"))
            print(json.dumps(lines[-1]), flush=True)
            if anchor_status:
                lines.append(_line(size, ANCHOR, rows, None, anchor_status))
                if not args.no_anchor:  # it already took longer than this at a smaller size
                    lines[-1]["timeout"] = args.anchor_timeout
            else:
                run = run_tool(ANCHOR, path, timeout=args.anchor_timeout, merge=False,
                               python=args.anchor_python)
                status = "ok" if run else f"timed out (> {args.anchor_timeout:.0f} s)"
                lines.append(_line(size, ANCHOR, rows, run, status))
                if run is None:  # larger sizes would only take longer
                    anchor_status = f"not tried (timed out at {size})"
                    lines[-1]["timeout"] = args.anchor_timeout
            print(json.dumps(lines[-1]), flush=True)
        if size == args.profile:
            profile(path)
        if not args.keep:
            path.unlink()
    if not args.keep:
        work.rmdir()
    print("\n== dedup scale vs issue 3 targets ==", file=sys.stderr)
    print(table(lines), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
