"""Reference data: the CPV 2008 list (from challenges/data/cpv-2008-en.csv), the starting themes, and on
PostgreSQL the GIN index of the full-text search vector."""

import csv
from pathlib import Path

from django.db import migrations

CPV_FILE = Path(__file__).resolve().parent.parent / "data" / "cpv-2008-en.csv"

THEMES = [
    ("health-and-care", "Health and care", "Helse og omsorg"),
    ("ageing-and-loneliness", "Ageing and loneliness", "Aldring og ensomhet"),
    ("mobility-and-transport", "Mobility and transport", "Mobilitet og transport"),
    ("road-safety", "Road safety", "Trafikksikkerhet"),
    ("education", "Education", "Utdanning"),
    ("climate-and-energy", "Climate and energy", "Klima og energi"),
    ("circular-economy", "Circular economy and waste", "Sirkulærøkonomi og avfall"),
    ("food", "Food and meals", "Mat og måltider"),
    ("buildings-and-infrastructure", "Buildings and infrastructure", "Bygg og infrastruktur"),
    ("digital-services", "Digital public services", "Digitale offentlige tjenester"),
    ("water-and-environment", "Water and environment", "Vann og miljø"),
    ("safety-and-emergency", "Safety and emergency services", "Sikkerhet og beredskap"),
]

GIN = "CREATE INDEX IF NOT EXISTS challenge_search_vector_gin ON challenges_challenge USING gin (search_vector);"


def load(apps, schema_editor):
    CPVCode = apps.get_model("challenges", "CPVCode")
    Theme = apps.get_model("challenges", "Theme")
    with CPV_FILE.open(encoding="utf-8") as handle:
        rows = [CPVCode(code=row["code"], label=row["label"]) for row in csv.DictReader(handle)]
    CPVCode.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    Theme.objects.bulk_create(
        [Theme(slug=slug, name_en=en, name_nb=nb) for slug, en, nb in THEMES], ignore_conflicts=True
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN, params=None)


def unload(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS challenge_search_vector_gin;", params=None)


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
