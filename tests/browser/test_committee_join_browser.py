"""In Chromium: a neighbor asks to join Boyle Heights from a phone, carmen approves
the request, the link that arrives (on the console transport) lets the new member set
a password, and they land on their committee's page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, give_totp, make_user
from vecinos.accounts.models import Role
from vecinos.committees import actions
from vecinos.committees.models import Membership

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_ask_to_join_approve_set_password_and_see_the_committee(
    browser: Any, live_server: Any, console_outbox: Any
) -> None:
    carmen = make_user("carmen", Role.COORDINATOR)
    give_totp(carmen)
    committee = actions.create_committee(
        name="Boyle Heights",
        kind="neighborhood",
        actor=None,
        languages=["es", "en"],
        area=actions.AreaInput(zip_codes=["90033"]),
    )
    actions.name_coordinator(committee=committee, user=carmen, actor=None, alias="Carmen")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        neighbor = phone.new_page()
        neighbor.goto(f"{live_server.url}/committees/?zip=90033")
        neighbor.click("text=Boyle Heights")
        neighbor.click("text=Ask to join")
        neighbor.fill("[name=alias]", "Vecina de Soto")
        neighbor.select_option("[name=channel]", "sms")
        neighbor.fill("[name=contact]", "(213) 555-0177")
        neighbor.select_option("[name=language]", "es")
        neighbor.fill("[name=why]", "Vivo en la calle Soto.")
        neighbor.click("#join-form button[type=submit]")
        assert "was sent" in neighbor.content()

        coordinator = desk.new_page()
        sign_in(coordinator, live_server.url, "carmen", PASSWORD, totp=True)
        coordinator.goto(f"{live_server.url}/committees/{committee.slug}/requests/")
        coordinator.click("button[aria-label='Approve Vecina de Soto']")
        assert "is a member now" in coordinator.content()

        sent = [m for m in console_outbox if m.address == "+12135550177"]
        assert len(sent) == 1
        link = re.search(r"https?://\S+/committees/welcome/\S+/", sent[0].text).group(0)
        path = "/" + link.split("/", 3)[3]
        neighbor.goto(f"{live_server.url}{path}")
        neighbor.fill("[name=password1]", "una frase larga y nueva")
        neighbor.fill("[name=password2]", "una frase larga y nueva")
        neighbor.click("#welcome-form button[type=submit]")
        neighbor.wait_for_url("**/committees/mine/")
        neighbor.click("text=Boyle Heights")
        neighbor.wait_for_url(f"**/committees/{committee.slug}/home/")
        content = neighbor.content()
        assert "Vecina de Soto" in content and "Carmen" in content
    finally:
        phone.close()
        desk.close()

    member = Membership.objects.get(alias="Vecina de Soto")
    assert member.user.has_usable_password() and member.role == "member"
