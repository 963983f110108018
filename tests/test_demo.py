"""`vecinos demo` loads the Los Angeles demo network once, marks all of it as demo data,
prints working sign-ins, changes nothing when run again, and refuses in production."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client

from vecinos.accounts.models import MFA_ROLES, Role, User
from vecinos.alerts.models import Subscription, SubscriptionCell, SubscriptionStatus
from vecinos.committees.models import Committee, Membership
from vecinos.core import geo
from vecinos.demo import network as demo
from vecinos.reports.models import (
    Availability,
    Dispatch,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Report,
    Verification,
)

pytestmark = pytest.mark.django_db

DEMO_MODELS = (User, Committee, Incident, Report, Subscription)


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (*DEMO_MODELS, Membership, Availability, Dispatch, Verification, IncidentEvent)
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_loads_committees_people_and_incidents_in_every_state() -> None:
    output = run_demo()

    assert set(Committee.objects.values_list("name", flat=True)) == {
        "Comité de Vecinos de Boyle Heights",
        "Fremont High School Families",
        "Garment Workers Downtown LA",
    }
    assert all(committee.area_cells for committee in Committee.objects.all())
    assert {user.role for user in User.objects.all()} == set(Role.values)
    assert set(Incident.objects.values_list("status", flat=True)) == {
        IncidentStatus.NEW,
        IncidentStatus.DISPATCHED,
        IncidentStatus.CONFIRMED,
        IncidentStatus.FALSE,
        IncidentStatus.UNCONFIRMED,
    }
    assert "Loaded the demo network" in output


def test_the_demo_has_active_subscribers_in_several_languages_near_boyle_heights() -> None:
    run_demo()

    subscribers = Subscription.objects.all()
    assert subscribers.count() >= 5
    assert set(subscribers.values_list("status", flat=True)) == {SubscriptionStatus.ACTIVE}
    assert {"es", "en"} <= set(subscribers.values_list("language", flat=True))
    boyle_heights = geo.cell_for(34.0448, -118.2076)  # Cesar E. Chavez Ave & Soto St
    assert SubscriptionCell.objects.filter(cell=boyle_heights).exists()


def test_every_demo_row_is_marked_as_demo_data() -> None:
    run_demo()

    for model in DEMO_MODELS:
        assert model.objects.exists()
        assert not model.objects.filter(is_demo=False).exists(), model.__name__


def test_every_incident_has_a_timeline_and_every_checked_one_a_verification() -> None:
    run_demo()

    for incident in Incident.objects.all():
        assert incident.events.filter(type=IncidentEvent.Type.OPENED).exists()
        if incident.status in {IncidentStatus.CONFIRMED, IncidentStatus.FALSE}:
            assert incident.verifications.get().outcome == incident.status
            assert incident.public_label


def test_responders_are_available_near_their_committee() -> None:
    run_demo()

    for responder in User.objects.filter(role=Role.RESPONDER):
        availability = Availability.objects.get(responder=responder)
        committee = responder.memberships.get().committee
        assert availability.is_available
        assert availability.lat is not None and availability.lng is not None
        assert geo.cell_for(availability.lat, availability.lng) in committee.area_cells


def test_the_printed_sign_ins_work() -> None:
    output = run_demo()

    for sign_in in demo.sign_ins():
        assert f"{sign_in.username}" in output and sign_in.password in output
        assert Client().login(username=sign_in.username, password=sign_in.password)
    assert demo.DEMO_TOTP_SECRET in output


def test_roles_that_need_two_factor_get_the_printed_secret() -> None:
    run_demo()

    for user in User.objects.all():
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert has_totp == (user.role in MFA_ROLES), user.username


def test_running_the_demo_again_changes_nothing_and_says_so() -> None:
    run_demo()
    before = counts()

    output = run_demo()

    assert counts() == before
    assert "already loaded" in output
    assert "vecinos-demo-ana" in output  # the sign-ins are printed again


def test_the_demo_refuses_to_run_in_production(settings: Any) -> None:
    settings.VECINOS_ENV = "production"

    with pytest.raises(CommandError, match="production"):
        run_demo()

    assert not any(model.objects.exists() for model in DEMO_MODELS)


def test_the_demo_refuses_to_take_over_real_accounts(carmen: User) -> None:
    with pytest.raises(CommandError, match="carmen"):
        run_demo()

    assert not Committee.objects.exists()
    assert not User.objects.filter(is_demo=True).exists()


def test_a_migrated_database_holds_no_demo_data() -> None:
    assert not any(model.objects.filter(is_demo=True).exists() for model in DEMO_MODELS)


def test_only_the_demo_command_imports_the_demo_data() -> None:
    package = Path(demo.__file__).resolve().parents[1]
    importers = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"from vecinos\.demo import|vecinos\.demo\.network", path.read_text())
    }

    assert importers == {"demo/management/commands/demo.py"}
