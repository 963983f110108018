"""From "someone was detained" to a reminder in Spanish, in Chromium: a relative on a
small phone sends the public form (in Spanish) and sees only a confirmation; lucia, a
case worker signed in with her second factor, takes the case up, records that the
person was found at Adelanto, refers the case and records a hearing; the reminder job
runs a day before the hearing and the family's SMS arrives at the loopback Twilio
server, in Spanish. No page makes a request to another host."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in
from tests.conftest import PASSWORD, give_totp, make_user
from vecinos.accounts.models import Role
from vecinos.cases import actions
from vecinos.cases.models import Case, CaseState, Facility, FacilityKind

pytestmark = [pytest.mark.django_db(transaction=True)]

FAMILY = "+13235550177"
PERSON = "Baltazar Xicoténcatl Ruiz"


def _watch(page: Any, base_url: str, foreign: list[str]) -> None:
    page.on(
        "request",
        lambda request: None if request.url.startswith(base_url) else foreign.append(request.url),
    )


def test_a_public_request_becomes_a_case_and_the_family_gets_a_spanish_sms(
    browser: Any, live_server: Any, twilio_server: Any
) -> None:
    base = live_server.url
    Facility.objects.create(
        name="Adelanto ICE Processing Center", kind=FacilityKind.PROCESSING_CENTER
    )
    lucia = make_user("lucia", Role.CASE_WORKER)
    give_totp(lucia)
    foreign: list[str] = []

    # A relative, on a phone, in Spanish.
    relative = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="es-US")
    page = relative.new_page()
    _watch(page, base, foreign)
    page.goto(f"{base}/detained")
    expect(page.locator("h1")).to_have_text("Detuvieron a alguien que conozco")
    page.fill("input[name=person_name]", PERSON)
    page.fill("input[name=taken_place]", "Car wash, Whittier Blvd")
    page.check("input[name=family_channel][value=sms]")
    page.fill("input[name=family_contact]", "(323) 555-0177")
    page.select_option("select[name=family_language]", "es")
    page.click("form.case-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Recibimos su solicitud")
    assert PERSON not in page.content()
    relative.close()
    case = Case.objects.get()
    assert case.family_contact == FAMILY and case.state == CaseState.INTAKE

    # The case worker, on a desktop.
    worker = browser.new_context(viewport={"width": 1280, "height": 800})
    page = worker.new_page()
    _watch(page, base, foreign)
    sign_in(page, base, "lucia", PASSWORD, totp=True)
    page.goto(f"{base}/cases")
    assert PERSON not in page.content()  # the list shows no personal field
    page.click(f"form[action='/cases/{case.pk}/take'] button")
    expect(page.locator("h1")).to_contain_text(case.reference)
    expect(page.get_by_text(PERSON)).to_be_visible()

    page.select_option(
        "form[action$='/locator-checks'] select[name=facility]",
        label="Adelanto ICE Processing Center",
    )
    page.select_option("form[action$='/locator-checks'] select[name=result]", "found")
    page.click("form[action$='/locator-checks'] button")
    expect(page.locator(".messages")).to_contain_text("Locator check recorded.")

    page.fill("form[action$='/referrals'] input[name=organization]", "Legal Aid of East LA")
    page.click("form[action$='/referrals'] button")
    expect(page.locator(".messages")).to_contain_text("Referral recorded.")

    hearing_at = timezone.localtime() + timedelta(days=9)
    page.select_option("form[action$='/hearings'] select[name=kind]", "hearing")
    page.fill("form[action$='/hearings'] input[name=at]", hearing_at.strftime("%Y-%m-%dT%H:%M"))
    page.fill("form[action$='/hearings'] input[name=place]", "Adelanto Immigration Court")
    page.click("form[action$='/hearings'] button")
    expect(page.locator(".messages")).to_contain_text("Hearing recorded.")
    worker.close()

    case.refresh_from_db()
    assert case.state == CaseState.REFERRED and case.facility is not None
    hearing = case.hearings.get()

    # A day before the hearing, the reminder job runs (as the worker does every 15 min).
    with time_machine.travel(hearing.at - timedelta(hours=20)):
        assert actions.remind_hearings() == 1
    (sms,) = twilio_server.to(FAMILY)
    assert sms.body.startswith(f"Vecinos, caso {case.reference}: Mañana: audiencia en la corte")
    assert "Adelanto Immigration Court" in sms.body
    assert PERSON not in sms.body
    assert foreign == []
