"""Benchmarks of spreadsheet uploads (part of `make bench`; alone: `python benchmarks/imports.py`).

A focal point of five synthetic countries uploads the progress table of their 5,000
commitments (the row cap), every row changed, as CSV and as XLSX, to gunicorn on
127.0.0.1:

- preview of a file with a mix of row errors (unknown codes, another country's rows, bad
  dates): it cannot be confirmed, so this is what an attacker can make the server do;
- preview, then confirm, of the same rows without errors;
- while a preview runs, another focal point saves progress updates: how long each save
  waits, and whether any request got an error;
- three previews at once (three workers): every answer is a page, none an error;
- a 1.6 KB workbook that declares A1:XFD1048576 with one row at the very bottom: refused.

Each case prints its time and the server worker's peak memory above its memory at rest
(VmHWM, reset before each case through /proc/<pid>/clear_refs). The confirmed updates are
removed at the end, and the accounts made for the run are switched off.
"""

import contextlib
import datetime as dt
import http.client
import io
import re
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import django_setup, start_server
from load import CSRF, PASSWORD, Browser, update_form

IMPORT = "/admin/tracker/commitment/import/"
CONFIRM = "/admin/tracker/commitment/process_import/"
ADD_UPDATE = "/admin/tracker/progressupdate/add/"
COUNTRIES = 5
ROWS = 5000
CSV_FORMAT, XLSX_FORMAT = "0", "1"


# --- data -------------------------------------------------------------------------------


def accounts() -> tuple[list[int], int]:
    """bench.importer reports for five synthetic countries, bench.other for a sixth.
    Returns the importer's commitment ids and one of bench.other's."""
    from django.contrib.auth import get_user_model

    from tracker import roles
    from tracker.models import Commitment, Country

    countries = list(
        Country.objects.filter(commitments__recommendation__consultation__code="SCALE")
        .distinct()
        .order_by("code")[: COUNTRIES + 1]
    )
    User = get_user_model()
    for username, owned in (("bench.importer", countries[:COUNTRIES]), ("bench.other", [])):
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.is_active = True
        user.save()
        roles.grant_focal_point(user, owned or countries[COUNTRIES:])
    staff, _ = User.objects.get_or_create(username="bench.staff")
    staff.set_password(PASSWORD)
    staff.is_active = True
    staff.save()
    roles.grant_network_staff(staff)
    mine = Commitment.objects.filter(country__in=countries[:COUNTRIES]).order_by("pk")
    other = Commitment.objects.filter(country=countries[COUNTRIES]).order_by("pk")
    return list(mine.values_list("pk", flat=True)[:ROWS]), other.values_list("pk", flat=True)[0]


def table(ids: list[int], *, with_errors: bool) -> tuple[list[str], list[list]]:
    """The export of these commitments, every row changed (status and note); with errors,
    one row in 40 has an unknown code, one in 40 another country's code and one in 40 a
    date that is not one."""
    from tracker.models import Commitment, Status
    from tracker.resources import ProgressResource

    rows = ProgressResource().iter_rows(Commitment.objects.filter(pk__in=ids))
    headers = [str(h) for h in next(rows)]
    column = {name: headers.index(name) for name in headers}
    labels = {str(Status.PLANNED.label), str(Status.IN_PROGRESS.label)}
    body = []
    marker = uuid.uuid4().hex[:8]
    for number, row in enumerate(rows):
        row = ["" if value is None else value for value in row]
        status = row[column["Status"]]
        row[column["Status"]] = (
            str(Status.IN_PROGRESS.label)
            if status in labels - {str(Status.IN_PROGRESS.label)}
            else str(Status.PLANNED.label)
        )
        row[column["Latest accepted note"]] = f"Bench note {marker} {number}"
        if with_errors and number % 40 == 1:
            row[column["Recommendation code"]] = f"NO-SUCH-{number}"
        elif with_errors and number % 40 == 2:
            row[column["Country code"]] = "ZZ"
        elif with_errors and number % 40 == 3:
            row[column["Next deadline"]] = "31/02/2030"
        body.append(row)
    return headers, body


def as_csv(headers, rows) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(headers, rows) -> bytes:
    """As a spreadsheet program saves it: shared strings, and the sheet's size declared."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("Progress")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(number, column, value, day)
            else:
                sheet.write(number, column, value)
    book.close()
    return buffer.getvalue()


def sparse_xlsx(headers) -> bytes:
    """A header, and one row at row 1,048,576 of a sheet declared A1:XFD1048576."""
    cells = "".join(
        f'<c r="{_column(i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(headers)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        f'<row r="1">{cells}</row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Progress" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


# --- the client ---------------------------------------------------------------------------


class Uploader(Browser):
    def sign_in(self, username: str) -> None:
        _status, _location, text, _elapsed = self.request("GET", "/admin/login/")
        form = {"username": username, "password": PASSWORD}
        form["csrfmiddlewaretoken"] = CSRF.search(text).group(1)
        status, _location, _text, _elapsed = self.request("POST", "/admin/login/", form)
        if status != 302:
            raise SystemExit(f"{username} could not sign in ({status})")

    def upload(self, data: bytes, name: str, fmt: str):
        """Preview: (status, page, seconds)."""
        _status, _location, text, _elapsed = self.request("GET", IMPORT)
        boundary = uuid.uuid4().hex
        fields = {"csrfmiddlewaretoken": CSRF.search(text).group(1), "format": fmt, "resource": "0"}
        part = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'
        body = b"".join(part.format(boundary, k, v).encode() for k, v in fields.items())
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.post_raw(IMPORT, body, f"multipart/form-data; boundary={boundary}")

    def post_raw(self, path: str, body: bytes, content_type: str):
        started = time.perf_counter()
        try:
            return self._post(path, body, content_type)
        except (OSError, http.client.HTTPException) as error:
            self.reconnect()
            return f"failed: {error!r}", "", time.perf_counter() - started

    def _post(self, path: str, body: bytes, content_type: str):
        headers = {
            "Host": "127.0.0.1",
            "Content-Type": content_type,
            "Referer": f"http://127.0.0.1{path}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        started = time.perf_counter()
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, text, time.perf_counter() - started

    def confirm(self, page: str):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        if "import_file_name" not in fields:
            raise SystemExit("the preview offered no confirmation: " + _errors(page))
        fields["csrfmiddlewaretoken"] = CSRF.search(page).group(1)
        import html
        import urllib.parse

        body = urllib.parse.urlencode({k: html.unescape(v) for k, v in fields.items()})
        return self.post_raw(CONFIRM, body.encode(), "application/x-www-form-urlencoded")

    def save_update(self, commitment: int) -> tuple[int, float]:
        url = f"{ADD_UPDATE}?commitment={commitment}"
        _status, _location, text, elapsed = self.request("GET", url)
        form = update_form(
            text, commitment, status="planned", narrative=f"Bench save {uuid.uuid4().hex[:8]}"
        )
        status, _location, _text, elapsed = self.request("POST", ADD_UPDATE, form)
        return status, elapsed


def _errors(page: str) -> str:
    return "; ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', page))[:300]


# --- the server's memory ------------------------------------------------------------------


def workers(server) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def memory_kb(pid: int, field: str) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:  # the worker is gone (killed by gunicorn's timeout, say)
        return 0
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Peak:
    """The workers' highest memory during a case, above what they held before it."""

    def __init__(self, server):
        self.pids = workers(server)

    def __enter__(self):
        self.rest = {}
        for pid in self.pids:
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM
            self.rest[pid] = memory_kb(pid, "VmRSS")
        return self

    def __exit__(self, *exc):
        self.mb = max((memory_kb(pid, "VmHWM") - self.rest[pid]) / 1024 for pid in self.pids)


# --- the cases ----------------------------------------------------------------------------


def consultations_list(staff: "Uploader") -> tuple:
    """The admin's list of consultations, one of them with a 2 MB report text."""
    from consultations.models import Consultation

    consultation = Consultation.objects.get(code="SCALE")
    kept = consultation.source_text
    line = "12. Synthetic paragraph text of a long consultation report, kept as written.\n"
    Consultation.objects.filter(pk=consultation.pk).update(
        source_text=line * (2 * 1024 * 1024 // len(line))
    )
    try:
        staff.request("GET", "/admin/consultations/consultation/")  # warm up
        timings = []
        for _ in range(5):
            status, _location, _text, seconds = staff.request(
                "GET", "/admin/consultations/consultation/"
            )
            timings.append(seconds)
    finally:
        Consultation.objects.filter(pk=consultation.pk).update(source_text=kept)
    return ("consultations list, a 2 MB report (median)", sorted(timings)[2], 0, status)


def run() -> None:
    from tracker.models import ProgressUpdate

    ids, other_commitment = accounts()
    files = {}
    for kind, maker, fmt in (("CSV", as_csv, CSV_FORMAT), ("XLSX", as_xlsx, XLSX_FORMAT)):
        for errors in (True, False):
            headers, rows = table(ids, with_errors=errors)
            files[kind, errors] = (maker(headers, rows), fmt)
    sparse = sparse_xlsx(headers)
    results = []

    server = start_server(1)
    try:
        importer = Uploader()
        importer.sign_in("bench.importer")
        other = Uploader()
        other.sign_in("bench.other")
        staff = Uploader()
        staff.sign_in("bench.staff")
        results.append(consultations_list(staff))
        importer.upload(files["CSV", True][0][:2000], "warm.csv", CSV_FORMAT)  # warm up
        other.save_update(other_commitment)
        for kind in ("CSV", "XLSX"):
            data, fmt = files[kind, True]
            with Peak(server) as peak:
                status, page, seconds = importer.upload(data, f"with-errors.{kind.lower()}", fmt)
            errors = page.count('<td class="errors">')
            results.append(
                (
                    f"{kind} preview, {ROWS} rows, some in error",
                    seconds,
                    peak.mb,
                    f"{status}, {errors} row errors shown",
                )
            )
            data, fmt = files[kind, False]
            with Peak(server) as peak:
                status, page, seconds = importer.upload(data, f"clean.{kind.lower()}", fmt)
            results.append((f"{kind} preview, {ROWS} rows changed", seconds, peak.mb, status))
            with Peak(server) as peak:
                status, _page, seconds = importer.confirm(page)
            created = ProgressUpdate.objects.filter(author__username="bench.importer").count()
            results.append(
                (
                    f"{kind} confirm, {ROWS} rows changed",
                    seconds,
                    peak.mb,
                    f"{status}, {created} updates waiting",
                )
            )
            clean_up()
        with Peak(server) as peak:
            status, page, seconds = importer.upload(sparse, "sparse.xlsx", XLSX_FORMAT)
        refused = "refused" if "errorlist" in page and "import_file_name" not in page else "NOT"
        results.append(("XLSX declared A1:XFD1048576", seconds, peak.mb, f"{status}, {refused}"))
    finally:
        server.terminate()
        server.wait(10)

    # A save by another focal point while a preview runs (two workers: one each).
    server = start_server(2)
    try:
        importer = Uploader()
        importer.sign_in("bench.importer")
        other = Uploader()
        other.sign_in("bench.other")
        other.save_update(other_commitment)
        data, fmt = files["CSV", True]
        outcome = {}
        thread = threading.Thread(
            target=lambda: outcome.update(preview=importer.upload(data, "a.csv", fmt))
        )
        thread.start()
        time.sleep(0.3)
        saves = []
        while thread.is_alive() and len(saves) < 50:
            saves.append(other.save_update(other_commitment))
        thread.join()
        waits = [elapsed for _status, elapsed in saves]
        bad = [status for status, _elapsed in saves if status != 302]
        results.append(
            (
                f"{len(saves)} saves during a preview (slowest)",
                max(waits or [0]),
                0,
                f"preview {outcome['preview'][0]}; saves not redirected: {len(bad)}",
            )
        )
    finally:
        server.terminate()
        server.wait(10)

    # Three previews at once, three workers.
    server = start_server(3)
    try:
        clients = []
        for _ in range(3):
            client = Uploader()
            client.sign_in("bench.importer")
            clients.append(client)
        answers = []
        data, fmt = files["CSV", True]

        def one(client):
            answers.append(client.upload(data, "same.csv", fmt))

        started = time.perf_counter()
        with Peak(server) as peak:
            threads = [threading.Thread(target=one, args=(c,)) for c in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        statuses = sorted(status for status, _page, _seconds in answers)
        results.append(
            (
                "3 previews at once (all done)",
                time.perf_counter() - started,
                peak.mb,
                f"statuses {statuses}",
            )
        )
    finally:
        server.terminate()
        server.wait(10)
    clean_up()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith="bench.").update(is_active=False)

    print("\nSpreadsheet uploads (gunicorn on 127.0.0.1; memory: worker peak above rest)")
    print(f"{'case':<44}{'seconds':>9}{'MB':>7}  answer")
    for name, seconds, mb, answer in results:
        print(f"{name:<44}{seconds:>9.2f}{mb:>7.0f}  {answer}")


def clean_up() -> None:
    """Remove what the bench's uploads and saves made (updates waiting for review)."""
    from django.db import connection

    from tracker.models import Deadline, ProgressUpdate

    mine = ProgressUpdate.objects.filter(author__username__startswith="bench.")
    Deadline.objects.filter(update__in=mine).delete()
    mine.filter(accepted_at__isnull=True).delete()
    # Leave the database as the next case would find it in use, not with thousands of
    # deleted rows for every read to step over: on SQLite, written back from the
    # write-ahead log; on PostgreSQL, vacuumed.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for model in (ProgressUpdate, ProgressUpdate.history.model, Deadline):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


if __name__ == "__main__":
    django_setup()
    run()
