"""Everything a reporter sent expires: after REPORT_RETENTION days the free text, the
place and the photo are gone and the point is coarsened to its cell; after
INCIDENT_RETENTION days an incident is a coarse aggregate without its reports."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pytest_django import Settings

from tests.factories import BOYLE_HEIGHTS, moved, photo_bytes, submit
from vecinos.core import geo, retention
from vecinos.reports import retention as report_retention
from vecinos.reports.models import Incident, IncidentEvent, IncidentStatus, Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

DAY = timedelta(days=1)


def purge() -> dict[str, int]:
    return retention.run_all(timezone.now())["reports"]


def a_report_with_everything() -> Report:
    return submit(
        at=moved(*BOYLE_HEIGHTS, north_m=120, east_m=-80),
        place="Cesar Chavez Ave & Soto St",
        description="Agents at the bakery door.",
        photo=io.BytesIO(photo_bytes()),
        agencies=["ice"],
        vehicles=2,
    )


def photo_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_the_reports_job_is_registered() -> None:
    assert retention.jobs()["reports"] is report_retention.run


def test_a_fresh_report_keeps_its_text_photo_and_point(media_root: Path) -> None:
    report = a_report_with_everything()

    with time_machine.travel(timezone.now() + 13 * DAY):
        purge()

    report.refresh_from_db()
    assert report.description and report.place and report.photo
    assert report.purged_at is None
    assert len(photo_files(media_root)) == 1


def test_after_14_days_text_place_and_photo_are_removed(media_root: Path) -> None:
    report = a_report_with_everything()
    original_point = (report.lat, report.lng)

    with time_machine.travel(timezone.now() + 14 * DAY + timedelta(minutes=1)):
        counts = purge()
        purged_at = timezone.now()

    assert counts["reports_purged"] == 1
    report.refresh_from_db()
    assert (report.description, report.place, report.photo.name) == ("", "", "")
    assert report.purged_at == pytest.approx(purged_at, abs=timedelta(seconds=1))
    assert photo_files(media_root) == []
    # The point is coarsened to the centre of its resolution-8 cell.
    assert (report.lat, report.lng) != original_point
    assert (report.lat, report.lng) == pytest.approx(geo.cell_center(report.cell))
    # What a dispatcher needs for the statistics stays.
    assert report.kind == "raid" and report.agencies == ["ice"] and report.vehicles == 2


def test_the_window_is_the_report_retention_setting(settings: Settings) -> None:
    settings.REPORT_RETENTION = 2
    report = a_report_with_everything()

    with time_machine.travel(timezone.now() + 3 * DAY):
        purge()

    report.refresh_from_db()
    assert report.purged_at is not None


def test_purging_twice_does_nothing_more() -> None:
    report = a_report_with_everything()

    with time_machine.travel(timezone.now() + 15 * DAY):
        first = purge()
        report.refresh_from_db()
        state = (report.lat, report.lng, report.purged_at)
    with time_machine.travel(timezone.now() + 16 * DAY):
        second = purge()

    report.refresh_from_db()
    assert first["reports_purged"] == 1
    assert second["reports_purged"] == 0
    assert (report.lat, report.lng, report.purged_at) == state


def test_the_incident_keeps_its_summary_when_its_reports_are_purged() -> None:
    report = a_report_with_everything()
    submit(client_key="other")
    incident = Incident.objects.get(pk=report.incident_id)

    with time_machine.travel(timezone.now() + 15 * DAY):
        purge()

    after = Incident.objects.get(pk=incident.pk)
    assert (after.report_count, after.source_count, after.lat) == (
        incident.report_count,
        incident.source_count,
        incident.lat,
    )
    assert after.aggregated_at is None


def test_after_90_days_an_incident_becomes_a_coarse_aggregate(media_root: Path) -> None:
    report = a_report_with_everything()
    submit(client_key="other")
    incident = Incident.objects.get(pk=report.incident_id)
    Incident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.CONFIRMED, public_label="Cesar Chavez & Soto"
    )

    with time_machine.travel(timezone.now() + 91 * DAY):
        counts = purge()

    assert counts["incidents_aggregated"] == 1
    after = Incident.objects.get(pk=incident.pk)
    assert not Report.objects.filter(incident=incident).exists()
    assert after.aggregated_at is not None
    assert (after.lat, after.lng) == pytest.approx(geo.cell_center(incident.cell))
    assert after.cell == incident.cell
    assert (after.kind, after.status, after.public_label) == (
        "raid",
        IncidentStatus.CONFIRMED,
        "Cesar Chavez & Soto",
    )
    assert (after.report_count, after.source_count) == (2, 2)
    assert (after.first_seen_at, after.last_seen_at) == (
        incident.first_seen_at,
        incident.last_seen_at,
    )
    event = after.events.get(type=IncidentEvent.Type.AGGREGATED)
    assert event.data == {"reports_deleted": 2}
    assert photo_files(media_root) == []


def test_an_incident_younger_than_90_days_is_kept_whole(settings: Settings) -> None:
    report = a_report_with_everything()

    with time_machine.travel(timezone.now() + 89 * DAY):
        purge()

    assert Report.objects.filter(pk=report.pk).exists()
    assert Incident.objects.get(pk=report.incident_id).aggregated_at is None


def test_aggregating_twice_does_nothing_more() -> None:
    report = a_report_with_everything()

    with time_machine.travel(timezone.now() + 91 * DAY):
        first = purge()
    with time_machine.travel(timezone.now() + 95 * DAY):
        second = purge()

    assert first["incidents_aggregated"] == 1
    assert second["incidents_aggregated"] == 0
    incident = Incident.objects.get(pk=report.incident_id)
    assert incident.events.filter(type=IncidentEvent.Type.AGGREGATED).count() == 1


def test_an_incident_without_a_location_is_aggregated_too() -> None:
    report = submit(at=None, place="by the school", needs_location=True)

    with time_machine.travel(timezone.now() + 91 * DAY):
        purge()

    incident = Incident.objects.get(pk=report.incident_id)
    assert incident.aggregated_at is not None
    assert (incident.lat, incident.lng) == (None, None)
    assert not Report.objects.exists()


def test_a_photo_file_no_report_names_is_swept_after_a_day(media_root: Path) -> None:
    a_report_with_everything()
    orphan = media_root / "reports" / "left-behind.jpg"
    orphan.write_bytes(photo_bytes())
    day_old = time.time() - 2 * 86400
    os.utime(orphan, (day_old, day_old))
    fresh_orphan = media_root / "reports" / "just-written.jpg"
    fresh_orphan.write_bytes(photo_bytes())

    counts = purge()

    assert counts["orphan_photos_deleted"] == 1
    assert not orphan.exists()
    assert fresh_orphan.exists()  # may belong to a report being written right now
    assert len(photo_files(media_root)) == 2


def test_vecinos_purge_runs_the_reports_job(capsys: pytest.CaptureFixture[str]) -> None:
    a_report_with_everything()

    with time_machine.travel(timezone.now() + 15 * DAY):
        call_command("purge")

    assert "reports: " in capsys.readouterr().out
    assert Report.objects.get().purged_at is not None
