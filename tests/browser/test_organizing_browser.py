"""From a training to the dispatcher's suggestion, in Chromium: mara, a member, says on
her phone that she comes to the committee's responder training; carmen, the
coordinator, records that mara completed it and makes her a responder; mara signs up
for the shift running now; dani's console then shows her on call and suggests her for
an incident in the committee's area."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_report_to_public_map import sign_in_with_code
from tests.conftest import PASSWORD
from tests.factories import BOYLE_HEIGHTS, submit
from tests.organizing.conftest import join
from vecinos.accounts.models import User
from vecinos.committees.models import Committee, MembershipRole
from vecinos.core import geo
from vecinos.organizing import actions
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


def test_a_trained_member_goes_on_call_and_is_suggested_to_the_dispatcher(
    browser: Any,
    contexts: list[Any],
    live_server: Any,
    carmen: User,
    mara: User,
    dani: User,
) -> None:
    base = live_server.url
    boyle = Committee.objects.create(
        name="Boyle Heights",
        slug="boyle-heights",
        kind="neighborhood",
        area_cells=sorted(geo.cells_within(BOYLE_HEIGHTS[0], BOYLE_HEIGHTS[1], 2.0)),
    )
    join(boyle, carmen, MembershipRole.COORDINATOR)
    join(boyle, mara)
    now = timezone.now()
    training = actions.create_event(
        committee=boyle,
        kind=EventKind.RESPONDER_TRAINING,
        title="Entrenamiento de respuesta",
        place="Biblioteca",
        language="es",
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=2),
        actor=carmen,
    )
    shift = actions.create_shift(
        committee=boyle,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=11),
        actor=carmen,
    )

    # Mara, on her phone, says she comes to the training.
    member = _page(browser, contexts, viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(member, base, "mara", PASSWORD, totp=False)
    member.goto(f"{base}/organizing")
    expect(member.get_by_role("heading", name="Boyle Heights")).to_be_visible()
    member.get_by_role("button", name="I am coming").first.click()
    expect(member.get_by_text("You are coming.")).to_be_visible()
    assert training.invitations.get(user=mara).rsvp == Rsvp.YES

    # Carmen records the training and makes her a responder.
    coordinator = _page(browser, contexts, viewport={"width": 1280, "height": 800})
    sign_in_with_code(coordinator, base, "carmen")
    coordinator.goto(f"{base}/organizing/c/{boyle.slug}/trainings")
    coordinator.select_option("#training-user", "mara")
    coordinator.select_option("#training-kind", "responder")
    coordinator.get_by_role("button", name="Record", exact=True).click()
    expect(coordinator.get_by_text("The training is recorded.")).to_be_visible()
    coordinator.get_by_role("button", name="Make responder").click()
    expect(coordinator.get_by_text("mara is a responder now.")).to_be_visible()

    # Mara signs up for the shift running now.
    member.goto(f"{base}/organizing/c/{boyle.slug}/shifts")
    member.get_by_role("button", name="Sign up on call").first.click()
    expect(member.get_by_text("You are on this shift.")).to_be_visible()
    assert ShiftAssignment.objects.get(shift=shift).user == mara

    # Dani sees her on call, and suggested for an incident in the committee's area.
    incident = submit(at=BOYLE_HEIGHTS).incident
    dispatcher = _page(browser, contexts, viewport={"width": 1280, "height": 800})
    sign_in_with_code(dispatcher, base, "dani")
    dispatcher.goto(f"{base}/console")
    expect(dispatcher.locator("#on-call")).to_contain_text("mara — Boyle Heights")
    dispatcher.goto(f"{base}/console/incidents/{incident.pk}")
    suggestion = dispatcher.locator('#on-call-suggestions input[value="mara"]')
    expect(suggestion).to_be_visible()
    suggestion.check()
    dispatcher.locator("#dispatch-title + form button[type=submit]").click()
    expect(dispatcher.get_by_text("Dispatched: mara").first).to_be_visible()

    assert member.errors == coordinator.errors == dispatcher.errors == []
