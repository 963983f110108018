"""Committee areas stored in no language: "ZIP 90033, 90023; 2 km around a point"
(written in the language of whoever saved the area) becomes "zip:90033,90023;km:2",
worded in each reader's language when shown (core/areas.py ``area_text``)."""

import re

from django.db import migrations

# The labels written before, in English or Spanish (the two languages of the pages).
ZIPS = re.compile(r"^(?:ZIP|Código postal) (\d{5}(?:, \d{5})*)$")
RADIUS = re.compile(r"^([\d.]+) km (?:around a point|alrededor de un punto)$")
CELLS = re.compile(r"^(\d+) (?:cells drawn on the map|celdas dibujadas en el mapa)$")


def key_of(label: str) -> str:
    parts = []
    for part in label.split("; "):
        if found := ZIPS.match(part):
            parts.append("zip:" + found[1].replace(", ", ","))
        elif found := RADIUS.match(part):
            parts.append(f"km:{found[1]}")
        elif found := CELLS.match(part):
            parts.append(f"cells:{found[1]}")
        else:
            return label  # not one of ours (set by hand): kept as it is
    return ";".join(parts)


def forwards(apps, schema_editor):
    Committee = apps.get_model("committees", "Committee")
    for committee in Committee.objects.exclude(area_label="").only("pk", "area_label"):
        key = key_of(committee.area_label)
        if key != committee.area_label:
            Committee.objects.filter(pk=committee.pk).update(area_label=key)


class Migration(migrations.Migration):
    dependencies = [("committees", "0003_committee_pages_joining_announcements")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
