"""Benchmarks of the public pages and exports, as ratios measured in one run.

    make bench                      # SQLite (benchmarks/bench.sqlite3)
    DATABASE_URL=postgres://... make bench

Needs the synthetic data (`manage.py generate_scale_data`; `make bench` makes it when
missing). Serves the site with gunicorn on 127.0.0.1 and, for each page and for /health/
(the floor the framework sets: "ok" through the same middleware), sends requests from 8
concurrent connections for a fixed time: once with the page cache, as in production, and
once with every request rendered afresh. Prints requests per second, median and p99
latency, the ratio to /health/, and the page's query count (from the cache, and just
after a change). Then times the CSV, XLSX and
JSON exports of every commitment against a plain values_list().iterator() + csv.writer
baseline of the same query (and PostgreSQL's COPY ... TO STDOUT of it), and a country
brief (PDF and Word) of 100 commitments and of all of a country's, each in its own
process to read its peak memory. Only loopback addresses are used; every loop is bounded
in requests and time. `--pages-only` runs the pages' lines alone, `--api-only` the API's.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", 8765))
CONNECTIONS = 8


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()


def pages() -> list[tuple[str, str]]:
    from consultations.models import Consultation, Recommendation
    from tracker.models import Country

    consultation = Consultation.objects.get(code="SCALE")
    recommendation = Recommendation.objects.filter(consultation=consultation).order_by("pk")[0]
    country = Country.objects.filter(commitments__recommendation=recommendation).first()
    iso = country.code.code
    return [
        ("health (floor)", "/health/"),
        ("dashboard", "/"),
        ("progress, 3 facets", f"/progress/?consultation=SCALE&country={iso}&status=in_progress"),
        ("recommendation", f"/recommendations/{recommendation.code}/"),
        ("country", f"/countries/{iso.lower()}/"),
        ("report", "/consultations/synthetic-scale-data/"),
        ("progress, no facet", "/progress/"),
        ("progress, a status", "/progress/?status=planned&page=4"),
        ("recommendations", "/recommendations/"),
        ("countries", "/countries/"),
        ("updates feed", "/updates/feed/"),
    ]


def query_counts(path: str) -> dict[str, int]:
    """Queries of the page: served from the cache; rendered afresh (the values pages share,
    such as facet options, already read since the last change); and the first page after a
    change (those values read again too)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tracker import page_cache

    client = Client(HTTP_HOST="127.0.0.1")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(captured.captured_queries)

    client.get(path)
    counts = {"cached": count(path)}
    page_cache.bump()
    counts["first after a change"] = count(path)
    page_cache.bump()
    client.get(path + ("&" if "?" in path else "?") + "another=url")
    counts["fresh"] = count(path)
    return counts


def hammer(
    path: str, seconds: float, max_requests: int, headers: dict | None = None, expect: int = 200
) -> dict:
    """Requests from CONNECTIONS keep-alive connections for `seconds` (bounded); a
    response other than `expect` counts as an error."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        local, bad = [], 0
        while time.monotonic() < deadline and len(local) < max_requests // CONNECTIONS:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            response = connection.getresponse()
            response.read()
            local.append(time.perf_counter() - started)
            bad += response.status != expect
        connection.close()
        with lock:
            latencies.extend(local)
            errors += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def start_server(workers: int, log=None, **settings: str) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:PORT; `settings` are environment variables of the app."""
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "benchmark-only", "LOG_LEVEL": "WARNING"}
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    env.update(settings)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def bench_pages(seconds: float) -> None:
    """Each page served from the page cache (as in production), then rendered afresh on
    every request (the cache switched off): the worst case, just after each change. With
    the cache off nothing read from the public data is kept between requests, the values
    pages share (a facet's options, whether there is demo data) included; the figures are
    read from their tallies, which every change keeps (tracker.stats)."""
    workers = int(os.environ.get("BENCH_WORKERS", 4))
    tables = {}
    for title, cache_seconds in (("cached", "3600"), ("rendered afresh", "0")):
        rows = []
        server = start_server(workers, PUBLIC_PAGE_CACHE_SECONDS=cache_seconds)
        try:
            for name, path in pages():
                hammer(path, 1.0, 200)  # warm up
                rows.append({**hammer(path, seconds, 100_000), "name": name, "path": path})
        finally:
            server.terminate()
            server.wait(10)
        tables[title] = rows
    counts = {path: query_counts(path) for _name, path in pages()}
    print(
        f"\nPages: {CONNECTIONS} connections, {seconds:.0f} s each, gunicorn with {workers} "
        "workers on 127.0.0.1"
    )
    for title, rows in tables.items():
        floor = rows[0]["rps"]
        print(f"\n{title}")
        print(
            f"{'page':<22}{'req/s':>9}{'median ms':>11}{'p99 ms':>9}{'vs floor':>10}"
            + ("  queries" if title == "cached" else "  queries (first after a change)")
        )
        for row in rows:
            queries = counts[row["path"]]
            print(
                f"{row['name']:<22}{row['rps']:>9.0f}{row['median_ms']:>11.1f}"
                f"{row['p99_ms']:>9.1f}{row['rps'] / floor:>9.0%}  "
                + (
                    f"{queries['cached']:>7}"
                    if title == "cached"
                    else f"{queries['fresh']:>7} ({queries['first after a change']})"
                )
                + (f"  {row['errors']} ERRORS" if row["errors"] else "")
            )


def bench_api(seconds: float) -> None:
    """The API's commitments list (100 a page, 3 filters), with the limit per address as in
    production (API_RATE) but the benchmark's address named in API_UNLIMITED_ADDRESSES;
    then the same request with its ETag, answered 304."""
    from tracker.models import Country

    iso = Country.objects.order_by("pk").first().code.code.lower()
    path = f"/api/v1/commitments/?consultation=SCALE&country={iso}&status=in_progress&page_size=100"
    workers = int(os.environ.get("BENCH_WORKERS", 4))
    server = start_server(workers, API_UNLIMITED_ADDRESSES="127.0.0.1")
    try:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        first = connection.getresponse()
        first.read()
        etag = first.getheader("ETag")
        rows = []
        for name, url, headers, expect in (
            ("health (floor)", "/health/", None, 200),
            ("commitments, 100", path, None, 200),
            ("same, If-None-Match", path, {"If-None-Match": etag}, 304),
        ):
            hammer(url, 1.0, 200, headers, expect)  # warm up
            rows.append({**hammer(url, seconds, 100_000, headers, expect), "name": name})
    finally:
        server.terminate()
        server.wait(10)
    print(f"\nAPI: {CONNECTIONS} connections, {seconds:.0f} s each ({path})")
    print(f"{'request':<22}{'req/s':>9}{'median ms':>11}{'p99 ms':>9}{'vs floor':>10}")
    floor = rows[0]["rps"]
    for row in rows:
        print(
            f"{row['name']:<22}{row['rps']:>9.0f}{row['median_ms']:>11.1f}"
            f"{row['p99_ms']:>9.1f}{row['rps'] / floor:>9.0%}"
            + (f"  {row['errors']} ERRORS" if row["errors"] else "")
        )


def probe(kind: str) -> dict:
    """Run one export in a fresh process; returns its rows, seconds and peak memory."""
    output = subprocess.run(
        [sys.executable, __file__, "--probe", kind],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_probe(kind: str) -> None:
    import csv
    import resource

    django_setup()
    from django.db import connection
    from django.test import Client

    from tracker.models import Commitment

    class Sink:
        def write(self, data):
            return len(data)

    started = time.perf_counter()
    first_byte = None
    size = rows = 0
    if kind in ("csv", "xlsx", "json"):
        response = Client(HTTP_HOST="127.0.0.1").get(f"/progress/export.{kind}")
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:
            first_byte = first_byte or time.perf_counter() - started
            size += len(chunk)
        rows = Commitment.objects.count()
    elif kind == "baseline":
        # The values every exported row is made of, from the export's own query, written
        # by csv.writer: what the export adds to this is its formatting and extras.
        writer = csv.writer(Sink())
        for row in export_values().iterator(chunk_size=2000):
            first_byte = first_byte or time.perf_counter() - started
            writer.writerow(row)
            rows += 1
    elif kind == "5 columns":
        # Five plain columns of the commitment table: the floor of any export.
        writer = csv.writer(Sink())
        values = Commitment.objects.values_list(
            "recommendation__code", "country__code", "status", "status_date", "lead_agency"
        ).order_by()
        for row in values.iterator(chunk_size=2000):
            first_byte = first_byte or time.perf_counter() - started
            writer.writerow(row)
            rows += 1
    elif kind == "copy":
        if connection.vendor != "postgresql":
            print(json.dumps({"skipped": True}))
            return
        sql, params = export_values().query.sql_with_params()
        with connection.cursor() as cursor:
            statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH CSV"
            with cursor.cursor.copy(statement) as copy:
                for data in copy:
                    first_byte = first_byte or time.perf_counter() - started
                    size += len(data)
        rows = Commitment.objects.count()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"rows": rows, "seconds": seconds, "first_byte": first_byte, "peak_mb": peak_mb})
    )


BRIEF_KINDS = ("brief pdf 100", "brief docx 100", "brief pdf all", "brief docx all")


def run_brief_probe(kind: str) -> None:
    """A country brief, for 100 of the country with the most commitments, or all of them,
    rendered by the code the brief URLs use; the libraries loaded and one small PDF made
    before the clock starts (fonts read), as in a server that has made one."""
    import resource

    django_setup()
    import docx  # noqa: F401
    import weasyprint
    from django.db.models import Count

    from tracker import briefs
    from tracker.models import Country

    _brief, fmt, size = kind.split()
    country = Country.objects.annotate(n=Count("commitments")).order_by("-n").first()
    commitments = country.commitments.all()
    if size != "all":
        first = country.commitments.order_by("pk").values_list("pk", flat=True)[: int(size)]
        commitments = commitments.filter(pk__in=list(first))
    weasyprint.HTML(string="<p>ready</p>").write_pdf()
    started = time.perf_counter()
    _filters, entries = briefs.read(commitments, {})
    brief = briefs.country_brief(country, entries, None)
    content = briefs.pdf_bytes(brief) if fmt == "pdf" else briefs.docx_bytes(brief)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"rows": len(entries), "seconds": seconds, "bytes": len(content), "peak_mb": peak_mb}
        )
    )


def bench_briefs() -> None:
    results = {kind: probe(kind) for kind in BRIEF_KINDS}
    print("\nCountry briefs (each in its own process; limit: 3 s and 200 MB for 100 commitments)")
    print(f"{'brief':<16}{'commitments':>12}{'seconds':>9}{'KB':>8}{'peak MB':>9}")
    for kind, result in results.items():
        print(
            f"{kind:<16}{result['rows']:>12}{result['seconds']:>9.2f}"
            f"{result['bytes'] / 1024:>8.0f}{result['peak_mb']:>9.0f}"
        )


def export_values():
    from tracker.models import Commitment
    from tracker.resources import ProgressResource

    rows = ProgressResource.rows_of(Commitment.objects.all())
    return rows.values_list(*ProgressResource().value_paths())


def bench_exports() -> None:
    from tracker.resources import ExportRow

    kinds = ("baseline", "5 columns", "copy", "csv", "xlsx", "json")
    results = {kind: probe(kind) for kind in kinds}
    base = results["baseline"]["seconds"]
    copy = results["copy"]
    print("\nExports of every commitment (each in its own process)")
    print(
        f"baseline: the export's query ({len(ExportRow._fields)} values a row) written by "
        "csv.writer; 5 columns: "
        "five plain columns of the commitment table; copy: COPY of the export's query"
    )
    print(
        f"{'export':<12}{'rows':>8}{'rows/s':>10}{'first byte s':>14}{'peak MB':>9}"
        f"{'vs baseline':>13}{'vs COPY':>9}"
    )
    for kind, result in results.items():
        if result.get("skipped"):
            print(f"{kind:<12}  (PostgreSQL only)")
            continue
        versus_copy = (
            f"{result['seconds'] / copy['seconds']:>8.1f}x"
            if not copy.get("skipped")
            else "       -"
        )
        print(
            f"{kind:<12}{result['rows']:>8}{result['rows'] / result['seconds']:>10.0f}"
            f"{result['first_byte'] or 0:>14.2f}{result['peak_mb']:>9.0f}"
            f"{result['seconds'] / base:>12.1f}x{versus_copy}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe")
    parser.add_argument("--api-only", action="store_true", help="Only the API's lines.")
    parser.add_argument("--pages-only", action="store_true", help="Only the pages' lines.")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)))
    options = parser.parse_args()
    if options.probe in BRIEF_KINDS:
        run_brief_probe(options.probe)
        return
    if options.probe:
        run_probe(options.probe)
        return
    django_setup()
    from django.db import connection

    from tracker.models import Commitment

    print(f"Database: {connection.vendor}; {Commitment.objects.count():,} commitments")
    if options.api_only:
        bench_api(options.seconds)
        return
    bench_pages(options.seconds)
    if options.pages_only:
        return
    bench_api(options.seconds)
    bench_exports()
    bench_briefs()
    import imports
    import reports
    import staff

    staff.run(options.seconds)
    imports.run()
    reports.run()


if __name__ == "__main__":
    main()
