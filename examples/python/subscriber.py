#!/usr/bin/env python3
"""A newsflow subscriber in Python: reads events from the NEWSFLOW_EVENTS stream with its own
durable JetStream consumer and validates every event against the JSON Schemas in proto/schemas/.

    pip install -r examples/python/requirements.txt
    python3 examples/python/subscriber.py --subject 'newsflow.events.quote.>' --durable py-quotes

Prints one JSON line per event: {"subject", "schema", "event_id", "revision", "valid",
"errors"} and what the event is about: "title" (article events), "speaker" and "quote" (quote
events), "entity" and "label" (entity events). Without --count it follows the stream until
interrupted; with it, it exits 0 when every event was valid and --count events arrived, 1 when one
was not valid, 2 when --count events did not arrive within --timeout seconds, 3 when it cannot
connect.

It connects to NATS_URL (default nats://127.0.0.1:4222), logging in with NATS_USER and
NATS_PASSWORD or NATS_TOKEN when they are set, and takes its replies under the inbox prefix
_INBOX.reader, the one deploy/nats/permissions.conf gives the reader.
"""

import argparse
import asyncio
import json
import os
import pathlib
import sys

import jsonschema
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

STREAM = "NEWSFLOW_EVENTS"
SCHEMA_HEADER = "Newsflow-Schema"
DEFAULT_SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "proto" / "schemas"
# The reader's replies come under this prefix (deploy/nats/permissions.conf).
INBOX_PREFIX = "_INBOX.reader"
# Events fetched at once, at most.
BATCH = 100


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
        report.update(about(event))
    validator = validators.get(name)
    if validator is None:
        report["errors"].append(f"unknown schema {name!r}")
        return report
    report["errors"] = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(event)]
    report["valid"] = not report["errors"]
    return report


def about(event: dict) -> dict:
    """What a reader wants to see of an event at a glance."""
    quote, entity = event.get("quote"), event.get("entity")
    if isinstance(quote, dict):
        return {"speaker": quote.get("speaker"), "quote": quote.get("text")}
    if isinstance(entity, dict):
        return {"entity": entity.get("name"), "label": entity.get("label")}
    return {"title": event.get("title")}


def credentials() -> dict:
    """Login from the environment, as every newsflow command takes it."""
    if os.environ.get("NATS_TOKEN"):
        return {"token": os.environ["NATS_TOKEN"]}
    if os.environ.get("NATS_USER"):
        return {"user": os.environ["NATS_USER"], "password": os.environ.get("NATS_PASSWORD", "")}
    return {}


async def run(args) -> int:
    validators = load_validators(pathlib.Path(args.schemas))
    try:
        nc = await nats.connect(args.url, inbox_prefix=INBOX_PREFIX, allow_reconnect=True, **credentials())
    except Exception as err:  # nats-py raises several kinds; each means the same to a reader
        print(f"cannot connect to NATS at {args.url}: {err} (set NATS_URL or --url)", file=sys.stderr)
        return 3
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
            wanted = BATCH if args.count is None else min(BATCH, args.count - seen)
            batch = await sub.fetch(batch=wanted, timeout=max(0.1, min(left, 2.0)))
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
    parser.add_argument("--url", default=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"), help="NATS server URL (default: NATS_URL, else nats://127.0.0.1:4222)")
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
