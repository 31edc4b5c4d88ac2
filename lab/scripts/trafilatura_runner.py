"""Extracts the main text of each page read from stdin (JSON Lines: {"id", "html"}) with
trafilatura, the reference for `newsflow eval extract`, timing the extraction alone on one core.
Prints one JSON object: {"available", "version", "seconds", "texts": {id: text}}, or
{"available": false, "error"} when trafilatura is not installed (`pip install trafilatura`).
"""

import json
import sys
import time

try:
    import trafilatura
except ImportError as err:
    print(json.dumps({"available": False, "error": str(err)}))
    sys.exit(0)

pages = [json.loads(line) for line in sys.stdin if line.strip()]
texts = {}
started = time.perf_counter()
for page in pages:
    texts[page["id"]] = trafilatura.extract(page["html"]) or ""
seconds = time.perf_counter() - started
print(json.dumps({
    "available": True,
    "version": getattr(trafilatura, "__version__", "?"),
    "seconds": seconds,
    "texts": texts,
}))
