"""Load test: 50 visitors on the public pages, 5 focal points submitting progress updates
and 2 reviewers accepting them at the same time, against gunicorn on 127.0.0.1.

    make load                       # SQLite (benchmarks/bench.sqlite3)
    DATABASE_URL=postgres://... make load

Needs the synthetic data (`manage.py generate_scale_data`). Visitors open pages at random,
half of them front pages (dashboard, lists, report) and half a long tail of 800
recommendation, country and filtered progress pages, so that cached and fresh renders
mix; each focal point signs in to the admin and submits
updates on its own country's commitments the way the form in a browser does; each
reviewer opens the review queue and accepts one of the updates waiting in it, which
renews every cached public page (the stampede the page cache must withstand). Runs for
--seconds (60 by default), each client bounded in requests too. Prints requests, errors,
median and p99 latency for each kind of client, and whether the server ever reported
"database is locked". Exits with status 1 on any error.
"""

import argparse
import html
import http.client
import os
import random
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from bench import PORT, django_setup, start_server

VISITORS = 50
FOCAL_POINTS = 5
REVIEWERS = 2
PASSWORD = "load-test-only-password"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latencies: list[float], errors: list[str]) -> None:
        with self.lock:
            self.latencies.extend(latencies)
            self.errors.extend(errors)

    def line(self, name: str, seconds: float) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p99 = ordered[max(int(len(ordered) * 0.99) - 1, 0)]
        return (
            f"{name:<14}{len(self.latencies):>9}{len(self.latencies) / seconds:>8.0f}"
            f"{statistics.median(ordered) * 1000:>11.1f}{p99 * 1000:>9.1f}{len(self.errors):>8}"
        )


class Browser:
    """One client: a keep-alive connection with its own cookies."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.reconnect()

    def reconnect(self) -> None:
        """A new connection, keeping the cookies (the signed-in session)."""
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{PORT}{path}"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text, elapsed


def public_paths(rng: random.Random) -> tuple[list[str], list[str]]:
    """The pages visitors open, with the synthetic data's codes: the front pages everybody
    opens, and a long tail of recommendation, country and filtered progress pages."""
    from consultations.models import Recommendation
    from tracker.models import Country, Status

    codes = list(
        Recommendation.objects.filter(consultation__code="SCALE").values_list("code", flat=True)
    )
    isos = sorted(str(code) for code in Country.objects.values_list("code", flat=True))
    front = [
        "/",
        "/progress/",
        "/recommendations/",
        "/countries/",
        "/consultations/",
        "/consultations/synthetic-scale-data/",
    ] + [f"/countries/{iso.lower()}/" for iso in isos[:5]]
    tail = []
    for _ in range(200):
        iso = rng.choice(isos)
        status = rng.choice(Status.values)
        tail += [
            f"/recommendations/{rng.choice(codes)}/",
            f"/countries/{iso.lower()}/?page={rng.randint(1, 20)}",
            f"/progress/?consultation=SCALE&country={iso}&status={status}",
            f"/progress/?status={status}&page={rng.randint(1, 20)}",
        ]
    return front, tail


def focal_points() -> list[tuple[str, list[int]]]:
    """Five focal points of synthetic countries (made once), with their commitments."""
    from django.contrib.auth import get_user_model

    from tracker.models import Commitment, Country, FocalPoint

    users = []
    countries = Country.objects.filter(commitments__recommendation__consultation__code="SCALE")
    for index, country in enumerate(countries.distinct().order_by("code")[:FOCAL_POINTS]):
        username = f"load.focal.{index + 1}"
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        user.set_password(PASSWORD)
        user.is_active = True
        user.save()
        FocalPoint.objects.get_or_create(country=country, user=user)
        commitments = list(
            Commitment.objects.filter(country=country).values_list("pk", flat=True)[:200]
        )
        users.append((username, commitments))
    return users


def visitor(paths: tuple[list[str], list[str]], deadline: float, tally: Tally, seed: int):
    """Half the requests to a front page, half to the long tail."""
    rng = random.Random(seed)
    browser, latencies, errors = Browser(), [], []
    while time.monotonic() < deadline and len(latencies) < 20_000:
        path = rng.choice(paths[len(latencies) % 2])
        try:
            status, _location, _text, elapsed = browser.request("GET", path)
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"GET {path}: {error!r}")
            browser.reconnect()
            continue
        latencies.append(elapsed)
        if status != 200:
            errors.append(f"GET {path}: {status}")
    tally.add(latencies, errors)


def focal_point(username: str, commitments: list[int], deadline: float, tally: Tally) -> None:
    rng = random.Random(username)
    latencies, errors = [], []
    try:
        browser = signed_in(username)
    except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as error:
        tally.add([], [f"{username} could not sign in: {error!r}"])
        return
    add = "/admin/tracker/progressupdate/add/"
    while time.monotonic() < deadline and len(latencies) < 2_000:
        commitment = rng.choice(commitments)
        try:
            status, _location, text, elapsed = browser.request(
                "GET", f"{add}?commitment={commitment}"
            )
            latencies.append(elapsed)
            if status != 200:
                errors.append(f"GET add form: {status}")
                continue
            form = update_form(
                text,
                commitment,
                status=rng.choice(["planned", "in_progress"]),
                narrative=f"Load test update {rng.randint(1, 10**9)}",
            )
            status, _location, text, elapsed = browser.request("POST", add, form)
            latencies.append(elapsed)
            if status != 302:
                errors.append(f"POST update: {status} {_form_errors(text)}")
        except (OSError, http.client.HTTPException, AttributeError) as error:
            errors.append(f"{username}: {error!r}")
            browser.reconnect()
    tally.add(latencies, errors)


REVIEW_LINK = re.compile(r'href="/review/(\d+)/"')
SEEN_VERSION = re.compile(r'name="seen_version" value="(\d+)"')


def reviewers() -> list[str]:
    """Two network staff (made once) who accept what the focal points send."""
    from django.contrib.auth import get_user_model

    from tracker import roles

    names = []
    for index in range(REVIEWERS):
        username = f"load.reviewer.{index + 1}"
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.is_active = True
        user.save()
        roles.grant_network_staff(user)
        names.append(username)
    return names


def signed_in(username: str) -> Browser:
    browser = Browser()
    _status, _location, text, _elapsed = browser.request("GET", "/admin/login/")
    form = {
        "username": username,
        "password": PASSWORD,
        "csrfmiddlewaretoken": CSRF.search(text).group(1),
    }
    status, _location, _text, _elapsed = browser.request("POST", "/admin/login/", form)
    if status != 302:
        raise RuntimeError(f"sign-in answered {status}")
    return browser


def reviewer(username: str, deadline: float, tally: Tally) -> None:
    """Opens the review queue, then accepts one of the updates waiting in it (each
    acceptance changes what the public sees: every cached page is renewed). An update the
    review refuses to accept (an "implemented" status without public evidence, as many of
    the synthetic ones are) is left for the next one."""
    rng = random.Random(username)
    latencies, errors = [], []
    try:
        browser = signed_in(username)
    except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as error:
        tally.add([], [f"{username} could not sign in: {error!r}"])
        return
    while time.monotonic() < deadline and len(latencies) < 2_000:
        try:
            status, _location, text, elapsed = browser.request("GET", "/review/")
            latencies.append(elapsed)
            waiting = REVIEW_LINK.findall(text)
            if status != 200 or not waiting:
                errors += [f"GET review queue: {status}"] if status != 200 else []
                time.sleep(0.5)
                continue
            path = f"/review/{rng.choice(waiting)}/"
            status, _location, text, elapsed = browser.request("GET", path)
            latencies.append(elapsed)
            version = SEEN_VERSION.search(text)
            if status != 200 or version is None:
                continue  # taken by the other reviewer meanwhile
            form = {
                "csrfmiddlewaretoken": CSRF.search(text).group(1),
                "seen_version": version.group(1),
                "decision": "accept",
            }
            status, location, text, elapsed = browser.request("POST", path, form)
            latencies.append(elapsed)
            if status not in (200, 302):
                errors.append(f"POST accept: {status}")
            elif location == path:  # refused, the reason shown on the page it goes back to
                browser.request("GET", path)
        except (OSError, http.client.HTTPException, AttributeError) as error:
            errors.append(f"{username}: {error!r}")
            browser.reconnect()
    tally.add(latencies, errors)


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def update_form(page: str, commitment: int, *, status: str, narrative: str) -> dict:
    """The progress update form as a browser posts it: the page's hidden fields (the CSRF
    token, and the management forms of the evidence and deadline rows, none of them
    filled) with the update's own fields."""
    form = {name: html.unescape(value) for name, value in HIDDEN.findall(page)}
    return form | {
        "commitment": commitment,
        "status": status,
        "narrative": narrative,
        "challenges": "",
        "support_needed": "",
        "language": "en",
        "_save": "Save",
    }


def _form_errors(html: str) -> str:
    return "; ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', html))[:300]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    options = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tracker.models import ProgressUpdate

    if settings.IS_PRODUCTION:
        raise SystemExit("The load test makes accounts with a known password: not in production.")

    rng = random.Random(2022)
    paths = public_paths(rng)
    accounts = focal_points()
    staff = reviewers()
    before = ProgressUpdate.objects.count()
    run_started = timezone.now()
    connection.close()

    with tempfile.TemporaryFile("w+") as log:
        server = start_server(options.workers, log)
        visitors, focal, review = Tally(), Tally(), Tally()
        try:
            started = time.monotonic()
            deadline = started + options.seconds
            threads = (
                [
                    threading.Thread(target=visitor, args=(paths, deadline, visitors, n))
                    for n in range(VISITORS)
                ]
                + [
                    threading.Thread(target=focal_point, args=(name, ids, deadline, focal))
                    for name, ids in accounts
                ]
                + [
                    threading.Thread(target=reviewer, args=(name, deadline, review))
                    for name in staff
                ]
            )
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(10)
        log.seek(0)
        server_log = log.read()

    # The accounts' password is in this file: they sign in only while the test runs.
    get_user_model().objects.filter(username__startswith="load.").update(is_active=False)
    submitted = ProgressUpdate.objects.count() - before
    # (Counted by when they were accepted: each acceptance supersedes the commitment's
    # previous accepted update, so the number of accepted updates hardly moves.)
    accepted = ProgressUpdate.objects.filter(accepted_at__gte=run_started).count()
    locked = server_log.count("database is locked")
    print(
        f"Database: {connection.vendor}; {VISITORS} visitors, {len(accounts)} focal points and "
        f"{len(staff)} reviewers for {elapsed:.0f} s; gunicorn with {options.workers} workers "
        "on 127.0.0.1"
    )
    print(
        f"Visitors: half the requests to {len(paths[0])} front pages, half to "
        f"{len(set(paths[1]))} other pages (recommendations, countries, filtered progress)"
    )
    print(f"{'clients':<14}{'requests':>9}{'req/s':>8}{'median ms':>11}{'p99 ms':>9}{'errors':>8}")
    print(visitors.line("visitors", elapsed))
    print(focal.line("focal points", elapsed))
    print(review.line("reviewers", elapsed))
    print(
        f"Updates submitted: {submitted}; accepted (each renewing every cached page): "
        f"{accepted}; 'database is locked' in the server log: {locked}"
    )
    problems = visitors.errors + focal.errors + review.errors
    for problem in sorted(set(problems))[:20]:
        print("  ERROR", problem)
    if "Traceback" in server_log:
        print(server_log[-3000:])
    if problems or locked or "Traceback" in server_log:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
