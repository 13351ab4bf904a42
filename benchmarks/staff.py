"""Benchmarks of network staff's busiest pages at scale (part of `make bench`; alone:
`python benchmarks/staff.py`).

Network staff (bench.staff, signed in through the admin's own sign-in form) open, from
CONNECTIONS keep-alive connections to gunicorn on 127.0.0.1, the commitment list unfiltered
and with a filter and a search, the progress updates waiting for review in the admin, the
review queue (its first and last pages), and the admin's form for adding an update (which
lists every commitment staff may choose: all 50,000); each line gives requests per second,
the median and the 99th percentile, and the queries one request makes (counted in this
process with Django's test client).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import CONNECTIONS, PORT, django_setup, hammer, start_server
from load import PASSWORD, signed_in

USERNAME = "bench.staff"


def staff_account():
    from django.contrib.auth import get_user_model

    from tracker import roles

    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.is_active = True
    user.save()
    roles.grant_network_staff(user)
    return user


def paths() -> list[tuple[str, str]]:
    from tracker.models import Commitment, Country, ProgressUpdate

    country = Country.objects.filter(commitments__isnull=False).order_by("code").first()
    waiting = ProgressUpdate.ReviewState.SUBMITTED
    commitment = Commitment.objects.filter(country=country).order_by("pk").first()
    return [
        ("commitments, unfiltered", "/admin/tracker/commitment/"),
        (
            "commitments, filter+search",
            f"/admin/tracker/commitment/?country__id__exact={country.pk}"
            "&status__exact=not_started&q=recommendation",
        ),
        (
            "updates waiting (admin)",
            f"/admin/tracker/progressupdate/?review_state__exact={waiting}",
        ),
        ("review queue", "/review/"),
        ("review queue, last page", "/review/?page=1000000"),
        ("add an update (admin)", f"/admin/tracker/progressupdate/add/?commitment={commitment.pk}"),
    ]


def query_count(user, path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


def run(seconds: float = 8) -> None:
    from tracker.models import ProgressUpdate

    user = staff_account()
    counts = {path: query_count(user, path) for _name, path in paths()}
    waiting = ProgressUpdate.objects.filter(review_state=ProgressUpdate.ReviewState.SUBMITTED)
    server = start_server(int(os.environ.get("BENCH_WORKERS", 4)))
    try:
        browser = signed_in(USERNAME, PORT)
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        rows = []
        for name, path in paths():
            hammer(path, 1.0, 100, headers={"Cookie": cookie})  # warm up
            rows.append((name, path, hammer(path, seconds, 10_000, headers={"Cookie": cookie})))
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"\nStaff pages ({waiting.count():,} updates waiting for review): {CONNECTIONS} "
        f"connections, {seconds:.0f} s each"
    )
    print(f"{'page':<30}{'req/s':>8}{'median ms':>11}{'p99 ms':>9}{'queries':>9}")
    for name, path, result in rows:
        print(
            f"{name:<30}{result['rps']:>8.0f}{result['median_ms']:>11.1f}"
            f"{result['p99_ms']:>9.1f}{counts[path]:>9}"
            + (f"  {result['errors']} ERRORS" if result["errors"] else "")
        )


if __name__ == "__main__":
    django_setup()
    run(float(os.environ.get("BENCH_SECONDS", 8)))
