"""The 23 GCM objectives, the 10 GCM guiding principles and the 17 SDGs, with official titles."""

import csv
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


def rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def load(apps, schema_editor):
    GcmObjective = apps.get_model("consultations", "GcmObjective")
    GuidingPrinciple = apps.get_model("consultations", "GuidingPrinciple")
    Sdg = apps.get_model("consultations", "Sdg")
    for row in rows("gcm-objectives.csv"):
        GcmObjective.objects.update_or_create(
            number=int(row["number"]),
            defaults={"short_name": row["short_name"], "title": row["title"]},
        )
    for row in rows("gcm-guiding-principles.csv"):
        GuidingPrinciple.objects.update_or_create(key=row["key"], defaults={"name": row["name"]})
    for row in rows("sdgs.csv"):
        Sdg.objects.update_or_create(
            number=int(row["number"]),
            defaults={"short_name": row["short_name"], "title": row["title"]},
        )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
