"""The database restarts while the site is serving: while it is down, requests fail
cleanly (an error page soon, no traceback); once it is back, they succeed again without
the app being restarted."""

import http.client
import re
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.faults.conftest import WORKERS, Cluster, Site
from tracker.demo import DEMO_ACCOUNTS

PUBLIC_PAGES = [
    "/",
    "/progress/",
    "/recommendations/",
    "/recommendations/BM22-R31/",
    "/countries/",
    "/countries/kh/",
    "/consultations/",
    "/how-it-works/",
    "/updates/feed/",
    "/api/v1/commitments/",
]
SIGNED_IN_PAGE = "/report/"
# Generous bounds, for "soon" and "at all": while the database is down a request waits
# 3 s for a connection, and one is tried every 2 s at most (tracker/settings.py).
OUTAGE_ANSWER_SECONDS = 8
RECOVERY_SECONDS = 20
LEAKS = ("Traceback", "psycopg", "OperationalError")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Answer:
    path: str
    status: int
    body: str = field(repr=False)
    seconds: float

    def __str__(self) -> str:
        return f"{self.path} {self.status} in {self.seconds:.2f} s"


def fetch(site: Site, path: str, cookies: dict[str, str] | None = None, form=None) -> Answer:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    started = time.monotonic()
    try:
        connection.request("POST" if form else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    if cookies is not None:
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
    return Answer(path, response.status, text, time.monotonic() - started)


def sign_in(site: Site, username: str) -> dict[str, str]:
    """The session cookies of a demo account signed in through the sign-in form."""
    (account,) = (a for a in DEMO_ACCOUNTS if a["username"] == username)
    cookies: dict[str, str] = {}
    page = fetch(site, "/admin/login/", cookies)
    form = {
        "csrfmiddlewaretoken": CSRF.search(page.body).group(1),
        "username": username,
        "password": account["password"],
    }
    answer = fetch(site, "/admin/login/", cookies, form)
    assert answer.status == 302, answer
    return cookies


def visit(site: Site, focal_point: dict[str, str]) -> list[Answer]:
    """Every page once, from as many clients at a time as gunicorn has workers."""
    requests = [(path, None) for path in PUBLIC_PAGES] + [(SIGNED_IN_PAGE, focal_point)]
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(lambda request: fetch(site, *request), requests))


def test_requests_fail_cleanly_while_the_database_restarts_and_recover_without_the_app(
    postgres: Cluster, site: Site
):
    focal_point = sign_in(site, "focal.kh")
    before = visit(site, focal_point)
    assert [str(a) for a in before if a.status != 200] == []

    postgres.stop("fast")
    during = visit(site, focal_point)
    for answer in during:
        assert answer.status in (500, 503), answer
        assert answer.seconds < OUTAGE_ANSWER_SECONDS, answer
        assert "Server Error" in answer.body, answer.body
        assert not [leak for leak in LEAKS if leak in answer.body], answer.body
    assert site.is_running()

    postgres.start()
    restarted = time.monotonic()
    while True:
        after = visit(site, focal_point)
        if all(a.status == 200 for a in after):
            break
        failing = ", ".join(str(a) for a in after if a.status != 200)
        waited = time.monotonic() - restarted
        assert waited < RECOVERY_SECONDS, f"still failing {waited:.0f} s after: {failing}"
        time.sleep(0.2)

    # Both workers serve again, signed in or not (the session kept); none timed out.
    again = visit(site, focal_point) + visit(site, focal_point)
    assert [str(a) for a in again if a.status != 200] == []
    assert site.is_running()
    assert "WORKER TIMEOUT" not in site.log()
