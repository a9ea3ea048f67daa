"""check-360giving.py --selftest: proves the check fails where it must.

A small good package (two funders, two councils) and its CSV must pass. Then each broken
copy must fail for the reason named: a date-time that does not exist (which passes when
format assertion is off, so this proves the format checkers run), a geoCodeType outside the
codelist, a geoCode of the wrong type, a malformed URI, an amount as text, no grants, and
CSVs that lose or change data on the way through flattentool.
"""

from __future__ import annotations

import copy
import csv
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

TITLES = [
    "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
    "Planned Dates:Start Date", "Planned Dates:End Date",
    "Recipient Org:Identifier", "Recipient Org:Name",
    "Beneficiary Location:0:Name", "Beneficiary Location:0:Geographic Code",
    "Beneficiary Location:0:Geographic Code Type",
    "Beneficiary Location:1:Name", "Beneficiary Location:1:Geographic Code",
    "Beneficiary Location:1:Geographic Code Type",
    "Funding Org:0:Identifier", "Funding Org:0:Name", "Funding Org:1:Identifier", "Funding Org:1:Name",
    "Grant Programme:Title",
]  # fmt: skip
ROW = [
    "360G-selftest-1", "Leading, together", "Two councils, \"one\" place", "GBP", "35000.5",
    "2013-06-10T16:00:00Z", "2013-09-01", "2014-08-31", "GB-LAE-YOR", "City of York Council",
    "York", "E06000014", "UA", "Craven", "E07000163", "NMD",
    "GB-GOR-PB188", "Public Health England", "GB-GOR-PB145", "NHS England", "Local Vision",
]  # fmt: skip
GOOD: dict[str, Any] = {
    "version": "1.4",
    "title": "Grants awarded by the self-test",
    "publisher": {"name": "Self-test"},
    "grants": [
        {
            "id": ROW[0],
            "title": ROW[1],
            "description": ROW[2],
            "currency": "GBP",
            "amountAwarded": 35000.5,
            "awardDate": ROW[5],
            "plannedDates": [{"startDate": ROW[6], "endDate": ROW[7]}],
            "recipientOrganization": [{"id": ROW[8], "name": ROW[9]}],
            "beneficiaryLocation": [
                {"name": "York", "geoCode": "E06000014", "geoCodeType": "UA"},
                {"name": "Craven", "geoCode": "E07000163", "geoCodeType": "NMD"},
            ],
            "fundingOrganization": [
                {"id": "GB-GOR-PB188", "name": "Public Health England"},
                {"id": "GB-GOR-PB145", "name": "NHS England"},
            ],
            "grantProgramme": [{"title": "Local Vision"}],
        }
    ],
}


def broken_json() -> list[tuple[str, Callable[[dict[str, Any]], None], str]]:
    """(what, how to break the good package, a phrase the failure must contain)."""

    def grant(doc: dict[str, Any]) -> dict[str, Any]:
        return doc["grants"][0]

    return [
        ("a date-time that does not exist", lambda d: grant(d).update(awardDate="2013-06-31T16:00:00Z"),
         "awardDate"),
        ("a date-time without a zone", lambda d: grant(d).update(awardDate="2013-06-10T16:00:00"),
         "awardDate"),
        ("a geoCodeType outside the codelist",
         lambda d: grant(d)["beneficiaryLocation"][0].update(geoCodeType="ICB"), "not in codelists"),
        ("an ICB's code called a unitary authority",
         lambda d: grant(d)["beneficiaryLocation"][0].update(geoCode="E54000051"), "is not a UA code"),
        ("a malformed URI", lambda d: grant(d).update(dataSource="not a web address"), "dataSource"),
        ("an amount as text", lambda d: grant(d).update(amountAwarded="35000.5"), "amountAwarded"),
        ("no grants", lambda d: d.update(grants=[]), "should be non-empty"),
        ("a grant without funders", lambda d: grant(d).pop("fundingOrganization"),
         "'fundingOrganization' is a required property"),
        ("an id without 360G-", lambda d: grant(d).update(id="selftest-1"), "does not start with 360G-"),
    ]  # fmt: skip


def broken_csv() -> list[tuple[str, Callable[[list[str], list[str]], None], str]]:
    """(what, how to break the good CSV's header and row, a phrase the failure must contain)."""

    def set_cell(title: str, value: str) -> Callable[[list[str], list[str]], None]:
        return lambda header, row: row.__setitem__(header.index(title), value)

    def rename(old: str, new: str) -> Callable[[list[str], list[str]], None]:
        return lambda header, row: header.__setitem__(header.index(old), new)

    return [
        ("a different amount", set_cell("Amount Awarded", "35000.51"), "amountAwarded"),
        ("an amount that is not a number", set_cell("Amount Awarded", "£35,000"), "flattentool warned"),
        ("a funder lost", set_cell("Funding Org:1:Identifier", ""), "fundingOrganization"),
        ("a wrong geoCodeType", set_cell("Beneficiary Location:1:Geographic Code Type", "UA"),
         "is not a UA code"),
        ("a column the standard lacks", rename("Grant Programme:Title", "Programme"), "grantProgramme"),
        ("a bad award date", set_cell("Award Date", "10/06/2013"), "awardDate"),
    ]  # fmt: skip


def write_case(work: Path, doc: dict[str, Any], header: list[str], row: list[str]) -> tuple[Path, Path]:
    json_path, csv_path = work / "case.json", work / "case.csv"
    json_path.write_text(json.dumps(doc), encoding="utf-8")
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, row])
    return json_path, csv_path


def selftest(schemas: Path, check: Callable[..., list[str]], make_validator: Callable[..., Any]) -> int:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        good_json, good_csv = write_case(work, GOOD, TITLES, ROW)
        for failure in check(schemas, good_json, good_csv):
            problems.append(f"the good package failed: {failure}")
        for what, breaker, phrase in broken_json():
            doc = copy.deepcopy(GOOD)
            breaker(doc)
            json_path, _ = write_case(work, doc, TITLES, ROW)
            problems += expect_failure(what, check(schemas, json_path, None), phrase)
        for what, breaker, phrase in broken_csv():
            header, row = list(TITLES), list(ROW)
            breaker(header, row)
            problems += expect_failure(what, check(schemas, *write_case(work, GOOD, header, row)), phrase)
    problems += control(schemas, make_validator)
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems:
        return 1
    print(
        f"ok: selftest: the good package passes and all {len(broken_json()) + len(broken_csv())} broken ones fail"
    )
    return 0


def expect_failure(what: str, failures: list[str], phrase: str) -> list[str]:
    if any(phrase in f for f in failures):
        print(f"ok: {what} fails: {next(f for f in failures if phrase in f)}")
        return []
    return [f"{what} should fail with {phrase!r}, got {failures or 'no failure'}"]


def control(schemas: Path, make_validator: Callable[..., Any]) -> list[str]:
    """The format checker is what fails the impossible date: without format assertion that
    date passes. (Without it the good package fails instead: a plain planned date then
    matches both the date-time and the date branch of the schema's oneOf.)"""
    validator, lax = make_validator(schemas), make_validator(schemas, assert_formats=False)
    doc = copy.deepcopy(GOOD)
    doc["grants"][0]["awardDate"] = "2013-06-31T16:00:00Z"
    del doc["grants"][0]["plannedDates"]
    problems = []
    if not lax.is_valid(doc):
        problems.append("control: the impossible date fails even without format assertion")
    if validator.is_valid(doc):
        problems.append("control: the impossible date passes with format assertion")
    if lax.is_valid(GOOD):
        problems.append("control: plain planned dates pass without format assertion")
    if not problems:
        print("ok: control: without format assertion the impossible date passes (and the good package fails)")
    return problems
