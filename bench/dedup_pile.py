"""The synthetic piles bench/dedup_scale.py deduplicates: real records from
../shared/data/screening/*.csv, distinct variants of them (different papers) and
perturbed copies (duplicates), with the ground truth kept (see dedup_scale.py's
docstring for what is varied and why)."""

from __future__ import annotations

import csv
import html
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup import SHARED  # noqa: E402
from dedup_data import read_rows  # noqa: E402

SCREENING = SHARED / "data" / "screening"
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
