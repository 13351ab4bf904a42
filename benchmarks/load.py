"""Load test: 50 visitors on the public pages, 5 focal points submitting progress updates
and 2 reviewers accepting them at the same time, against gunicorn on 127.0.0.1.

    make load                       # SQLite (benchmarks/bench.sqlite3)
    DATABASE_URL=postgres://... make load

Needs the synthetic data (`manage.py generate_scale_data`). Visitors open pages at random,
half of them front pages (dashboard, lists, report) and half a long tail of 800
recommendation, country and filtered progress pages, so that cached and fresh renders
mix; each focal point signs in to the admin and submits
updates on its own country's commitments the way the form in a browser does; each
reviewer opens the review queue (its last page: the newest updates, the focal points')
and accepts one of the updates waiting in it, which
renews the cached public pages that show it (the stampede the page cache must withstand).
The page cache is in Redis (LOAD_REDIS_URL, a database of its own, emptied first). The
clients run for a warm-up (--warmup, 10 s by default: the focal points and reviewers sign
in, each a deliberately slow password check, and the pages are rendered into the empty
cache for the first time), then for --seconds (60 by default), each client bounded in
requests too. Prints requests, median and p99 latency for each kind of client for the
--seconds after the warm-up, the same for the warm-up apart, the errors of both, and
whether the server ever reported "database is locked". Exits with status 1 on any error.

    make load HOSTS=2               # two application hosts (benchmarks/load.py --hosts 2)

With two hosts, two gunicorn instances on two ports share the database (the same
DATABASE_URL, or the same SQLite file), the page cache in Redis (a database of its own,
LOAD_REDIS_URL, emptied first) and evidence files in an S3-compatible object store
(SeaweedFS, started for the run), and one background worker sends the emails; each kind of
client is spread over both hosts, alternately (benchmarks/hosts.py starts and stops them);
reviewers take the newest updates (the queue's last page: the focal points'). The load
accounts then have email addresses, and the run also fails unless:
- each update of the load test a reviewer accepts through one host is on the other host's
  page of its recommendation: fetched right after the acceptance, anonymously (a visitor
  may be given the page from before the change while another request renders the new one,
  PUBLIC_PAGE_STALE_SECONDS after it at most: the page is fetched again until then, and
  PUBLIC_PAGE_WAIT_SECONDS more) and signed in (at once, always);
- every tenth report of each focal point carries a small PDF, sent through the report
  form of its host, and the file downloads with the same bytes through the other host,
  signed in as that focal point, and is in the object store;
- every email written during the run has been sent by the worker, after at most
  OUTBOX_DRAIN_SECONDS at the end.
On a 2-core machine the two hosts share the cores: it is a run for correctness, and its
latencies are not those of two machines.
"""

import argparse
import contextlib
import html
import http.client
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import PORT, django_setup, start_server
from hosts import BUCKET, REDIS_URL, empty_redis, start_hosts, stop

VISITORS = 50
FOCAL_POINTS = 5
REVIEWERS = 2
PASSWORD = "load-test-only-password"
RUN = uuid.uuid4().hex[:8]  # in the updates' text: this run's differ from earlier runs'
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Two hosts: every UPLOAD_EVERY-th report of a focal point carries a file, on one of
# UPLOAD_COMMITMENTS of its commitments kept for them (none of the focal point's updates is
# open on them, so the report form starts blank); emails get this long to go out at the end.
UPLOAD_EVERY = 10
UPLOAD_COMMITMENTS = 40
OUTBOX_DRAIN_SECONDS = 60


@dataclass
class Tally:
    """A kind of client's requests: the latencies of those that started once the warm-up
    was over (`measured_from`), and of those before (`warmup`); the errors of all."""

    measured_from: float = 0.0
    latencies: list[float] = field(default_factory=list)
    warmup: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, requests: list[tuple[float, float]], errors: list[str]) -> None:
        """`requests`: (when it started, how long it took) of each."""
        with self.lock:
            for started, elapsed in requests:
                kept = self.latencies if started >= self.measured_from else self.warmup
                kept.append(elapsed)
            self.errors.extend(errors)

    @classmethod
    def of(cls, tallies: "list[Tally]") -> "Tally":
        """Several hosts' tallies as one."""
        whole = cls()
        for tally in tallies:
            whole.latencies += tally.latencies
            whole.warmup += tally.warmup
            whole.errors += tally.errors
        return whole

    def line(self, name: str, seconds: float, warmup: bool = False) -> str:
        latencies = self.warmup if warmup else self.latencies
        ordered = sorted(latencies) or [0.0]
        p99 = ordered[max(int(len(ordered) * 0.99) - 1, 0)]
        return (
            f"{name:<14}{len(latencies):>9}{len(latencies) / seconds:>8.0f}"
            f"{statistics.median(ordered) * 1000:>11.1f}{p99 * 1000:>9.1f}"
            + ("" if warmup else f"{len(self.errors):>8}")
        )


class Browser:
    """One client: a keep-alive connection to one host with its own cookies."""

    def __init__(self, port: int = PORT, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies: dict[str, str] = {} if cookies is None else cookies
        self.body = b""  # of the last response, as sent
        self.reconnect()

    def on(self, port: int) -> "Browser":
        """The same person (the same cookies, the same session) on another host."""
        return Browser(port, self.cookies)

    def reconnect(self) -> None:
        """A new connection, keeping the cookies (the signed-in session)."""
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None, files: dict | None = None):
        """`files`: {field: (file name, content, content type)}, sent with `form` as
        multipart/form-data."""
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files is not None:
            body, headers["Content-Type"] = multipart(form or {}, files)
        elif form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        self.started = time.monotonic()  # of the last request, for the tallies
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        self.body = response.read()
        text = self.body.decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text, elapsed


def multipart(form: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.items()
    ]
    for name, (file_name, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def small_pdf(text: str) -> bytes:
    """A one-page PDF that says `text` (ASCII letters, digits and spaces)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


@dataclass
class Checks:
    """What the two-host run verifies besides its figures, counted as the clients go."""

    ports: list[int]
    stale_seconds: float  # how long a visitor may be given a page from before a change
    acceptances: int = 0  # checked on the other host
    at_once: int = 0  # seen there by an anonymous visitor on the first request
    later: int = 0  # ... on a later one, within stale_seconds
    signed_in: int = 0  # seen there signed in, on the first request
    uploads: int = 0
    identical: int = 0
    failures: list[str] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)  # updates (both reviewers may take one)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def other(self, port: int) -> int:
        return self.ports[1 - self.ports.index(port)]

    def count(self, failure: str = "", **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)
            if failure:
                self.failures.append(failure)

    def acceptance(self, browser: Browser, update: int, narrative: str, code: str) -> None:
        """Right after `browser` accepted the update through its host: the other host's
        page of its recommendation shows it, to a visitor and to the reviewer."""
        with self.lock:
            if update in self.checked:
                return
            self.checked.add(update)
        other, page = self.other(browser.port), f"/recommendations/{code}/"
        visitor = Browser(other)
        started, requests = time.monotonic(), 0
        while True:
            status, _location, text, _elapsed = visitor.request("GET", page)
            requests += 1
            seen = status == 200 and narrative in html.unescape(text)
            if seen or time.monotonic() - started > self.stale_seconds:
                break
            time.sleep(0.25)
        status, _location, text, _elapsed = browser.on(other).request("GET", page)
        signed_in = status == 200 and narrative in html.unescape(text)
        failure = ""
        if not (seen and signed_in) and still_latest(update):
            failure = (
                f"update {update}, accepted through :{browser.port}, not on {page} of "
                f":{other} (anonymously after {time.monotonic() - started:.1f} s: {seen}; "
                f"signed in: {signed_in})"
            )
        elif not (seen and signed_in):
            return  # another acceptance on the commitment came first: nothing to check
        self.count(
            failure,
            acceptances=1,
            at_once=int(seen and requests == 1),
            later=int(seen and requests > 1),
            signed_in=int(signed_in),
        )

    def upload(self, browser: Browser, update: int, content: bytes) -> None:
        """The file sent with the update through `browser`'s host, downloaded through the
        other host by the same focal point."""
        other = self.other(browser.port)
        saved = evidence_with_file(update)
        if saved is None:
            self.count(f"update {update}: no evidence file saved", uploads=1)
            return
        evidence, name = saved
        downloader = browser.on(other)
        status, _location, _text, _elapsed = downloader.request(
            "GET", f"/evidence/{evidence}/file/"
        )
        identical = status == 200 and downloader.body == content
        failure = ""
        if not identical:
            failure = (
                f"evidence {evidence} ({name}), uploaded through :{browser.port}, downloaded "
                f"through :{other}: {status}, {len(downloader.body)} bytes, not the "
                f"{len(content)} sent"
            )
        self.count(failure, uploads=1, identical=int(identical))


def still_latest(update: int) -> bool:
    from tracker.models import Commitment

    return Commitment.objects.filter(latest_accepted_update_id=update).exists()


def evidence_with_file(update: int) -> tuple[int, str] | None:
    """The evidence item carrying the update's file, and the file's name in the store."""
    from tracker.models import Evidence

    files = Evidence.objects.filter(update_id=update).exclude(file="")
    return files.values_list("pk", "file").first()


def load_update(update: int) -> tuple[str, str] | None:
    """The narrative and recommendation code of an update a focal point of the load test
    wrote (they are unique), for the check after its acceptance."""
    from tracker.models import ProgressUpdate

    written = ProgressUpdate.objects.filter(pk=update, narrative__startswith="Load test update ")
    return written.values_list("narrative", "commitment__recommendation__code").first()


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


def focal_points(*, emails: bool) -> list[tuple[str, list[int]]]:
    """Five focal points of synthetic countries (made once), with their commitments; with
    email addresses (example.org) when a worker sends their emails, else none."""
    from django.contrib.auth import get_user_model

    from tracker.models import Commitment, Country, FocalPoint, ProgressUpdate

    users = []
    countries = Country.objects.filter(commitments__recommendation__consultation__code="SCALE")
    for index, country in enumerate(countries.distinct().order_by("code")[:FOCAL_POINTS]):
        username = f"load.focal.{index + 1}"
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        user.set_password(PASSWORD)
        user.is_active = True
        user.email = f"{username}@example.org" if emails else ""
        user.save()
        FocalPoint.objects.get_or_create(country=country, user=user)
        theirs = Commitment.objects.filter(country=country)
        commitments = list(theirs.values_list("pk", flat=True)[: 200 - UPLOAD_COMMITMENTS])
        # Last, those a report with a file starts blank on: none of the focal point's
        # updates is open on them (earlier runs leave many waiting for review).
        open_ones = ProgressUpdate.objects.by_author(user).open().values("commitment")
        blank = theirs.exclude(pk__in=commitments).exclude(pk__in=open_ones)
        commitments += blank.values_list("pk", flat=True)[:UPLOAD_COMMITMENTS]
        users.append((username, commitments))
    return users


def visitor(
    port: int, tally: Tally, deadline: float, paths: tuple[list[str], list[str]], seed: int
) -> None:
    """Half the requests to a front page, half to the long tail."""
    rng = random.Random(seed)
    browser, latencies, errors = Browser(port), [], []
    while time.monotonic() < deadline and len(latencies) < 20_000:
        path = rng.choice(paths[len(latencies) % 2])
        try:
            status, _location, _text, elapsed = browser.request("GET", path)
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"GET {path}: {error!r}")
            browser.reconnect()
            continue
        latencies.append((browser.started, elapsed))
        if status != 200:
            errors.append(f"GET {path}: {status}")
    tally.add(latencies, errors)


def focal_point(
    port: int,
    tally: Tally,
    deadline: float,
    username: str,
    commitments: list[int],
    checks: Checks | None,
) -> None:
    """Submits updates through the admin's form; with two hosts, every UPLOAD_EVERY-th
    one through the report form with a file instead (`report_with_file`)."""
    rng = random.Random(username)
    latencies, errors = [], []
    try:
        browser = signed_in(username, port)
    except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as error:
        tally.add([], [f"{username} could not sign in: {error!r}"])
        return
    add = "/admin/tracker/progressupdate/add/"
    for_files = iter(commitments[-UPLOAD_COMMITMENTS:] if checks else [])
    if checks:
        commitments = commitments[:-UPLOAD_COMMITMENTS]
    reports = 0
    while time.monotonic() < deadline and len(latencies) < 2_000:
        commitment = rng.choice(commitments)
        reports += 1
        try:
            if checks and reports % UPLOAD_EVERY == 1:
                report_with_file(browser, username, for_files, checks, latencies, errors)
                continue
            status, _location, text, elapsed = browser.request(
                "GET", f"{add}?commitment={commitment}"
            )
            latencies.append((browser.started, elapsed))
            if status != 200:
                errors.append(f"GET add form: {status}")
                continue
            form = update_form(
                text,
                commitment,
                status=rng.choice(["planned", "in_progress"]),
                narrative=f"Load test update {RUN}-{rng.randint(1, 10**9)}",
            )
            status, _location, text, elapsed = browser.request("POST", add, form)
            latencies.append((browser.started, elapsed))
            if status != 302:
                errors.append(f"POST update: {status} {_form_errors(text)}")
        except (OSError, http.client.HTTPException, AttributeError) as error:
            errors.append(f"{username}: {error!r}")
            browser.reconnect()
    tally.add(latencies, errors)


FORM_VALUE = re.compile(r'<input type="(?:hidden|date|text)" name="([^"]+)" value="([^"]*)"')
SENT = re.compile(r"/report/updates/(\d+)/sent/$")


def report_with_file(
    browser: Browser,
    username: str,
    commitments,
    checks: Checks,
    latencies: list[float],
    errors: list[str],
) -> None:
    """Reports progress on the next of `commitments` (an iterator) with no update of the
    focal point open on it, through its host's report form as a browser sends it (the
    fields it holds, a PDF as the first evidence row's file), then checks the file through
    the other host."""
    for commitment in commitments:
        path = f"/report/{commitment}/"
        status, _location, text, elapsed = browser.request("GET", path)
        latencies.append((browser.started, elapsed))
        if status != 200:
            errors.append(f"GET report form: {status}")
            return
        if 'name="expected_version" value="' in text:
            continue  # an update of theirs is open on it (from an earlier run)
        title = f"Load test evidence {username} {uuid.uuid4().hex}"
        content = small_pdf(title)
        form = {name: html.unescape(value) for name, value in FORM_VALUE.findall(text)}
        form |= {
            "status": "in_progress",
            "narrative": f"Load test update {RUN}-{uuid.uuid4().hex[:8]} with a file",
            "language": "en",
            "evidence-0-title": title,
            "evidence-0-visibility": "internal",
            "send": "review",
        }
        files = {"evidence-0-file": ("evidence.pdf", content, "application/pdf")}
        status, location, text, elapsed = browser.request("POST", path, form, files)
        latencies.append((browser.started, elapsed))
        sent = SENT.search(location)
        if status != 302 or sent is None:
            errors.append(f"POST report with a file: {status} {_form_errors(text)}")
            return
        checks.upload(browser, int(sent.group(1)), content)
        return
    checks.count(f"{username}: no commitment left to report on with a file")


REVIEW_LINK = re.compile(r'href="/review/(\d+)/"')
SEEN_VERSION = re.compile(r'name="seen_version" value="(\d+)"')


def reviewers(*, emails: bool) -> list[str]:
    """Two network staff (made once) who accept what the focal points send."""
    from django.contrib.auth import get_user_model

    from tracker import roles

    names = []
    for index in range(REVIEWERS):
        username = f"load.reviewer.{index + 1}"
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.is_active = True
        user.email = f"{username}@example.org" if emails else ""
        user.save()
        roles.grant_network_staff(user)
        names.append(username)
    return names


def signed_in(username: str, port: int) -> Browser:
    browser = Browser(port)
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


def reviewer(
    port: int, tally: Tally, deadline: float, username: str, checks: Checks | None
) -> None:
    """Opens the review queue's last page (the newest updates: the focal points'), then
    accepts one of the updates waiting in it (each acceptance changes what the public sees:
    the cached pages that show it are renewed). An update the review refuses to accept (an
    "implemented" status without public evidence, as many of the synthetic ones are) is
    left for the next one. With two hosts, reviewers check each update of the load test
    they accept on the other host (`Checks.acceptance`)."""
    rng = random.Random(username)
    latencies, errors = [], []
    try:
        browser = signed_in(username, port)
    except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as error:
        tally.add([], [f"{username} could not sign in: {error!r}"])
        return
    queue = "/review/?page=1000000"  # past the end: the last page
    while time.monotonic() < deadline and len(latencies) < 2_000:
        try:
            status, _location, text, elapsed = browser.request("GET", queue)
            latencies.append((browser.started, elapsed))
            waiting = REVIEW_LINK.findall(text)
            if status != 200 or not waiting:
                errors += [f"GET review queue: {status}"] if status != 200 else []
                time.sleep(0.5)
                continue
            update = int(rng.choice(waiting))
            path = f"/review/{update}/"
            status, _location, text, elapsed = browser.request("GET", path)
            latencies.append((browser.started, elapsed))
            version = SEEN_VERSION.search(text)
            if status != 200 or version is None:
                continue  # taken by the other reviewer meanwhile
            shown = load_update(update) if checks else None
            form = {
                "csrfmiddlewaretoken": CSRF.search(text).group(1),
                "seen_version": version.group(1),
                "decision": "accept",
            }
            status, location, text, elapsed = browser.request("POST", path, form)
            latencies.append((browser.started, elapsed))
            if status not in (200, 302):
                errors.append(f"POST accept: {status}")
            elif location == path:  # refused, the reason shown on the page it goes back to
                browser.request("GET", path)
            elif checks and shown:
                checks.acceptance(browser, update, *shown)
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


KINDS = {"visitors": "visitors", "focal": "focal points", "review": "reviewers"}


def run_clients(
    ports: list[int], paths, accounts, staff, warmup: float, seconds: float, checks: Checks | None
):
    """Every client in a thread of its own, each kind spread over the hosts in turn, for
    `warmup` then `seconds`; their tallies by kind and host, and how long they ran once the
    warm-up was over."""
    from django.db import connection

    def client(target, *args) -> threading.Thread:
        def run() -> None:
            try:
                target(*args)
            finally:
                connection.close()  # the thread's own, opened by the checks

        # A daemon: a run stopped by Ctrl-C or a signal does not wait for its clients.
        return threading.Thread(target=run, daemon=True)

    started = time.monotonic()
    measured_from = started + warmup
    deadline = measured_from + seconds
    tallies = {kind: [Tally(measured_from) for _ in ports] for kind in KINDS}
    clients = [(visitor, "visitors", (paths, n)) for n in range(VISITORS)]
    clients += [(focal_point, "focal", (name, ids, checks)) for name, ids in accounts]
    clients += [(reviewer, "review", (name, checks)) for name in staff]
    threads, counts = [], dict.fromkeys(KINDS, 0)
    for target, kind, args in clients:
        host = counts[kind] % len(ports)
        counts[kind] += 1
        threads.append(client(target, ports[host], tallies[kind][host], deadline, *args))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tallies, time.monotonic() - measured_from


def drain_outbox(since) -> tuple[int, int, float]:
    """The emails written since `since`, how many of them are unsent once the worker has
    sent them all or OUTBOX_DRAIN_SECONDS have passed, and the seconds waited."""
    from tracker.models import Email

    started = time.monotonic()
    written = Email.objects.filter(created_at__gte=since)
    while written.unsent().exists() and time.monotonic() - started < OUTBOX_DRAIN_SECONDS:
        time.sleep(0.5)
    return written.count(), written.unsent().count(), time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--warmup",
        type=float,
        default=10,
        help="seconds the clients run first, not counted in the figures but for errors",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("BENCH_WORKERS", 4)),
        help="gunicorn workers of each host",
    )
    parser.add_argument("--hosts", type=int, choices=(1, 2), default=1)
    options = parser.parse_args()
    # Stopped by a signal (make interrupted, a time limit): what it started stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tracker.models import ProgressUpdate

    if settings.IS_PRODUCTION:
        raise SystemExit("The load test makes accounts with a known password: not in production.")

    two = options.hosts == 2
    rng = random.Random(2022)
    paths = public_paths(rng)
    accounts = focal_points(emails=two)
    staff = reviewers(emails=two)
    before = ProgressUpdate.objects.count()
    run_started = timezone.now()
    connection.close()

    try:
        with tempfile.TemporaryDirectory(prefix="gcm-load-") as folder:
            with contextlib.ExitStack() as stack:
                checks = stored = None
                if two:
                    hosts = start_hosts(stack, Path(folder), options.workers)
                    ports = hosts.ports
                    stale = settings.PUBLIC_PAGE_STALE_SECONDS + settings.PUBLIC_PAGE_WAIT_SECONDS
                    checks = Checks(ports, stale)
                else:
                    log = stack.enter_context((Path(folder) / "gunicorn.log").open("w"))
                    # The page cache in Redis, emptied first, as with two hosts: at this
                    # scale (thousands of pages) the cache in files lists its folder at
                    # every write and drops pages at random once it holds CACHE_ENTRIES.
                    stack.callback(stop, start_server(options.workers, log, **empty_redis()))
                    ports = [PORT]
                tallies, elapsed = run_clients(
                    ports, paths, accounts, staff, options.warmup, options.seconds, checks
                )
                if two:
                    outbox = drain_outbox(run_started)
                    stored = hosts.bucket_names()
            server_log = hosts.log_text() if two else (Path(folder) / "gunicorn.log").read_text()
    finally:
        # The accounts' password is in this file: they sign in only while the test runs.
        get_user_model().objects.filter(username__startswith="load.").update(is_active=False)

    submitted = ProgressUpdate.objects.count() - before
    # (Counted by when they were accepted: each acceptance supersedes the commitment's
    # previous accepted update, so the number of accepted updates hardly moves.)
    accepted = ProgressUpdate.objects.filter(accepted_at__gte=run_started).count()
    locked = server_log.count("database is locked")
    clients = (
        f"Database: {connection.vendor}; {VISITORS} visitors, {len(accounts)} focal points and "
        f"{len(staff)} reviewers for {elapsed:.0f} s; "
    )
    if two:
        print(
            clients + f"two hosts on 127.0.0.1, A :{ports[0]} and B :{ports[1]}, gunicorn with "
            f"{options.workers} workers each, and one background worker"
        )
        print(
            f"Shared by the hosts: the database, the page cache in Redis ({REDIS_URL}), "
            f"evidence files in SeaweedFS (bucket {BUCKET}); each kind of client alternates "
            "between A and B"
        )
    else:
        print(
            clients + f"gunicorn with {options.workers} workers on 127.0.0.1, the page cache "
            f"in Redis ({REDIS_URL})"
        )
    print(
        f"Visitors: half the requests to {len(paths[0])} front pages, half to "
        f"{len(set(paths[1]))} other pages (recommendations, countries, filtered progress)"
    )
    print(f"{'clients':<14}{'requests':>9}{'req/s':>8}{'median ms':>11}{'p99 ms':>9}{'errors':>8}")
    for kind, name in KINDS.items():
        print(Tally.of(tallies[kind]).line(name, elapsed))
        if two:
            for label, port, tally in zip("AB", ports, tallies[kind], strict=True):
                print(tally.line(f"  {label} :{port}", elapsed))
    if options.warmup:
        print(
            f"The warm-up before (not counted above): {options.warmup:.0f} s of the same "
            "clients, starting with the sign-ins and an empty page cache"
        )
        for kind, name in KINDS.items():
            print(Tally.of(tallies[kind]).line(name, options.warmup, warmup=True))
    where = "the hosts' and the worker's logs" if two else "the server log"
    print(
        f"Updates submitted: {submitted}; accepted (each renewing the cached pages that show it): "
        f"{accepted}; 'database is locked' in {where}: {locked}"
    )
    problems = [error for kind in tallies.values() for tally in kind for error in tally.errors]
    failures = []
    if two:
        failures = checks_report(checks, outbox, stored)
    for problem in sorted(set(problems))[:20]:
        print("  ERROR", problem)
    for failure in failures[:20]:
        print("  FAILED", failure)
    if "Traceback" in server_log:
        print(server_log[-3000:])
    if problems or failures or locked or "Traceback" in server_log:
        raise SystemExit(1)


def checks_report(
    checks: Checks, outbox: tuple[int, int, float], stored: list[str] | None
) -> list[str]:
    """Prints what the two-host checks found; returns what failed."""
    written, unsent, waited = outbox
    failures = list(checks.failures)
    if stored is None:
        failures.append("the object store did not answer at the end")
        stored = []
    print(
        f"Accepted through one host, on the other's page at once: {checks.signed_in} of "
        f"{checks.acceptances} signed in; anonymously {checks.at_once} at once and "
        f"{checks.later} later (within the {checks.stale_seconds:.0f} s a visitor may be "
        "given the page from before)"
    )
    print(
        f"Evidence files reported through one host, the same bytes through the other: "
        f"{checks.identical} of {checks.uploads}; files in the object store: {len(stored)}"
    )
    print(
        f"Emails written during the run: {written}; sent by the worker: {written - unsent}; "
        f"unsent after {waited:.0f} s at the end: {unsent}"
    )
    if not checks.acceptances:
        failures.append("no update of the load test was accepted and checked on the other host")
    if not checks.uploads:
        failures.append("no evidence file was uploaded")
    if len(stored) != checks.uploads:
        failures.append(f"{checks.uploads} files uploaded, {len(stored)} in the object store")
    if not written or unsent:
        failures.append(f"emails: {written} written, {unsent} unsent")
    return failures


if __name__ == "__main__":
    main()
