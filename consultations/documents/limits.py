"""Reading an uploaded PDF in a child process held to time and memory limits.

A PDF can be built to overload its reader: objects nested a hundred thousand deep, a
small stream that unpacks to gigabytes, a page tree that never ends. So the file is read
by a separate Python process (``python -m consultations.documents.limits``) that limits
its own processor time and address space before it reads anything, and is stopped by
its parent when it runs past the wall-clock limit. The child needs no Django settings:
it reads the PDF from standard input and writes, as JSON on standard output, the words
of each page with their position, size and style; what the words mean, and the messages
about them, are the parent's business (``consultations.documents.pdf``).

``read_words`` is the parent's side; ``main`` the child's.
"""

import io
import json
import logging
import math
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from itertools import islice
from pathlib import Path

BOLD = 1
ITALIC = 2
_BOLD_FONT = re.compile(r"bold|black|heavy", re.I)
_ITALIC_FONT = re.compile(r"italic|oblique", re.I)
# How the system stops a process past its processor time (or the parent, past its time).
_STOPPED = {getattr(signal, name) for name in ("SIGXCPU", "SIGKILL") if hasattr(signal, name)}
# Where ``python -m consultations.documents.limits`` finds the package.
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class Refused(Exception):
    """The child could not, or would not, read the file: ``reason`` is one of "encrypted",
    "unreadable", "pages" (more than allowed; ``count`` says how many, when the file
    says), "words" (more than allowed), "time" or "memory"."""

    def __init__(self, reason: str, count: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.count = count


# --- the parent's side ----------------------------------------------------------------


def read_words(
    data: bytes, *, seconds: float, memory: int, max_pages: int, max_words: int
) -> list[dict]:
    """The pages of the PDF in data, each a dict with its "width", "height", the share of
    it covered by "images", how many characters had no known letter ("unmapped") and its
    "words" as [x0, x1, top, bottom, size, style, text] (points from the top left; style
    a sum of BOLD and ITALIC). Raises Refused."""
    command = [
        sys.executable,
        "-m",
        __name__,
        str(seconds),
        str(memory),
        str(max_pages),
        str(max_words),
    ]
    try:
        completed = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=seconds,
            cwd=_PACKAGE_ROOT,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(_python_path())},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise Refused("time") from error
    if completed.returncode != 0:
        if b"MemoryError" in completed.stderr:
            raise Refused("memory")
        if -completed.returncode in _STOPPED:
            raise Refused("time")
        raise Refused("unreadable")
    try:
        result = json.loads(completed.stdout)
    except ValueError as error:
        raise Refused("unreadable") from error
    if "refused" in result:
        raise Refused(result["refused"], result.get("count", 0))
    return result["pages"]


def _python_path() -> list[str]:
    found = os.environ.get("PYTHONPATH", "")
    return [str(_PACKAGE_ROOT), *(found.split(os.pathsep) if found else [])]


# --- the child's side -----------------------------------------------------------------


def _limit(seconds: float, memory: int) -> None:
    """Hold this process to `seconds` of processor time and `memory` bytes of address
    space (where the system allows limits)."""
    try:
        import resource
    except ImportError:  # not a Unix system: the parent's wall clock still holds
        return
    cpu = max(1, int(seconds + 0.999))
    for kind, soft, hard in (
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, memory, memory),
    ):
        _soft, ceiling = resource.getrlimit(kind)
        if ceiling != resource.RLIM_INFINITY:  # a limit cannot be raised past its ceiling
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        resource.setrlimit(kind, (soft, hard))


def _style(fontname: str) -> int:
    return (BOLD if _BOLD_FONT.search(fontname) else 0) | (
        ITALIC if _ITALIC_FONT.search(fontname) else 0
    )


def _turn(matrix) -> int | None:
    """How far a letter is turned (0, 90, 180 or 270 degrees), or None when it is slanted
    or mirrored."""
    a, b, c, d = matrix[:4]
    if abs(b) <= 0.01 * abs(a) and abs(c) <= 0.01 * abs(d):
        return 0 if a > 0 and d > 0 else 180 if a < 0 and d < 0 else None
    if abs(a) <= 0.01 * abs(b) and abs(d) <= 0.01 * abs(c):
        return 90 if b > 0 > c else 270 if c > 0 > b else None
    return None


# For the letters of each turn, a point of the page (x, y up, page box x0, y0, x1, y1) as
# (across, down) on the page turned so that those letters read from left to right.
_FRAMES = {
    0: lambda x, y, box: (x - box[0], box[3] - y),
    90: lambda x, y, box: (y - box[1], x - box[0]),
    180: lambda x, y, box: (box[2] - x, y - box[1]),
    270: lambda x, y, box: (box[3] - y, box[2] - x),
}


def _page_words(page) -> dict:
    """What the parent needs of one page: its size, the share of it images cover, and
    its words, read in the order the page draws its letters. The page is read the way
    most of its letters face (a page turned to landscape, say); letters facing another
    way (a watermark, a note up the margin), off the page, or with no known meaning are
    left out, and a letter drawn twice in the same place (a way of faking bold) counts
    once."""
    from pdfminer.layout import LTChar, LTContainer, LTImage

    layout = page.layout
    box = layout.bbox
    letters, unmapped, covered = [], 0, 0.0
    stack = [iter(layout)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        bbox = getattr(item, "bbox", None)
        if bbox is None or not all(map(math.isfinite, bbox)):
            continue  # a hostile file can place things at infinity
        if isinstance(item, LTImage):
            image_width = min(item.x1, box[2]) - max(item.x0, box[0])
            image_height = min(item.y1, box[3]) - max(item.y0, box[1])
            covered += max(image_width, 0) * max(image_height, 0)
        elif isinstance(item, LTContainer):
            stack.append(iter(item))
        elif isinstance(item, LTChar):
            if item.get_text().startswith("(cid:"):
                unmapped += 1
            else:
                letters.append((item, _turn(item.matrix)))
    turns = Counter(turn for _item, turn in letters if turn is not None)
    turn = turns.most_common(1)[0][0] if turns else 0
    frame = _FRAMES[turn]
    width, height = (
        (layout.width, layout.height) if turn in (0, 180) else (layout.height, layout.width)
    )
    words: list[list] = []
    seen: set[tuple[str, int, int]] = set()
    styles: dict[str, int] = {}
    current: list | None = None
    for item, item_turn in letters:
        text = item.get_text()
        if item_turn != turn or text.isspace():
            current = None
            continue
        (u0, v0), (u1, v1) = frame(item.x0, item.y0, box), frame(item.x1, item.y1, box)
        x0, x1, top, bottom = min(u0, u1), max(u0, u1), min(v0, v1), max(v0, v1)
        if not text or x1 <= 0 or x0 >= width or bottom <= 0 or top >= height:
            current = None
            continue
        place = (text, round(x0), round(top))
        if place in seen:
            continue
        seen.add(place)
        size = bottom - top
        if item.fontname not in styles:
            styles[item.fontname] = _style(item.fontname)
        style = styles[item.fontname]
        if (
            current is not None
            and current[5] == style
            and abs(current[4] - size) < 0.01
            and abs(current[3] - bottom) <= 0.25 * size
            and -0.5 * size <= x0 - current[1] <= 0.15 * size
        ):
            current[1] = max(current[1], x1)
            current[2] = min(current[2], top)
            current[3] = max(current[3], bottom)
            current[6] += text
        else:
            current = [x0, x1, top, bottom, size, style, text]
            words.append(current)
    page.close()
    return {
        "width": round(width, 2),
        "height": round(height, 2),
        "images": round(min(covered / (width * height), 1.0), 3) if width * height else 0,
        "unmapped": unmapped,
        "words": [[*(round(value, 2) for value in word[:5]), *word[5:]] for word in words],
    }


def _declared_pages(document) -> int | None:
    """The page count the document's catalog states, read without laying out a page."""
    from pdfminer.pdftypes import resolve1

    tree = resolve1(document.catalog.get("Pages"))
    count = resolve1(tree.get("Count")) if isinstance(tree, dict) else None
    return count if isinstance(count, int) else None


def _causes(error: BaseException | None):
    """The error and those it wraps (the reader wraps what fails inside it)."""
    for _depth in range(20):
        if error is None:
            return
        yield error
        if error.args and isinstance(error.args[0], BaseException):
            error = error.args[0]
        else:
            error = error.__cause__ or error.__context__


def _refusal(error: BaseException) -> dict:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    causes = list(_causes(error))
    if any(isinstance(cause, MemoryError) for cause in causes):
        return {"refused": "memory"}
    if any(isinstance(cause, PDFEncryptionError | PDFPasswordIncorrect) for cause in causes):
        return {"refused": "encrypted"}
    return {"refused": "unreadable"}


def extract(data: bytes, max_pages: int, max_words: int) -> dict:
    """The JSON-ready result for the PDF in data: {"pages": [...]} or {"refused": …}."""
    import pdfplumber
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as error:
        return _refusal(error)
    declared = _declared_pages(pdf.doc)
    if declared is not None and declared > max_pages:
        return {"refused": "pages", "count": declared}
    page_objects = list(islice(PDFPage.create_pages(pdf.doc), max_pages + 1))
    if len(page_objects) > max_pages:  # the catalog understates the count
        return {"refused": "pages", "count": 0}
    pages, total = [], 0
    for number, page_object in enumerate(page_objects, start=1):
        page = _page_words(Page(pdf, page_object, page_number=number))
        total += len(page["words"])
        if total > max_words:
            return {"refused": "words", "count": total}
        pages.append(page)
    if not pages:
        return {"refused": "unreadable"}
    return {"pages": pages}


def main(argv: list[str]) -> int:
    seconds, memory, max_pages, max_words = argv
    _limit(float(seconds), int(memory))
    logging.disable(logging.CRITICAL)  # a damaged file can make the reader log endlessly
    data = sys.stdin.buffer.read()
    try:
        result = extract(data, int(max_pages), int(max_words))
    except Exception as error:  # a damaged or hostile file fails in many ways in the reader
        result = _refusal(error)
    sys.stdout.write(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
