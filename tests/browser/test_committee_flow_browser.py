"""The whole way from a neighbor to the dispatcher's suggestion, in Chromium: a neighbor
asks to join Boyle Heights from a phone; carmen, the coordinator, approves; the link that
arrives (on the console transport) lets the new member set a password; the member says
they come to the responder training; carmen records the training and makes them a
responder; the member signs up for the shift running now; dani's console shows them on
call and suggests them for an incident in the committee's area."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_report_to_public_map import sign_in_with_code
from tests.factories import BOYLE_HEIGHTS, submit
from vecinos.accounts.models import User
from vecinos.committees import actions as committees
from vecinos.committees.models import Membership
from vecinos.organizing import actions as organizing
from vecinos.organizing.models import EventKind, Rsvp, ShiftAssignment

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contexts(browser: Any, fresh_cache: None) -> Iterator[list[Any]]:
    made: list[Any] = []
    yield made
    for context in made:
        context.close()


def _page(browser: Any, contexts: list[Any], **options: Any) -> Any:
    context = browser.new_context(**options)
    contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def test_a_neighbor_joins_trains_goes_on_call_and_is_suggested_to_the_dispatcher(
    browser: Any,
    contexts: list[Any],
    live_server: Any,
    console_outbox: Any,
    carmen: User,
    dani: User,
) -> None:
    base = live_server.url
    boyle = committees.create_committee(
        name="Boyle Heights",
        kind="neighborhood",
        actor=None,
        languages=["es", "en"],
        area=committees.AreaInput(
            zip_codes=["90033"], lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], radius_km=2.0
        ),
    )
    committees.name_coordinator(committee=boyle, user=carmen, actor=None, alias="Carmen")

    # A neighbor, on a phone, asks to join.
    neighbor = _page(browser, contexts, viewport=PHONE, is_mobile=True, has_touch=True)
    neighbor.goto(f"{base}/committees/?zip=90033")
    neighbor.click("text=Boyle Heights")
    neighbor.click("text=Ask to join")
    neighbor.fill("[name=alias]", "Vecina de Soto")
    neighbor.select_option("[name=channel]", "sms")
    neighbor.fill("[name=contact]", "(213) 555-0177")
    neighbor.select_option("[name=language]", "es")
    neighbor.fill("[name=why]", "Vivo en la calle Soto.")
    neighbor.click("#join-form button[type=submit]")
    assert "was sent" in neighbor.content()

    # Carmen approves the request.
    coordinator = _page(browser, contexts, viewport={"width": 1280, "height": 800})
    sign_in_with_code(coordinator, base, "carmen")
    coordinator.goto(f"{base}/committees/{boyle.slug}/requests/")
    coordinator.click("button[aria-label='Approve Vecina de Soto']")
    assert "is a member now" in coordinator.content()

    # The link that arrives lets the new member set a password and see the committee.
    sent = [m for m in console_outbox if m.address == "+12135550177"]
    assert len(sent) == 1
    link = re.search(r"https?://\S+/committees/welcome/\S+/", sent[0].text).group(0)
    neighbor.goto(f"{base}/" + link.split("/", 3)[3])
    neighbor.fill("[name=password1]", "una frase larga y nueva")
    neighbor.fill("[name=password2]", "una frase larga y nueva")
    neighbor.click("#welcome-form button[type=submit]")
    neighbor.wait_for_url("**/committees/mine/")
    neighbor.click("text=Boyle Heights")
    neighbor.wait_for_url(f"**/committees/{boyle.slug}/home/")
    content = neighbor.content()
    assert "Vecina de Soto" in content and "Carmen" in content
    membership = Membership.objects.get(alias="Vecina de Soto")
    member = membership.user
    assert member.has_usable_password() and membership.role == "member"
    name = member.username

    now = timezone.now()
    training = organizing.create_event(
        committee=boyle,
        kind=EventKind.RESPONDER_TRAINING,
        title="Entrenamiento de respuesta",
        place="Biblioteca",
        language="es",
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=2),
        actor=carmen,
    )
    shift = organizing.create_shift(
        committee=boyle,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=11),
        actor=carmen,
    )

    # The member, still signed in on the phone, says they come to the training.
    neighbor.goto(f"{base}/organizing")
    expect(neighbor.get_by_role("heading", name="Boyle Heights")).to_be_visible()
    neighbor.get_by_role("button", name="I am coming").first.click()
    expect(neighbor.get_by_text("You are coming.")).to_be_visible()
    assert training.invitations.get(user=member).rsvp == Rsvp.YES

    # Carmen records the training and makes them a responder.
    coordinator.goto(f"{base}/organizing/c/{boyle.slug}/trainings")
    coordinator.select_option("#training-user", name)
    coordinator.select_option("#training-kind", "responder")
    coordinator.get_by_role("button", name="Record", exact=True).click()
    expect(coordinator.get_by_text("The training is recorded.")).to_be_visible()
    coordinator.get_by_role("button", name="Make responder").click()
    expect(coordinator.get_by_text(f"{name} is a responder now.")).to_be_visible()

    # The member signs up for the shift running now.
    neighbor.goto(f"{base}/organizing/c/{boyle.slug}/shifts")
    neighbor.get_by_role("button", name="Sign up on call").first.click()
    expect(neighbor.get_by_text("You are on this shift.")).to_be_visible()
    assert ShiftAssignment.objects.get(shift=shift).user == member

    # Dani sees them on call, and suggested for an incident in the committee's area.
    incident = submit(at=BOYLE_HEIGHTS).incident
    dispatcher = _page(browser, contexts, viewport={"width": 1280, "height": 800})
    sign_in_with_code(dispatcher, base, "dani")
    dispatcher.goto(f"{base}/console")
    expect(dispatcher.locator("#on-call")).to_contain_text(f"{name} — Boyle Heights")
    dispatcher.goto(f"{base}/console/incidents/{incident.pk}")
    suggestion = dispatcher.locator(f'#on-call-suggestions input[value="{name}"]')
    expect(suggestion).to_be_visible()
    suggestion.check()
    dispatcher.locator("#dispatch-title + form button[type=submit]").click()
    expect(dispatcher.get_by_text(f"Dispatched: {name}").first).to_be_visible()

    assert neighbor.errors == coordinator.errors == dispatcher.errors == []
