"""The apps' dependency direction: tracker builds on consultations, never the reverse."""

import re
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
TRACKER_URL = re.compile(r"""(\{%\s*url\s+|reverse(_lazy)?\(\s*)["']tracker:""")


def test_consultations_imports_nothing_of_tracker():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def consultations_files():
    yield from (ROOT / "consultations").rglob("*.py")
    yield from (ROOT / "consultations").rglob("*.html")
    for folder in ("templates/consultations", "templates/admin/consultations"):
        yield from (ROOT / folder).rglob("*.html")


def test_no_consultations_code_or_template_names_a_tracker_url():
    naming = [
        str(path.relative_to(ROOT))
        for path in consultations_files()
        if TRACKER_URL.search(path.read_text(encoding="utf-8"))
    ]
    assert naming == []


def test_the_url_check_sees_a_tracker_url():
    # The pattern above matches what a template or a view would write.
    assert TRACKER_URL.search("{% url 'tracker:recommendation_detail' code %}")
    assert TRACKER_URL.search('reverse("tracker:progress_table")')
    assert not TRACKER_URL.search("{% url 'admin:index' %}")
