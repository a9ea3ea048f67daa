#!/usr/bin/env python3
"""Checks Convene's 360Giving open data against the standard's own files.

  1. The JSON package validates against 360-giving-package-schema.json with the JSON Schema
     2020-12 validator, format assertion ON (date-time, date and uri are checked, so a
     31 June award date fails). The package schema refers to the grant schema by its 1.4.2
     address while the grant schema's $id is 1.4.3: both addresses map to the local file
     through a referencing.Registry, and nothing is fetched from the network.
  2. Codelists the schema does not enforce: every geoCodeType is in codelists/geoCodeType.csv
     and its geoCode is of an ONS entity of that type (E06... for UA, say). Grant ids are
     unique and start with "360G-".
  3. With --csv: the CSV is unflattened by flattentool with the grant schema and its titles,
        flatten-tool unflatten SHEETS_DIR --input-format csv --encoding utf-8-sig \\
          --schema SCHEMAS/360-giving-schema.json --convert-titles \\
          --root-list-path grants --output-name OUT.json
     (SHEETS_DIR holds the CSV as grants.csv); flattentool must print no warning, the result
     must pass 1 and 2, and its grants must equal the JSON's, field by field, numbers
     compared as decimals (35000.50 equals 35000.5).

usage: check-360giving.py --schemas DIR --json FILE [--csv FILE]
       check-360giving.py --schemas DIR --selftest
Exit 0 when every check passes; 1 listing every failure otherwise.
Run it with the virtualenv that scripts/open_data/setup.sh makes.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

PACKAGE_SCHEMA = "360-giving-package-schema.json"
GRANT_SCHEMA = "360-giving-schema.json"
GRANT_SCHEMA_ADDRESSES = tuple(
    f"https://raw.githubusercontent.com/ThreeSixtyGiving/standard/{v}/schema/{GRANT_SCHEMA}"
    for v in ("1.4.2", "1.4.3")
)
# The formats the 360Giving schemas use; each needs its checker installed (date-time:
# rfc3339-validator, uri: rfc3987), or jsonschema would silently let anything through.
FORMATS = ("date-time", "date", "uri")


class Failed(Exception):
    """A check that cannot go on (missing file, unreadable JSON, missing tool)."""


def refuse_to_fetch(uri: str) -> Any:
    raise NoSuchResource(ref=uri)


def make_validator(schemas: Path, assert_formats: bool = True) -> Draft202012Validator:
    """The package schema's validator; without assert_formats only for the self-test's control."""
    package = read_json(schemas / PACKAGE_SCHEMA)
    grant = read_json(schemas / GRANT_SCHEMA)
    if grant.get("$id") not in GRANT_SCHEMA_ADDRESSES:
        raise Failed(f"{GRANT_SCHEMA} has $id {grant.get('$id')!r}, not one of {GRANT_SCHEMA_ADDRESSES}")
    items_ref = package["properties"]["grants"]["items"].get("$ref")
    if items_ref not in GRANT_SCHEMA_ADDRESSES:
        raise Failed(f"{PACKAGE_SCHEMA} refers to grants as {items_ref!r}, which is not mapped")
    for schema in (package, grant):
        Draft202012Validator.check_schema(schema)
    checker = Draft202012Validator.FORMAT_CHECKER
    missing = [f for f in FORMATS if f not in checker.checkers]
    if missing:
        raise Failed(f"no format checker for {missing}: install scripts/open_data/requirements.txt")
    resource = DRAFT202012.create_resource(grant)
    registry = Registry(retrieve=refuse_to_fetch).with_resources(
        (address, resource) for address in GRANT_SCHEMA_ADDRESSES
    )
    return Draft202012Validator(
        package, registry=registry, format_checker=checker if assert_formats else None
    )


def read_json(path: Path, **kwargs: Any) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f, **kwargs)
    except (OSError, ValueError) as e:
        raise Failed(f"cannot read {path}: {e}") from e


def schema_failures(validator: Draft202012Validator, doc: Any, label: str) -> list[str]:
    failures = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(map(str, error.absolute_path)) or "(top)"
        message = error.message
        if len(repr(error.instance)) > 80:  # a whole grant: the path says which
            message = message.replace(repr(error.instance), "it")
        line = f"{label}: {where}: {message}"
        reasons = sorted({sub.message for sub in error.context or []})
        if reasons:
            line += " (" + "; ".join(reasons) + ")"
        failures.append(line)
    return failures


def read_geo_code_types(schemas: Path) -> dict[str, set[str]]:
    """geoCodeType code -> the ONS entities (E06, W06, ...) it covers."""
    types: dict[str, set[str]] = {}
    with (schemas / "codelists" / "geoCodeType.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            entity = row["Documentation (URL)"].rstrip("/").rsplit("/", 1)[-1]
            types.setdefault(row["Code"], set()).add(entity)
    return types


def locations(grant: dict[str, Any]) -> list[tuple[str, Any]]:
    found = [(f"beneficiaryLocation/{i}", loc) for i, loc in enumerate(grant.get("beneficiaryLocation", []))]
    for key in ("recipientOrganization", "fundingOrganization"):
        for i, org in enumerate(grant.get(key, [])):
            if isinstance(org, dict):
                found += [(f"{key}/{i}/location/{j}", loc) for j, loc in enumerate(org.get("location", []))]
    return found


def codelist_failures(doc: Any, geo_types: dict[str, set[str]], label: str) -> list[str]:
    failures = []
    grants = doc.get("grants", []) if isinstance(doc, dict) else []
    seen: set[str] = set()
    for i, grant in enumerate(grants):
        if not isinstance(grant, dict):
            continue
        gid = grant.get("id")
        if isinstance(gid, str):
            if gid in seen:
                failures.append(f"{label}: grants/{i}: id {gid} is used twice")
            seen.add(gid)
            if not gid.startswith("360G-"):
                failures.append(f"{label}: grants/{i}: id {gid} does not start with 360G-")
        for where, loc in locations(grant):
            code_type, code = loc.get("geoCodeType"), loc.get("geoCode")
            if code_type is None and code is None:
                continue
            at = f"{label}: grants/{i}/{where}"
            if code_type not in geo_types:
                failures.append(f"{at}: geoCodeType {code_type!r} is not in codelists/geoCodeType.csv")
            elif not isinstance(code, str) or code[:3] not in geo_types[code_type]:
                entities = ", ".join(sorted(geo_types[code_type]))
                failures.append(f"{at}: geoCode {code!r} is not a {code_type} code ({entities})")
    return failures


def unflatten(csv_path: Path, schemas: Path, work: Path) -> tuple[Any, list[str]]:
    """Runs flattentool on the CSV; returns the JSON it made and any failures."""
    tool = Path(sys.executable).parent / "flatten-tool"
    if not tool.exists():
        found = shutil.which("flatten-tool")
        if found is None:
            raise Failed("flatten-tool is not installed: run scripts/open_data/setup.sh")
        tool = Path(found)
    sheets = work / "sheets"
    sheets.mkdir()
    shutil.copyfile(csv_path, sheets / "grants.csv")
    out = work / "unflattened.json"
    command = [
        str(tool), "unflatten", str(sheets), "--input-format", "csv", "--encoding", "utf-8-sig",
        "--schema", str(schemas / GRANT_SCHEMA), "--convert-titles",
        "--root-list-path", "grants", "--output-name", str(out),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    failures = []
    if run.returncode != 0:
        failures.append(f"flattentool exited {run.returncode}: {run.stderr.strip()}")
    elif run.stderr.strip():
        failures.append(f"flattentool warned: {run.stderr.strip()}")
    if not out.exists():
        return None, failures or ["flattentool wrote nothing"]
    return read_json(out), failures


def as_decimals(value: Any) -> Any:
    return json.loads(json.dumps(value), parse_float=Decimal, parse_int=Decimal)


def differences(path: str, want: Any, got: Any) -> list[str]:
    """Where two JSON values differ, down to the smallest differing part."""
    if isinstance(want, dict) and isinstance(got, dict):
        keys = sorted(want.keys() | got.keys())
        return [d for k in keys for d in differences(f"{path}/{k}", want.get(k), got.get(k))]
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [d for i, (w, g) in enumerate(zip(want, got)) for d in differences(f"{path}/{i}", w, g)]
    return [] if want == got else [f"{path} is {got!r}, the JSON has {want!r}"]


def compare_grants(from_json: Any, from_csv: Any) -> list[str]:
    def by_id(doc: Any) -> dict[str, Any]:
        grants = doc.get("grants", []) if isinstance(doc, dict) else []
        return {g.get("id"): g for g in as_decimals(grants) if isinstance(g, dict)}

    expected, actual = by_id(from_json), by_id(from_csv)
    failures = [f"csv: grant {gid} is missing" for gid in expected if gid not in actual]
    failures += [f"csv: grant {gid} is not in the JSON" for gid in actual if gid not in expected]
    for gid in expected.keys() & actual.keys():
        failures += [f"csv: grant {gid}: {d}" for d in differences("", expected[gid], actual[gid])]
    return failures


def check(schemas: Path, json_path: Path, csv_path: Path | None) -> list[str]:
    """Every failure of the JSON (and the CSV, when given); empty when all is well."""
    validator = make_validator(schemas)
    geo_types = read_geo_code_types(schemas)
    doc = read_json(json_path)
    failures = schema_failures(validator, doc, "json") + codelist_failures(doc, geo_types, "json")
    if csv_path is not None:
        with tempfile.TemporaryDirectory() as work:
            unflattened, tool_failures = unflatten(csv_path, schemas, Path(work))
        failures += tool_failures
        if unflattened is not None:
            failures += schema_failures(validator, unflattened, "csv")
            failures += codelist_failures(unflattened, geo_types, "csv")
            failures += compare_grants(doc, unflattened)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schemas", required=True, type=Path, help="folder of the 360Giving schemas")
    parser.add_argument("--json", type=Path, help="the 360Giving JSON package")
    parser.add_argument("--csv", type=Path, help="the same grants as one CSV sheet")
    parser.add_argument("--selftest", action="store_true", help="prove that broken data fails")
    args = parser.parse_args()
    try:
        if args.selftest:
            from selftest import selftest  # beside this file

            return selftest(args.schemas, check, make_validator)
        if args.json is None:
            parser.error("--json is required (or --selftest)")
        failures = check(args.schemas, args.json, args.csv)
    except Failed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    count = len(read_json(args.json)["grants"])
    what = f"{args.json} and {args.csv} agree" if args.csv else f"{args.json} is valid"
    print(f"ok: {what}: {count} grant(s), valid 360Giving 1.4 with formats checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
