"""Benchmarks of reading reports (part of `make bench`; alone: `python benchmarks/reports.py`).

The shipped report with its body repeated six times (444 paragraphs), made into a PDF of
about 60 pages (with a running header and "Page N of M" footers) and into a Word document
with automatic numbering, is read as an import reads it, each format three times. Each
line gives the median time and the peak memory of the reading: for the PDF, read in a
child process, the child's peak resident size; for Word, the peak allocated while
reading. The limit set for a 60-page PDF is 10 s. Then a corrected version of a
2,000-paragraph report, one paragraph deleted near the start and one in twenty
corrected, is aligned with the stored one, as a re-import does.
"""

import io
import re
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import ROOT, django_setup
from pypdf import PdfReader

SHIPPED = ROOT / "consultations" / "reports" / "2022-04-11-border-management-labour-migration.txt"
COPIES = 6
RUNS = 3


def long_report() -> str:
    from tests.consultations.test_pdf_reports import long_report

    shipped = SHIPPED.read_text(encoding="utf-8")
    return long_report(shipped, COPIES) + "\nAGENDA" + shipped.split("\nAGENDA", 1)[1]


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def timed(read, data: bytes) -> tuple[float, object]:
    times, result = [], None
    for _run in range(RUNS):
        started = time.perf_counter()
        result = read(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run() -> None:
    from consultations.alignment import align
    from consultations.documents import read_report
    from consultations.report_parser import parse_report
    from tests.consultations.test_pdf_reports import render, report_html
    from tests.consultations.test_word_reports import numbered_docx

    text = long_report()
    pdf = render(report_html(text))
    docx = numbered_docx(text)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print()
    print(f"Reading a report of {text.count(chr(10)) + 1:,} lines ({COPIES}x the shipped body)")
    print(f"{'format':<28}{'size KB':>9}{'median s':>10}{'peak MB':>9}{'paragraphs':>12}")

    def parsed(read):
        return lambda data: parse_report(read(data).text)

    seconds, report = timed(parsed(read_report), pdf)
    child = peak_mb(resource.RUSAGE_CHILDREN)
    print(
        f"{f'PDF, {pages} pages (limit 10 s)':<28}{len(pdf) / 1024:>9.0f}{seconds:>10.2f}"
        f"{child:>9.0f}{len(report.paragraphs):>12}"
    )
    seconds, report = timed(parsed(read_report), docx)
    tracemalloc.start()
    read_report(docx)
    allocated = tracemalloc.get_traced_memory()[1] / 1024**2
    tracemalloc.stop()
    print(
        f"{'Word, automatic numbering':<28}{len(docx) / 1024:>9.0f}{seconds:>10.2f}"
        f"{allocated:>9.0f}{len(report.paragraphs):>12}"
    )
    seconds, report = timed(parsed(read_report), text.encode())
    print(
        f"{'plain text':<28}{len(text) / 1024:>9.0f}{seconds:>10.2f}"
        f"{'':>9}{len(report.paragraphs):>12}"
    )

    paragraphs = [p.text for p in parse_report(text).paragraphs] * 5  # 2,220 texts
    old = {n: f"{t} ({n})" for n, t in enumerate(paragraphs[:2000], start=1)}
    corrected = [  # one paragraph in twenty corrected
        re.sub(r"\bthe\b", "a", t, count=1) if i % 20 == 0 else t
        for i, t in enumerate(old.values())
    ]
    new_texts = [corrected[0], *corrected[2:]]  # paragraph 2 deleted
    new = dict(enumerate(new_texts, start=1))
    started = time.perf_counter()
    matches = align(old, new)
    seconds = time.perf_counter() - started
    moved = sum(1 for number, match in matches.items() if match.number != number)
    print(
        f"Aligning a corrected version of {len(old):,} paragraphs: {seconds:.2f} s; "
        f"{len(matches):,} matched, {moved:,} moved up by one"
    )


if __name__ == "__main__":
    django_setup()
    run()
