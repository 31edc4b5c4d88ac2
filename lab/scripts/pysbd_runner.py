"""pySBD side of `newsflow eval segment` and `newsflow bench segment`.

newsflow-lab embeds this file (src/segment/pysbd.rs) and runs it as `python3 -c <this> MODE`,
with JSON Lines on stdin, one `{"text": ...}` object per line. It prints one JSON object on stdout:

- mode `golden`: {"available": true, "version": V, "sentences": [[...], ...]}, one list of
  stripped, non-empty sentences per input line, in order (pySBD's own test convention);
- mode `bench`:  {"available": true, "version": V, "bytes": N, "seconds": S, "sentences": K},
  the time pySBD takes to segment every text once (UTF-8 bytes in, wall time, one thread).

When pySBD cannot be imported it prints {"available": false, "error": ...} and exits 0, so the
Rust side reports pySBD as unavailable (install with `pip install pysbd`) instead of failing.
"""

import json
import sys
import time


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        import pysbd
    except Exception as err:  # ImportError, or a broken install
        print(json.dumps({"available": False, "error": f"import pysbd failed: {err}"}))
        return
    version = getattr(pysbd, "__version__", "unknown")
    segmenter = pysbd.Segmenter(language="en", clean=False)
    texts = [json.loads(line)["text"] for line in sys.stdin if line.strip()]
    if mode == "golden":
        out = [[s.strip() for s in segmenter.segment(t) if s.strip()] for t in texts]
        print(json.dumps({"available": True, "version": version, "sentences": out}))
    elif mode == "bench":
        nbytes = sum(len(t.encode("utf-8")) for t in texts)
        count = 0
        start = time.perf_counter()
        for t in texts:
            count += len(segmenter.segment(t))
        seconds = time.perf_counter() - start
        print(json.dumps({"available": True, "version": version, "bytes": nbytes,
                          "seconds": seconds, "sentences": count}))
    else:
        print(f"unknown mode {mode!r}; expected golden or bench", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
