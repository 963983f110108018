"""The "Know your rights" link of an alert opens in the alert's language: the SMS link
names the subscriber's language, the short link keeps it, and the alert page shows the
door page's essentials in that language with links into the library."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import Settings

from vecinos.accounts.models import User
from vecinos.alerts import messages
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.alerts.models import Alert
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(confirmed_incident: Incident, dani: User, diego: User) -> Alert:
    return approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)


def test_the_sms_rights_link_names_the_subscribers_language(published: Alert) -> None:
    text = messages.render_message(published, language="en", channel="sms").text
    assert f"Know your rights: {messages.short_url(published)}/en " in text


@pytest.mark.parametrize("language", ["es", "tl", "vi", "ru"])
def test_shorter_forms_keep_the_language_in_the_link(published: Alert, language: str) -> None:
    text = messages.render_message(published, language=language, channel="sms").text
    assert f"{messages.short_url(published)}/{language} " in text
    assert messages.segments(text) == 1


def test_a_short_public_url_leaves_room_for_the_language_in_korean(
    published: Alert, settings: Settings
) -> None:
    settings.VECINOS_PUBLIC_URL = "https://v.la"
    text = messages.render_message(published, language="ko", channel="sms").text
    assert f"{messages.short_url(published)}/ko " in text
    assert messages.segments(text) == 1


def test_the_short_link_with_a_language_opens_the_alert_in_it(published: Alert) -> None:
    code = messages.short_code(published.pk)
    response = Client().get(f"/a/{code}/km")
    assert response.status_code == 302
    assert response["Location"] == f"/alerts/{published.pk}?lang=km"
    unknown = Client().get(f"/a/{code}/xx")
    assert unknown["Location"] == f"/alerts/{published.pk}"


def test_the_alert_page_shows_the_rights_at_the_door_in_the_alerts_language(
    published: Alert,
) -> None:
    html = Client().get(f"/alerts/{published.pk}?lang=km").content.decode()
    assert 'href="/rights/km/door"' in html and 'href="/rights/km/red-card"' in html
    # "You do not have to open the door", from the library's Khmer page
    assert "អ្នកមិនចាំបាច់បើកទ្វារទេ" in html
    assert "ការបកប្រែនេះមិនទាន់ត្រូវបានពិនិត្យ" in html  # and that it is unreviewed
