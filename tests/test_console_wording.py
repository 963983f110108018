"""Console wording: counts agree with their numbers, agencies are named, and the API
token's help keeps its <token>."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in
from tests.factories import make_incident, make_report
from vecinos.accounts.models import User
from vecinos.reports import actions

pytestmark = pytest.mark.django_db


def test_one_report_merged_is_singular(dani: User) -> None:
    source, into = make_incident(), make_incident()
    make_report(incident=source)
    actions.merge_incidents(source=source, into=into, actor=dani)
    html = signed_in(dani).get(f"/console/incidents/{into.pk}").content.decode()
    assert "1 report merged in from" in html and "1 reports" not in html


def test_reports_and_sources_each_agree_with_their_number(dani: User) -> None:
    incident = make_incident(report_count=3, source_count=1, agencies=["ice", "sheriff"])
    html = signed_in(dani).get(f"/console/incidents/{incident.pk}").content.decode()
    assert "3 reports, 1 independent source" in html
    assert "ICE, Sheriff" in html and "ice, sheriff" not in html


def test_the_token_help_shows_token_in_angle_brackets(dani: User) -> None:
    html = signed_in(dani).get("/account/").content.decode()
    assert "Bearer &lt;token&gt;" in html
