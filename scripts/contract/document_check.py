#!/usr/bin/env python3
"""Checks what a validator cannot about docs/openapi.json: that every status a route can
answer is documented, and how public operations are declared.

  - every operation has an operationId and a tag;
  - an operation that needs a token (the document's default security) documents 401 and
    403; a public one declares `security: []` (no requirement at all, not `[{}]`, which
    would mean "a token is optional");
  - a path that names a record documents 404; an `{id}` in the path, a query parameter or
    a body, 400; a body, 413, 415 and 422;
  - every documented 4xx answer is application/problem+json;
  - every request body is an object schema that says which fields are required;
  - the operation that makes tokens from a password documents 429 (its throttle).

usage: document_check.py OPENAPI_JSON   (exit 1 listing every problem)
"""

from __future__ import annotations

import json
import sys
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch")


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def check_operation(doc: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> list[str]:
    where = f"{method.upper()} {path}"
    problems = []
    responses = op.get("responses", {})
    if not op.get("operationId"):
        problems.append(f"{where}: no operationId")
    if not op.get("tags"):
        problems.append(f"{where}: no tag")
    security = op.get("security", doc.get("security", []))
    public = security == []
    if "security" in op and not public and all(req == {} for req in security):
        problems.append(f"{where}: declares security {security!r}; a public operation declares `security: []`")
    need = set()
    if not public:
        need |= {"401", "403"}
    if "{" in path:
        need.add("404")
    has_query = any(p.get("in") == "query" for p in op.get("parameters", []))
    body = op.get("requestBody")
    if "{id}" in path or has_query or body:
        need.add("400")
    if body:
        need |= {"413", "415", "422"}
    if op.get("operationId") == "create_token":
        need.add("429")
    for status in sorted(need - set(responses)):
        problems.append(f"{where}: does not document {status}")
    for status, response in responses.items():
        if status.startswith("4") and "application/problem+json" not in response.get("content", {}):
            problems.append(f"{where}: {status} is not documented as application/problem+json")
    if body:
        content = body.get("content", {}).get("application/json")
        if content is None:
            problems.append(f"{where}: the body is not application/json")
        else:
            schema = resolve(doc, content.get("schema", {}))
            if schema.get("type") != "object" or not schema.get("required"):
                problems.append(f"{where}: the body's schema is not an object with required fields")
    return problems


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    problems = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                problems += check_operation(doc, path, method, item[method])
    for p in problems:
        print(f"[document] {p}")
    if problems:
        print(f"[document] {len(problems)} problem(s) in the OpenAPI document")
        return 1
    print("[document] every operation documents its statuses; public operations take no token")
    return 0


if __name__ == "__main__":
    sys.exit(main())
