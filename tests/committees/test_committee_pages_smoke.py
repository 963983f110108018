"""Every committee page answers its own people (a smoke test over the whole set)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_carmen_sees_every_page_of_her_committee(world) -> None:
    client = world.client("carmen")
    slug = world.committee.slug
    for name in (
        "committee",
        "announcements",
        "announce",
        "tasks",
        "members",
        "requests",
        "invites",
        "edit",
        "audit",
    ):
        response = client.get(reverse(f"committees:{name}", kwargs={"slug": slug}))
        assert response.status_code == 200, name
    for name in ("list", "home"):
        assert client.get(reverse(f"committees:{name}")).status_code == 200


def test_public_pages_answer_anyone(world, client) -> None:
    assert client.get(reverse("committees:list")).status_code == 200
    response = client.get(reverse("committees:list"), {"zip": "90033"})
    assert world.committee.name in response.content.decode()
    assert world.other.name not in response.content.decode()
    assert (
        client.get(reverse("committees:public", kwargs={"slug": world.committee.slug})).status_code
        == 200
    )
    assert (
        client.get(reverse("committees:join", kwargs={"slug": world.committee.slug})).status_code
        == 200
    )
    assert client.get(reverse("committees:redeem")).status_code == 200


def test_ana_sees_admin_pages(world) -> None:
    client = world.client("ana")
    assert client.get(reverse("committees:create")).status_code == 200
    assert client.get(reverse("committees:deactivate")).status_code == 200


def create(world, name: str, **fields: str):  # type: ignore[no-untyped-def]
    """Ana's post of the create-committee form, in English and Spanish, ZIP 90033."""
    return world.client("ana").post(
        reverse("committees:create"),
        {
            "name": name,
            "kind": world.committee.kind,
            "languages": ["en", "es"],
            "zip_codes": "90033",
            **fields,
        },
    )


def test_a_committee_refused_half_way_is_not_made_at_all(world) -> None:
    from vecinos.committees.models import Committee

    # The hotline is refused only when the details are saved, after the creation.
    response = create(world, "Comité a medias", hotline="12")
    assert response.status_code == 400
    assert not Committee.objects.filter(name="Comité a medias").exists()


def test_a_coordinator_named_who_has_no_account_is_said_under_the_field(world) -> None:
    from vecinos.committees.models import Committee

    response = create(world, "Comité sin coordinadora", coordinator="nobody-by-this-name")
    assert response.status_code == 400
    assert response.context["form"].errors["coordinator"] == [
        "No active account has this username."
    ]
    assert not Committee.objects.filter(name="Comité sin coordinadora").exists()
