#!/usr/bin/env python3
"""Prepares a fresh demo for schemathesis and writes its configuration.

Random ids almost never name a record, so most operations would only ever answer 404.
This makes a few records of each kind through the API (a round not yet open, with no
form; a draft application; a pending role request), reads the awards the demo has, and
writes a schemathesis config in which each id-taking parameter is drawn half the time
from the ids that exist (and the other half generated as usual). It also writes a Web Fuzzing Commons auth file of two
place leads of different places, for the object-level authorization pass.

API tokens come from POST /api/v1/tokens.

Some operations check what their document cannot describe: real calendar dates and their
order (a new round), keys unique across a form, answers against the round's questions,
and a password's strength. A body that matches the document may still be refused there
with 422, so for those operations (and only those) 422 is an expected answer to valid
data (`checks.positive_data_acceptance`, see CROSS_FIELD_CHECKS).

usage: seed.py BASE_URL OUT_DIR
Writes OUT_DIR/schemathesis.toml, OUT_DIR/wfc-auth.json, OUT_DIR/admin.token.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_session import api_token, link_from_mail

PASSWORD = "convene-demo-2026"


def call(client: httpx.Client, method: str, path: str, expect: int, **kw) -> object:
    res = client.request(method, "/api/v1" + path, **kw)
    if res.status_code != expect:
        raise SystemExit(f"seed: {method} {path}: expected {expect}, got {res.status_code}: {res.text[:300]}")
    return res.json() if res.content else None


def bearer(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30.0)


# Operations whose checks the document cannot describe (see above), and why.
CROSS_FIELD_CHECKS = {
    "/api/v1/programmes/{slug}/rounds": "real calendar dates, in order; a name not used in the programme",
    "/api/v1/rounds/{id}/form": "keys unique across the form and not reserved; money bounds in order; one pledge",
    "/api/v1/applications/{id}/sections/{key}": "each answer against its question in the round's form",
    "/api/v1/registrations": "the password's strength (not a common or guessable password)",
    "/api/v1/places/{id}/chair": "an address our email rules accept, which are stricter than the format's",
    "/api/v1/rounds/{id}/panel/members": "an address with an account; the round's own themes; one of the nine regions",
    "/api/v1/rounds/{id}/panel/chair": "a member of this round's panel",
    "/api/v1/rounds/{id}/panel/settings": "no more reviews per application than the panel has members",
    "/api/v1/rounds/{id}/rubric": "weights that add up to 100, keys used once, a descriptor for every point",
    "/api/v1/rounds/{id}/assignment/changes": "an assigned pair of the round, and a member with no conflict and room",
    "/api/v1/applications/{id}/moderation": "an agreed score in tenths from 1 to 5",
    "/api/v1/applications/{id}/review": "scores for the rubric's own criteria, each from 1 to 5",
    "/api/v1/applications/{id}/bid": "a bid from 0 to 3 on a submitted application you may see",
    "/api/v1/rounds/{id}/conflicts": "an organisation or place named by the round's applications, declared once",
    "/api/v1/rounds/{id}/assignment-runs": "a panel with members enough for the reviews each application needs",
    "/api/v1/rounds/{id}/selection/rules": "one of the nine regions and the round's own themes, each named once",
    "/api/v1/applications/{id}/decision": "feedback that is more than spaces; a reason while reviews are still to come; "
    "an award within what the fund has available",
    "/api/v1/awards/{id}/response": "the match contribution confirmed to accept an offer that has one",
    "/api/v1/programmes/{slug}/enablers": "real calendar dates, in order; lists with words in them; asked once",
    "/api/v1/enablers/{id}": "real calendar dates, in order; lists with words in them; the version saved now",
    "/api/v1/awards/{id}/enabler-choices": "enablers of the programme's approved pool, each once",
    "/api/v1/enablers/{id}/place-choices": "places that chose the enabler, each once",
    "/api/v1/programmes/{slug}/matching/changes": "the latest run at its version; a place that ranked; an enabler with room",
    "/api/v1/programmes/{slug}/matching/confirmation": "the latest run at its version; a start date with known bank holidays",
    "/api/v1/engagements/{id}/contact": "a date within the engagement; hours that fit in the day",
    "/api/v1/engagements/{id}/early-end": "a last day within the engagement and after its last contact; an enabler with room",
    "/api/v1/engagements/{id}/entries/{entry}/queries": "a reason that is more than spaces; one open query per entry",
    "/api/v1/engagements/{id}/queries/{query}/answer": "an answer that is more than spaces",
    "/api/v1/programmes/{slug}/support-offers": "a kind the programme offers; a partner that is more than spaces",
    "/api/v1/awards/{id}/support-requests": "an offer of the award's programme, with that many left",
    "/api/v1/support-requests/{id}/decision": "a reason to decline; approval within what the offer has left",
}
# The default of schemathesis's positive_data_acceptance check, plus 422.
WITH_422 = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


def toml_list(values: list) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, out = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)

    admin_token = api_token(base, "ada.admin@example.org", PASSWORD, "schemathesis")
    lead_token = api_token(base, "lee.lead@example.org", PASSWORD, "schemathesis")
    admin, lead = bearer(base, admin_token), bearer(base, lead_token)

    slugs = [p["slug"] for p in call(admin, "GET", "/programmes", 200)]
    lead_me = call(lead, "GET", "/me", 200)
    lead_places = [g["scope_id"] for g in lead_me["roles"] if g["role"] == "place_lead"]
    places = [p["id"] for p in call(admin, "GET", "/programmes/local-vision/places", 200)]

    # Rounds: the demo's, and one that opens next year and has no form yet.
    round_ids = []
    for rid in range(1, 50):
        res = admin.get(f"/api/v1/rounds/{rid}")
        if res.status_code == 200:
            round_ids.append(rid)
    open_round = next(r for r in round_ids if call(admin, "GET", f"/rounds/{r}", 200)["slug"] == "demo-open")
    year = str(dt.date.today().year + 1)
    new_round = call(
        admin,
        "POST",
        "/programmes/local-vision/rounds",
        200,
        json={
            "name": "Contract test round " + secrets.token_hex(3),
            "reference_prefix": "CT",
            "opens_day": "1",
            "opens_month": "3",
            "opens_year": year,
            "opens_time": "9:00am",
            "closes_day": "1",
            "closes_month": "5",
            "closes_year": year,
            "closes_time": "5:00pm",
            "places_offered": "5",
            "value_per_place": "1000",
            "eligibility": "Any place",
            "review_ends_day": "10",
            "review_ends_month": "5",
            "review_ends_year": year,
            "notify_day": "20",
            "notify_month": "5",
            "notify_year": year,
            "launch_day": "",
            "launch_month": "",
            "launch_year": "",
            "launch_time": "",
            "launch_location": "",
            "themes": "One theme",
            "signoff_required": "no",
        },
    )
    round_ids.append(new_round["id"])

    # A draft application of the place lead's, in the open round.
    app = call(lead, "POST", f"/rounds/{open_round}/applications", 200, json={"place_id": lead_places[0]})
    section_keys = [s["key"] for s in app["sections"]]
    app_ids = [app["id"]] + [a["id"] for a in call(admin, "GET", "/rounds/1/applications", 200)["applications"][:5]]

    # A second place lead, of another place (registered, confirmed and approved through
    # the API), whose objects must stay private from the first: the OLA peers. Its
    # request is approved; a third account's request is left pending for the decisions.
    def newcomer(tag: str) -> tuple[str, str]:
        email = f"contract-{tag}-{secrets.token_hex(3)}@example.net"
        pw = "contract passphrase " + secrets.token_hex(6)
        anon = httpx.Client(base_url=base, timeout=30.0)
        call(
            anon,
            "POST",
            "/registrations",
            202,
            json={
                "email": email,
                "name": f"Contract {tag}",
                "organisation": "Demo",
                "job_role": "Lead",
                "password": pw,
            },
        )
        token = link_from_mail(base, email, "/verify-email/")
        call(anon, "POST", "/email-verifications", 204, json={"token": token})
        return email, api_token(base, email, pw, "schemathesis")

    other_place = next(p for p in places if p not in lead_places)
    _, peer_token = newcomer("peer")
    peer = bearer(base, peer_token)
    req = call(
        peer,
        "POST",
        "/programmes/local-vision/role-requests",
        201,
        json={"place_id": other_place, "reason": "Director of Public Health"},
    )
    call(admin, "POST", f"/role-requests/{req['id']}/decision", 200, json={"approve": True})
    peer_app = call(peer, "POST", f"/rounds/{open_round}/applications", 200, json={"place_id": other_place})
    app_ids.append(peer_app["id"])
    _, waiting_token = newcomer("waiting")
    pending = call(
        bearer(base, waiting_token),
        "POST",
        "/programmes/local-vision/role-requests",
        201,
        json={"place_id": other_place, "reason": "Programme manager"},
    )
    request_ids = [req["id"], pending["id"]]
    user_ids = [call(admin, "GET", "/me", 200)["id"], lead_me["id"], 2, 3]
    # Awards, from the rounds' decisions (none until the panel has funded some).
    award_ids = []
    for rid in round_ids:
        res = admin.get(f"/api/v1/rounds/{rid}/decisions")
        if res.status_code == 200:
            board = res.json()
            award_ids += [line["award"]["id"] for line in board["lines"] if line["award"]]
            award_ids += [a["id"] for a in board["declined"]]
    award_ids = sorted(set(award_ids))

    (out / "admin.token").write_text(admin_token)
    (out / "wfc-auth.json").write_text(
        json.dumps(
            {
                "auth": [
                    {"name": "lead", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {lead_token}"}]},
                    {"name": "peer", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {peer_token}"}]},
                ]
            },
            indent=1,
        )
    )

    dictionaries = {
        "round_ids": round_ids,
        "application_ids": app_ids,
        "place_ids": sorted(set(places) | set(lead_places)),
        "request_ids": request_ids,
        "user_ids": user_ids,
        "section_keys": section_keys,
        "award_ids": award_ids,
        "programme_slugs": slugs,
        # Edges of the integer types, for every integer anywhere (ids, pages, versions, pence).
        "integer_edges": [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, -(2**63)],
    }
    # Each path's id-like parameters, drawn half the time from the ids that exist.
    bindings = {
        "/api/v1/rounds/{id}": {"path.id": "round_ids"},
        "/api/v1/rounds/{id}/form": {"path.id": "round_ids"},
        # (The list's page also takes the integer edges half the time: a page is multiplied into an offset.)
        "/api/v1/rounds/{id}/applications": {
            "path.id": "round_ids",
            "body.place_id": "place_ids",
            "query.page": "integer_edges",
        },
        "/api/v1/applications/{id}": {"path.id": "application_ids"},
        "/api/v1/applications/{id}/sections/{key}": {"path.id": "application_ids", "path.key": "section_keys"},
        "/api/v1/applications/{id}/submit": {"path.id": "application_ids"},
        "/api/v1/applications/{id}/withdraw": {"path.id": "application_ids"},
        "/api/v1/applications/{id}/partners": {"path.id": "application_ids"},
        "/api/v1/applications/{id}/signoff-requests": {"path.id": "application_ids"},
        "/api/v1/places/{id}": {"path.id": "place_ids"},
        "/api/v1/places/{id}/chair": {"path.id": "place_ids"},
        "/api/v1/role-requests/{id}/decision": {"path.id": "request_ids"},
        "/api/v1/people/{id}/data": {"path.id": "user_ids"},
        "/api/v1/programmes/{slug}": {"path.slug": "programme_slugs"},
        "/api/v1/programmes/{slug}/news": {"path.slug": "programme_slugs"},
        "/api/v1/programmes/{slug}/places": {"path.slug": "programme_slugs"},
        "/api/v1/programmes/{slug}/places-to-join": {"path.slug": "programme_slugs"},
        "/api/v1/programmes/{slug}/rounds": {"path.slug": "programme_slugs"},
        "/api/v1/programmes/{slug}/role-requests": {"path.slug": "programme_slugs", "body.place_id": "place_ids"},
        "/api/v1/rounds/{id}/selection": {"path.id": "round_ids"},
        "/api/v1/rounds/{id}/selection/runs": {"path.id": "round_ids"},
        "/api/v1/rounds/{id}/selection/rules": {"path.id": "round_ids"},
        "/api/v1/rounds/{id}/decisions": {"path.id": "round_ids"},
        "/api/v1/applications/{id}/award-value": {"path.id": "application_ids"},
        "/api/v1/applications/{id}/decision": {"path.id": "application_ids"},
        "/api/v1/applications/{id}/outcome": {"path.id": "application_ids"},
        "/api/v1/awards/{id}/replacement": {"path.id": "award_ids", "body.reserve_application_id": "application_ids"},
        "/api/v1/awards/{id}/response": {"path.id": "award_ids"},
        "/api/v1/programmes/{slug}/360giving.json": {"path.slug": "programme_slugs"},
        "/api/v1/programmes/{slug}/360giving.csv": {"path.slug": "programme_slugs"},
    }
    if not award_ids:
        # A dictionary needs values: until the demo has awards, their ids are generated.
        del dictionaries["award_ids"]
        for path in ("/api/v1/awards/{id}/replacement", "/api/v1/awards/{id}/response"):
            bindings[path].pop("path.id")
    lines = ["# Written by scripts/contract/seed.py for one run: ids that exist in this demo.", ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml_list(values)}", ""]
    lines += ["[generation.dictionaries]", 'integer = { dictionary = "integer_edges", probability = 0.1 }', ""]
    for path in CROSS_FIELD_CHECKS:
        bindings.setdefault(path, {})
    for path, params in bindings.items():
        inner = ", ".join(
            f'"{param}" = {{ dictionary = "{dictionary}", probability = 0.5 }}' for param, dictionary in params.items()
        )
        lines += ["[[operations]]", f"include-path = {json.dumps(path)}"]
        if inner:
            lines.append(f"parameters = {{ {inner} }}")
        if path in CROSS_FIELD_CHECKS:
            lines += [
                f"# 422 for valid data too: {CROSS_FIELD_CHECKS[path]}.",
                f"checks.positive_data_acceptance.expected-statuses = {toml_list(WITH_422)}",
            ]
        lines.append("")
    (out / "schemathesis.toml").write_text("\n".join(lines))
    print(
        f"seed: rounds {round_ids}, applications {app_ids}, awards {award_ids}, requests {request_ids}, "
        f"lead places {lead_places}, peer place {other_place}"
    )


if __name__ == "__main__":
    main()
