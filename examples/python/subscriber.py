#!/usr/bin/env python3
"""A newsflow subscriber in Python: reads events from the NEWSFLOW_EVENTS stream with its own
durable JetStream consumer and validates every event against the JSON Schemas in proto/schemas/.

    pip install -r examples/python/requirements.txt
    python3 examples/python/subscriber.py --subject 'newsflow.events.quote.>' --durable py-quotes

Prints one JSON line per event: {"subject", "schema", "event_id", "revision", "valid",
"errors"}. Exits 0 when every event was valid (and --count events arrived, if given), 1 when one
was not, 2 when --count events did not arrive within --timeout seconds.
"""

import argparse
import asyncio
import json
import pathlib
import sys

import jsonschema
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

STREAM = "NEWSFLOW_EVENTS"
SCHEMA_HEADER = "Newsflow-Schema"
DEFAULT_SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "proto" / "schemas"


def load_validators(folder: pathlib.Path) -> dict:
    """One validator per schema name (the file name without .json)."""
    validators = {}
    for path in sorted(folder.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[path.stem] = jsonschema.Draft202012Validator(schema)
    if not validators:
        raise SystemExit(f"no schemas in {folder}")
    return validators


def check(validators: dict, msg) -> dict:
    """What one message is and whether it matches its schema."""
    name = (msg.headers or {}).get(SCHEMA_HEADER, "")
    report = {"subject": msg.subject, "schema": name, "event_id": None, "revision": None, "valid": False, "errors": []}
    try:
        event = json.loads(msg.data)
    except ValueError as err:
        report["errors"].append(f"not JSON: {err}")
        return report
    if isinstance(event, dict):
        report["event_id"] = event.get("event_id")
        report["revision"] = event.get("revision")
    validator = validators.get(name)
    if validator is None:
        report["errors"].append(f"unknown schema {name!r}")
        return report
    report["errors"] = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(event)]
    report["valid"] = not report["errors"]
    return report


async def run(args) -> int:
    validators = load_validators(pathlib.Path(args.schemas))
    nc = await nats.connect(args.url)
    js = nc.jetstream()
    config = ConsumerConfig(
        durable_name=args.durable,
        filter_subject=args.subject,
        deliver_policy=DeliverPolicy.ALL if args.from_start else DeliverPolicy.NEW,
        ack_policy=AckPolicy.EXPLICIT,
    )
    sub = await js.pull_subscribe(args.subject, durable=args.durable, stream=STREAM, config=config)
    seen, invalid = 0, 0
    deadline = asyncio.get_running_loop().time() + args.timeout
    while args.count is None or seen < args.count:
        left = deadline - asyncio.get_running_loop().time()
        if args.count is not None and left <= 0:
            break
        try:
            batch = await sub.fetch(batch=min(100, (args.count or 100) - seen) or 1, timeout=max(0.1, min(left, 2.0)))
        except nats.errors.TimeoutError:
            continue
        for msg in batch:
            report = check(validators, msg)
            print(json.dumps(report), flush=True)
            seen += 1
            invalid += 0 if report["valid"] else 1
            await msg.ack()
    await nc.drain()
    if invalid:
        print(f"{invalid} of {seen} events did not match their schema", file=sys.stderr)
        return 1
    if args.count is not None and seen < args.count:
        print(f"only {seen} of {args.count} events arrived within {args.timeout} s", file=sys.stderr)
        return 2
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="nats://127.0.0.1:4222", help="NATS server URL")
    parser.add_argument("--subject", default="newsflow.events.>", help="subject filter, e.g. newsflow.events.quote.>")
    parser.add_argument("--durable", default="py-subscriber", help="name of the durable consumer (resumes where it stopped)")
    parser.add_argument("--from-start", action="store_true", help="start at the first event the stream holds (when the consumer is new)")
    parser.add_argument("--count", type=int, help="stop after this many events")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for --count events")
    parser.add_argument("--schemas", default=str(DEFAULT_SCHEMAS), help="folder of JSON Schemas")
    args = parser.parse_args()
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
