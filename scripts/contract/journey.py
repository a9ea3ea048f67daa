#!/usr/bin/env python3
"""The newcomer's journey through the API, with the client openapi-python-client generates
from docs/openapi.json:

  find the open call -> register -> confirm the address (link from the emailed message)
  -> get a token -> find the places to act for -> ask to act for one -> a programme admin
  approves -> start an application in the open call's round -> answer every section
  (partners from the place's list) -> send for the chair's sign-off -> submit.

Every step is taken through the API, except reading mail (the demo's outbox page) and
the board chair's sign-off, which is the page the emailed link opens for a person with no
account. Where the API lacks something a step needs, the step is done another way so the
rest of the journey is still exercised, and the missing piece is recorded as a GAP. Every
response the client receives is also checked against the OpenAPI document
(contract_check.py).

Refusals the journey provokes on purpose (a used link, a wrong password, a stale save, ...)
are checked for their status without stopping the journey.

Exit status: 0 when the journey finished with no gaps, every refusal had its status and
no response broke the document; 1 otherwise (all are listed); 2 for a usage error.

usage: journey.py BASE_URL CLIENT_DIR OPENAPI_JSON
  CLIENT_DIR: the directory openapi-python-client generated (holding convene_client/).
"""

from __future__ import annotations

import json
import secrets
import sys
import traceback
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_check import ContractCheck
from web_session import WebSession, link_from_mail

DEMO_PASSWORD = "convene-demo-2026"
PROGRAMME_ADMIN = "priya.programme@example.org"


class Journey:
    def __init__(self, base_url: str, spec: dict[str, Any]) -> None:
        self.base_url = base_url.rstrip("/")
        self.check = ContractCheck(spec)
        self.gaps: list[str] = []
        self.refusals: list[str] = []
        self.step_no = 0

    def step(self, text: str) -> None:
        self.step_no += 1
        print(f"[journey] {self.step_no}. {text}", flush=True)

    def gap(self, missing: str, fallback: str) -> None:
        self.gaps.append(f"{missing}\n      (done instead: {fallback})")
        print(f"[journey]    GAP: {missing}", flush=True)

    def refused_with(self, res: Any, status: int, what: str) -> None:
        """A refusal the journey provokes on purpose: recorded (not fatal) when its status
        is not the expected one, so the rest of the journey still runs."""
        if res.status_code != status:
            got = f"{int(res.status_code)}: {res.content[:300]!r}"
            self.refusals.append(f"{what}: expected HTTP {status}, got {got}")
            print(f"[journey]    WRONG STATUS: {what}: expected {status}, got {int(res.status_code)}", flush=True)

    def _args(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "raise_on_unexpected_status": True,
            "timeout": httpx.Timeout(30.0),
            "httpx_args": {"event_hooks": {"response": [self.check.hook]}},
        }

    def anonymous(self):
        from convene_client import Client

        return Client(**self._args())

    def as_token(self, token: str):
        from convene_client import AuthenticatedClient

        return AuthenticatedClient(token=token, **self._args())


def expect(res: Any, status: int, what: str) -> Any:
    if res.status_code != status:
        raise AssertionError(f"{what}: expected HTTP {status}, got {int(res.status_code)}: {res.content[:500]!r}")
    return res.parsed


def answer_for(question: dict[str, Any], themes: list[str], partners: list[str]) -> str | None:
    kind = question.get("type")
    if kind == "long_text":
        return "We will bring the council, the NHS and the voluntary sector together around one issue."
    if kind == "short_text":
        return "A short answer"
    if kind == "yes_no":
        return "yes"
    if kind == "money":
        return str(question["min_pence"])  # the API speaks pence
    if kind == "theme":
        return themes[0]
    if kind == "organisations":
        return "\n".join(partners)
    if kind == "file":
        return None  # uploads are not in the API; only optional file questions can be left out
    raise AssertionError(f"unknown question type {kind!r}")


def run(j: Journey) -> None:
    from convene_client.api.accounts import (
        create_token,
        decide_role_request,
        get_me,
        list_places_to_join,
        list_role_requests,
        register,
        request_role,
        verify_email,
    )
    from convene_client.api.applications import (
        get_application,
        get_round,
        list_application_partners,
        save_section,
        send_for_signoff,
        start_application,
        submit_application,
    )
    from convene_client.api.programmes import list_programme_places
    from convene_client.api.public import get_public_programme, list_open_calls
    from convene_client.models import (
        DecisionBody,
        LinkToken,
        NewRoleRequest,
        NewToken,
        Registration,
        SaveBody,
        SaveBodyAnswers,
        StartBody,
    )

    def token_for(email: str, password: str, name: str) -> str:
        made = expect(
            create_token.sync_detailed(client=anon, body=NewToken(email=email, password=password, name=name)),
            201,
            "create_token",
        )
        return made.token

    anon = j.anonymous()

    j.step("find an open call (GET /open-calls)")
    calls = expect(list_open_calls.sync_detailed(client=anon), 200, "list_open_calls")
    call = next((c for c in calls if c.status == "open"), None)
    assert call is not None, "no open call in the demo"
    slug, round_slug = call.programme_slug, call.round_slug
    programme = expect(get_public_programme.sync_detailed(slug, client=anon), 200, "get_public_programme")
    assert any(r.slug == round_slug for r in programme.rounds), "the open call's round is not on its programme"
    print(f"[journey]    {call.programme} / {call.round_} ({slug}/{round_slug})")

    j.step("register (POST /registrations)")
    email = f"newcomer-{secrets.token_hex(4)}@example.net"
    password = "a long and unusual passphrase " + secrets.token_hex(4)
    reg = Registration(
        email=email,
        name="Nina Newcomer",
        organisation="Ashvale Council",
        job_role="Director of Public Health",
        password=password,
    )
    expect(register.sync_detailed(client=anon, body=reg), 202, "register")

    j.step("confirm the address with the token from the emailed link (POST /email-verifications)")
    link_secret = link_from_mail(j.base_url, email, "/verify-email/")
    expect(verify_email.sync_detailed(client=anon, body=LinkToken(token=link_secret)), 204, "verify_email")
    again = verify_email.sync_detailed(client=anon, body=LinkToken(token=link_secret))
    j.refused_with(again, 410, "confirming with a used link")
    unknown = verify_email.sync_detailed(client=anon, body=LinkToken(token="no-such-link-" + secrets.token_hex(8)))
    j.refused_with(unknown, 404, "confirming with an unknown link")

    j.step("get an API token for the new account (POST /tokens)")
    wrong = create_token.sync_detailed(client=anon, body=NewToken(email=email, password=password + "x", name="journey"))
    j.refused_with(wrong, 401, "a token for a wrong password")
    me_client = j.as_token(token_for(email, password, "journey"))
    me = expect(get_me.sync_detailed(client=me_client), 200, "get_me")
    assert me.email == email and not me.roles, f"unexpected account: {me.to_dict()}"

    j.step(f"find a place to act for (GET /programmes/{slug}/places-to-join)")
    places = expect(list_places_to_join.sync_detailed(slug, client=me_client), 200, "list_places_to_join")
    assert places and not any(p.leads or p.waiting for p in places), [p.to_dict() for p in places]
    place_id, place_name = places[0].id, places[0].name
    print(f"[journey]    place {place_id} ({place_name})")

    j.step(f"ask to act for the place (POST /programmes/{slug}/role-requests)")
    req = expect(
        request_role.sync_detailed(
            slug, client=me_client, body=NewRoleRequest(place_id=place_id, reason="Director of Public Health")
        ),
        201,
        "request_role",
    )
    assert req.status == "pending" and req.place_id == place_id, req.to_dict()

    j.step("a programme admin finds and approves it (GET role-requests, POST /role-requests/{id}/decision)")
    admin = j.as_token(token_for(PROGRAMME_ADMIN, DEMO_PASSWORD, "journey-admin"))
    pending = expect(list_role_requests.sync_detailed(slug, client=admin), 200, "list_role_requests")
    assert any(r.id == req.id and r.status == "pending" for r in pending), "the request is not in the admin's list"
    decided = expect(
        decide_role_request.sync_detailed(req.id, client=admin, body=DecisionBody(approve=True)),
        200,
        "decide_role_request",
    )
    assert decided.status == "approved", decided.to_dict()
    twice = decide_role_request.sync_detailed(req.id, client=admin, body=DecisionBody(approve=True))
    j.refused_with(twice, 409, "deciding a request twice")
    me = expect(get_me.sync_detailed(client=me_client), 200, "get_me")
    assert any(g.role == "place_lead" and g.scope_id == place_id for g in me.roles), me.to_dict()
    again_req = request_role.sync_detailed(
        slug, client=me_client, body=NewRoleRequest(place_id=place_id, reason="Director of Public Health")
    )
    j.refused_with(again_req, 409, "asking to act for a place one already acts for")

    round_id = call.to_dict().get("round_id")
    if isinstance(round_id, int):
        j.step(f"read the open call's round (GET /rounds/{round_id})")
        round_body = expect(get_round.sync_detailed(round_id, client=me_client), 200, "get_round")
        assert round_body.slug == round_slug, round_body.to_dict()
    else:
        j.step(f"find the round's id (the open call names it only as {round_slug!r})")
        j.gap(
            "open calls do not give their round's id (Call has no round_id), and every round "
            "operation takes the id",
            "GET /rounds/{id} for id = 1, 2, ... until the name and slug matched",
        )
        round_body = None
        for rid in range(1, 200):
            res = get_round.sync_detailed(rid, client=me_client)
            if res.status_code == 200 and res.parsed.slug == round_slug and res.parsed.name == call.round_:
                round_body = res.parsed
                break
        assert round_body is not None, f"no round {round_slug!r} among ids 1 to 199"
    round_json = round_body.to_dict()
    form = round_json.get("form") or {}
    assert form.get("sections"), "the open round's form is not given to the place lead"

    j.step(f"start the application (POST /rounds/{round_body.id}/applications)")
    app = expect(
        start_application.sync_detailed(round_body.id, client=me_client, body=StartBody(place_id=place_id)),
        200,
        "start_application",
    )
    assert app.status == "draft", app.to_dict()
    same = expect(
        start_application.sync_detailed(round_body.id, client=me_client, body=StartBody(place_id=place_id)),
        200,
        "start_application (again)",
    )
    assert same.id == app.id, "starting again should return the same application"

    j.step("answer every section (PUT /applications/{id}/sections/{key})")
    partners: list[str] = []
    needs_partners = [s["key"] for s in form["sections"] for q in s["questions"] if q.get("type") == "organisations"]
    if needs_partners:
        listed = expect(
            list_application_partners.sync_detailed(app.id, client=me_client), 200, "list_application_partners"
        )
        partners = [p.org_id for p in listed]
        assert partners, "the place has no partner organisations to choose"
    versions = {s.key: s.version for s in app.sections}
    for section in form["sections"]:
        answers = SaveBodyAnswers()
        for q in section["questions"]:
            value = answer_for(q, round_body.themes, partners[:2])
            if value is None:
                assert not q["required"], f"required question {q['key']} cannot be answered through the API"
                continue
            answers[q["key"]] = value
        app = expect(
            save_section.sync_detailed(
                app.id,
                section["key"],
                client=me_client,
                body=SaveBody(version=versions[section["key"]], answers=answers, complete=True),
            ),
            200,
            f"save_section {section['key']}",
        )
        saved = next(s for s in app.sections if s.key == section["key"])
        assert saved.status == "completed", f"section {section['key']} is {saved.status}"
    stale = save_section.sync_detailed(
        app.id,
        form["sections"][0]["key"],
        client=me_client,
        body=SaveBody(version=versions[form["sections"][0]["key"]], answers=SaveBodyAnswers(), complete=False),
    )
    j.refused_with(stale, 409, "a save over a stale version")

    app = expect(get_application.sync_detailed(app.id, client=me_client), 200, "get_application")
    if round_body.signoff_required:
        j.step(f"send for the board chair's sign-off (POST /applications/{app.id}/signoff-requests)")
        early = submit_application.sync_detailed(app.id, client=me_client)
        j.refused_with(early, 409, "submitting before the chair's sign-off")
        sent = expect(send_for_signoff.sync_detailed(app.id, client=me_client), 200, "send_for_signoff")
        assert sent.sent >= 1, sent.to_dict()
        j.step("the board chair signs off on the emailed link's page (a person with no account)")
        admin_view = expect(
            list_programme_places.sync_detailed(slug, client=admin), 200, "list_programme_places (admin)"
        )
        chair = next(p for p in admin_view if p.id == place_id).hwb_chair_email
        assert isinstance(chair, str) and chair, "the place has no chair's address"
        secret = link_from_mail(j.base_url, chair, "/sign-off/")
        with WebSession(j.base_url) as chair_web:
            chair_web.post_form(
                f"/sign-off/{secret}",
                f"/sign-off/{secret}",
                {"name": "Harriet Chair", "role": "Chair, Health and Wellbeing Board", "comment": "", "confirm": "yes"},
            )
        app = expect(get_application.sync_detailed(app.id, client=me_client), 200, "get_application")
        assert app.chair_signed_off, "the chair's sign-off did not count"
    assert not app.blockers, f"still blocked: {app.blockers}"

    j.step(f"submit (POST /applications/{app.id}/submit)")
    done = expect(submit_application.sync_detailed(app.id, client=me_client), 200, "submit_application")
    assert done.newly_submitted and done.reference, done.to_dict()
    again = expect(submit_application.sync_detailed(app.id, client=me_client), 200, "submit_application (again)")
    assert again.reference == done.reference and not again.newly_submitted, again.to_dict()
    app = expect(get_application.sync_detailed(app.id, client=me_client), 200, "get_application")
    assert app.status == "submitted" and app.reference == done.reference, app.to_dict()
    print(f"[journey]    submitted as {done.reference}")


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    base_url, client_dir, spec_path = sys.argv[1:]
    sys.path.insert(0, client_dir)
    j = Journey(base_url, json.loads(Path(spec_path).read_text()))
    finished = False
    try:
        run(j)
        finished = True
    except Exception:  # noqa: BLE001 - report any failure with its step
        print(f"[journey] FAILED at step {j.step_no}:", file=sys.stderr)
        traceback.print_exc()
    print("[journey] ---")
    print(f"[journey] journey {'finished' if finished else 'did NOT finish'}")
    print(f"[journey] {len(j.gaps)} gap(s) in the API:")
    for g in j.gaps:
        print(f"[journey]  - {g}")
    print(f"[journey] {len(j.refusals)} refusal(s) with the wrong status:")
    for r in j.refusals:
        print(f"[journey]  - {r}")
    print(f"[journey] {len(j.check.violations)} response(s) not as the OpenAPI document says:")
    for v in j.check.violations:
        print(f"[journey]  - {v}")
    return 0 if finished and not j.gaps and not j.refusals and not j.check.violations else 1


if __name__ == "__main__":
    sys.exit(main())
