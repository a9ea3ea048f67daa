"""What the contract's scripts need besides the API: a token from a demo account's
password, the demo's outbox, and the pages meant for people without an account.

Tokens come from the API's own POST /api/v1/tokens, as any client would get one.

Mail: `convene demo` has no SMTP setting (only `convene serve` takes --smtp-url, and
`serve` has no demo data and requires two-factor sign-in of admins), so mail is read from
the demo's outbox page, /dev/mail. The outbox row is written in the same transaction as
the change that sends it, so the message is there as soon as the API has answered.

The board chair's sign-off is the page the emailed link opens: it is meant for a person
with no account, so the journey fills it in as that person would (WebSession).
"""

from __future__ import annotations

import html
import re
import time

import httpx

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_MAIL_CARD = re.compile(
    r'<h2 class="nhsuk-card__heading[^"]*">(?P<subject>.*?)</h2>\s*'
    r'<p class="nhsuk-body-s">To (?P<to>[^,<]+),.*?</p>\s*'
    r'<pre class="convene-mail-body">(?P<body>.*?)</pre>',
    re.DOTALL,
)


class WebSession:
    """A browser-like session (cookies, the CSRF token from each form) against the pages."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            follow_redirects=True,
            timeout=30.0,
            # The pages' second CSRF wall is an Origin / Sec-Fetch-Site check; browsers send these.
            headers={"Origin": self.base_url, "Sec-Fetch-Site": "same-origin"},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> WebSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def page(self, path: str) -> str:
        res = self.http.get(path)
        if res.status_code != 200:
            raise AssertionError(f"GET {path}: HTTP {res.status_code}")
        return res.text

    def csrf(self, path: str) -> str:
        m = _CSRF.search(self.page(path))
        if not m:
            raise AssertionError(f"no csrf_token in the form at {path}")
        return html.unescape(m.group(1))

    def post_form(self, form_path: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Reads the CSRF token from the page at `form_path`, then posts `data` to `action`."""
        token = self.csrf(form_path)
        res = self.http.post(action, data={"csrf_token": token, **data})
        if res.status_code >= 400:
            raise AssertionError(f"POST {action}: HTTP {res.status_code}")
        if "nhsuk-error-summary" in res.text:
            found = re.findall(r'<span class="nhsuk-error-message"[^>]*>(.*?)</span>\s*</', res.text, re.DOTALL)
            messages = [re.sub(r"<[^>]+>", "", m).strip() for m in found]
            raise AssertionError(f"POST {action} was refused: {messages or 'see the error summary'}")
        return res


def api_token(base_url: str, email: str, password: str, name: str = "contract") -> str:
    """A new API token for the account, from POST /api/v1/tokens."""
    res = httpx.post(
        base_url.rstrip("/") + "/api/v1/tokens",
        json={"email": email, "password": password, "name": name},
        timeout=30.0,
    )
    if res.status_code != 201:
        raise AssertionError(f"POST /api/v1/tokens for {email}: HTTP {res.status_code}: {res.text[:300]}")
    return res.json()["token"]


def outbox(base_url: str) -> list[dict[str, str]]:
    """The demo outbox (/dev/mail), newest first: subject, to, body."""
    res = httpx.get(base_url.rstrip("/") + "/dev/mail", timeout=30.0)
    if res.status_code != 200:
        raise AssertionError(f"GET /dev/mail: HTTP {res.status_code} (is this `convene demo`?)")
    return [{k: html.unescape(v).strip() for k, v in m.groupdict().items()} for m in _MAIL_CARD.finditer(res.text)]


def link_from_mail(base_url: str, to: str, path_prefix: str, wait_s: float = 10.0) -> str:
    """The secret in the newest link `<base_url><path_prefix><secret>` mailed to `to`."""
    pattern = re.compile(re.escape(base_url.rstrip("/") + path_prefix) + r"([A-Za-z0-9_-]+)")
    deadline = time.monotonic() + wait_s
    while True:
        for mail in outbox(base_url):
            if mail["to"].lower() == to.lower():
                m = pattern.search(mail["body"])
                if m:
                    return m.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {to} with a {path_prefix} link in /dev/mail")
        time.sleep(0.5)


if __name__ == "__main__":
    import sys

    if len(sys.argv) not in (4, 5):
        sys.exit("usage: web_session.py BASE_URL EMAIL PASSWORD [TOKEN_NAME]  (prints a new API token)")
    print(api_token(*sys.argv[1:]))
