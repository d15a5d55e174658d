#!/usr/bin/env python3
"""Validates peerd's OpenAPI description and answers a running daemon gave.

usage: validate.py DIR
       validate.py --metrics FILE

DIR holds openapi.json (as served at /openapi.json) and answers named
SCHEMA.N.json, each to be checked against #/components/schemas/SCHEMA.
Off-the-shelf validators do the work: openapi-spec-validator for the
description (OpenAPI 3.1), jsonschema (Draft 2020-12, the dialect of
OpenAPI 3.1) for the answers. Exit status 0 when everything is valid.

With --metrics, FILE (an answer of /metrics) goes through the Prometheus
client library's text-format parser, and every sample is printed as one
JSON object per line: {"name": ..., "labels": {...}, "value": ...}.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate


def metrics(path: str) -> int:
    from prometheus_client.parser import text_string_to_metric_families

    text = pathlib.Path(path).read_text()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            print(json.dumps({"name": s.name, "labels": s.labels, "value": s.value}))
    return 0


def main() -> int:
    if sys.argv[1] == "--metrics":
        return metrics(sys.argv[2])
    d = pathlib.Path(sys.argv[1])
    doc = json.loads((d / "openapi.json").read_text())
    validate(doc)
    print("ok    openapi.json is a valid OpenAPI 3.1 description")
    failed = 0
    checked = 0
    for f in sorted(d.glob("*.*.json")):
        name = f.name.split(".")[0]
        if name not in doc["components"]["schemas"]:
            print(f"FAIL  {f.name}: no schema {name}")
            failed += 1
            continue
        root = dict(doc)
        root["$ref"] = f"#/components/schemas/{name}"
        errors = list(Draft202012Validator(root).iter_errors(json.loads(f.read_text())))
        checked += 1
        for e in errors:
            print(f"FAIL  {f.name}: {e.message} at {list(e.absolute_path)}")
        failed += bool(errors)
    print(f"checked {checked} answers, {failed} invalid")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
