"""A committee's area from ZIP codes, a point and radius, or cells drawn on the map,
kept as H3 cells (CommitteeCell rows too); the public list is searchable by ZIP."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.test_language_options import assert_marked
from vecinos.committees import actions
from vecinos.committees.models import CommitteeCell
from vecinos.core import areas, geo

pytestmark = pytest.mark.django_db


def test_a_point_and_radius_and_drawn_cells_make_the_area(world, carmen) -> None:
    drawn = geo.cell_for(34.0403, -118.2093)
    actions.update_committee(
        committee=world.committee,
        actor=carmen,
        area=actions.AreaInput(lat=34.05, lng=-118.21, radius_km=1, cells=[format(drawn, "x")]),
    )
    cells = set(
        CommitteeCell.objects.filter(committee=world.committee).values_list("cell", flat=True)
    )
    assert drawn in cells and geo.cell_for(34.05, -118.21) in cells
    assert set(world.committee.area_cells) == cells
    assert world.committee.area_label == "km:1;cells:1"
    with translation.override("en"):
        assert world.committee.area_text == "1 km around a point; 1 cell drawn on the map"
    with translation.override("es"):
        assert (
            world.committee.area_text == "1 km alrededor de un punto; 1 celda dibujada en el mapa"
        )


def test_the_area_is_stored_in_no_language_and_read_in_the_readers(world, carmen, client):
    # Saved from a page in Spanish...
    with translation.override("es"):
        actions.update_committee(
            committee=world.committee,
            actor=carmen,
            area=actions.AreaInput(
                zip_codes=["90033", "90023"], lat=34.05, lng=-118.21, radius_km=2
            ),
        )
    world.committee.refresh_from_db()
    assert world.committee.area_label == "zip:90033,90023;km:2"
    # ...and read in English and in Spanish.
    page = reverse("committees:public", args=[world.committee.slug])
    english = client.get(page, headers={"accept-language": "en"}).content.decode()
    assert "ZIP 90033, 90023; 2 km around a point" in english
    spanish = client.get(page, headers={"accept-language": "es"}).content.decode()
    assert "Código postal 90033, 90023; 2 km alrededor de un punto" in spanish
    assert "ZIP" not in spanish


@pytest.mark.parametrize(
    "label, key",
    [
        ("ZIP 90033, 90023", "zip:90033,90023"),
        ("Código postal 90003", "zip:90003"),
        ("ZIP 90033; 2 km around a point; 14 cells drawn on the map", "zip:90033;km:2;cells:14"),
        ("1.5 km alrededor de un punto; 3 celdas dibujadas en el mapa", "km:1.5;cells:3"),
        ("Boyle Heights East", "Boyle Heights East"),
    ],
)
def test_labels_saved_before_become_keys(label: str, key: str) -> None:
    migration = importlib.import_module(
        "vecinos.committees.migrations.0004_area_label_in_no_language"
    )
    assert migration.key_of(label) == key
    # Either way the reader sees the same words.
    with translation.override("en"):
        assert areas.area_text(key) == areas.area_text(label)


@pytest.mark.parametrize(
    "area, field",
    [
        (actions.AreaInput(zip_codes=["123"]), "zip_codes"),
        (actions.AreaInput(lat=34.0, lng=-118.0, radius_km=100), "radius_km"),
        (actions.AreaInput(cells=["not-a-cell"]), "cells"),
        (actions.AreaInput(cells=["85283473fffffff"]), "cells"),  # resolution 5
    ],
)
def test_a_bad_area_is_refused_naming_the_field(world, carmen, area, field) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.update_committee(committee=world.committee, actor=carmen, area=area)
    assert field in caught.value.message_dict


def test_olga_cannot_edit_boyle_heights(world, olga) -> None:
    from vecinos.accounts.access import Forbidden

    with pytest.raises(Forbidden):
        actions.update_committee(committee=world.committee, actor=olga, meets="never")


def test_the_public_list_finds_committees_by_zip(world, client) -> None:
    near = client.get(reverse("committees:list"), {"zip": "90033"}).content.decode()
    assert world.committee.name in near and world.other.name not in near
    bad = client.get(reverse("committees:list"), {"zip": "abc"})
    assert bad.status_code == 400 and "five-digit" in bad.content.decode()


def test_the_public_page_shows_what_it_does_when_it_meets_and_its_hotline(
    world, carmen, client
) -> None:
    actions.update_committee(
        committee=world.committee,
        actor=carmen,
        description="Rapid response for Boyle Heights",
        meets="Tuesdays 7 pm",
        how_to_join="Ask below",
        hotline="(323) 555-0100",
    )
    page = client.get(
        reverse("committees:public", kwargs={"slug": world.committee.slug})
    ).content.decode()
    for text in ("Rapid response for Boyle Heights", "Tuesdays 7 pm", "Ask below", "+13235550100"):
        assert text in page


def test_the_area_picker_draws_the_cells_and_asks_no_third_party_for_tiles(world, settings) -> None:
    import json
    import re

    settings.VECINOS_TILE_URL = "https://tile.example.org/{z}/{x}/{y}.png"
    page = world.client("carmen").get(
        reverse("committees:edit", kwargs={"slug": world.committee.slug})
    )
    data = json.loads(
        re.search(
            r'<script id="area-map-data" type="application/json">(.*?)</script>',
            page.content.decode(),
            re.S,
        ).group(1)
    )
    assert len(data["cells"]) == len(world.committee.area_cells) and data["tileUrl"] == ""

    settings.VECINOS_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    page = world.client("carmen").get(
        reverse("committees:edit", kwargs={"slug": world.committee.slug})
    )
    assert "/tiles/{z}/{x}/{y}.png" in page.content.decode()


@pytest.mark.parametrize("name", ["Mine", "new", "Area cell", "invite"])
def test_a_committee_cannot_take_the_address_of_a_page(world, name) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.create_committee(
            name=name,
            kind="neighborhood",
            actor=None,
            area=actions.AreaInput(zip_codes=["90033"]),
        )
    assert "slug" in refused.value.message_dict


def test_the_settings_mark_each_language_with_its_own_lang(world) -> None:
    page = world.client("carmen").get(
        reverse("committees:edit", kwargs={"slug": world.committee.slug})
    )
    assert_marked(page.content.decode(), "languages", at_least=2)
