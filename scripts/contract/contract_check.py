"""Checks each response the journey gets against the OpenAPI document: the status is one
the operation declares, the media type is the declared one, and a JSON body matches the
declared schema. Used as an httpx response hook, so every call the generated client
makes is checked, whatever the client itself tolerates."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import jsonschema_rs


class ContractCheck:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.violations: list[str] = []
        self._routes = []
        for template, item in spec["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self._routes.append((re.compile(pattern), template, item))
        self._validators: dict[str, Any] = {}

    def _validator(self, key: str, schema: dict[str, Any]) -> Any:
        if key not in self._validators:
            # The schema's $refs point into the document's components.
            root = dict(schema)
            root["components"] = self.spec.get("components", {})
            self._validators[key] = jsonschema_rs.Draft202012Validator(root)
        return self._validators[key]

    def hook(self, response: httpx.Response) -> None:
        response.read()
        self.check(response.request.method, response.request.url.path, response)

    def check(self, method: str, path: str, response: httpx.Response) -> None:
        if not path.startswith("/api/"):
            return
        route = next(((t, item) for rx, t, item in self._routes if rx.match(path)), None)
        where = f"{method} {path} -> {response.status_code}"
        if route is None:
            self.violations.append(f"{where}: no such path in the OpenAPI document")
            return
        template, item = route
        op = item.get(method.lower())
        if op is None:
            self.violations.append(f"{where}: {method} is not documented for {template}")
            return
        responses = op.get("responses", {})
        status = str(response.status_code)
        declared = responses.get(status) or responses.get(status[0] + "XX") or responses.get("default")
        if declared is None:
            self.violations.append(f"{where}: status not documented (documented: {', '.join(sorted(responses))})")
            return
        content = declared.get("content") or {}
        media = response.headers.get("content-type", "").split(";")[0].strip()
        body = response.content
        if not content:
            if body:
                self.violations.append(f"{where}: documented without a body, but got {len(body)} bytes ({media})")
            return
        if media not in content:
            self.violations.append(f"{where}: content type {media!r}, documented: {', '.join(content)}")
            return
        schema = content[media].get("schema")
        if schema is None:
            return
        try:
            value = json.loads(body)
        except ValueError:
            self.violations.append(f"{where}: body is not JSON")
            return
        key = f"{method} {template} {status} {media}"
        for err in self._validator(key, schema).iter_errors(value):
            at = "/" + "/".join(str(p) for p in err.instance_path)
            self.violations.append(f"{where}: body at {at}: {err.message}")
