"""Reports as the network publishes them (PDF) and drafts them (Word), read into the plain
text that ``consultations.report_parser`` reads, with where each line came from."""

from dataclasses import dataclass

from consultations.report_parser import ReportError


@dataclass(frozen=True)
class ExtractedText:
    """A document's report as text, one line per line of ``text``; ``places[i]`` says in
    words where line i + 1 came from ("page 3", "paragraph 12"), for messages."""

    text: str
    places: tuple[str, ...]


class DocumentError(ReportError):
    """A document that cannot be read, naming the place in it ("page 3: …")."""

    def __init__(self, place: str, message: str):
        ValueError.__init__(self, f"{place}: {message}")
        self.line = 0
        self.place = place
        self.message = message
