"""In Chromium: carmen edits her committee's area by tapping the map. A tap adds the
resolution-8 cell under it to the cells field and draws it (the server answers which
cell: the browser has no H3); a second tap on it takes it out; saving keeps it."""

from __future__ import annotations

from typing import Any

import h3
import pytest
from playwright.sync_api import expect

from tests.browser.test_report_to_public_map import sign_in_with_code
from tests.factories import BOYLE_HEIGHTS
from vecinos.accounts.models import User
from vecinos.committees import actions
from vecinos.committees.models import Committee

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_tapping_the_map_toggles_the_cell_under_the_tap(
    desktop: Any, live_server: Any, carmen: User, fresh_cache: None
) -> None:
    committee = actions.create_committee(
        name="Boyle Heights",
        kind="neighborhood",
        actor=None,
        languages=["es", "en"],
        area=actions.AreaInput(lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], radius_km=0.5),
    )
    actions.name_coordinator(committee=committee, user=carmen, actor=None, alias="Carmen")
    errors: list[str] = []
    desktop.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_with_code(desktop, live_server.url, "carmen")
    desktop.goto(f"{live_server.url}/committees/{committee.slug}/edit/")
    cells = desktop.locator("#id_cells")
    the_map = desktop.locator("#area-map")
    expect(the_map).to_be_visible()
    expect(desktop.locator("#area-map-tap-cell")).to_be_checked()
    drawn = desktop.locator("#area-map path.area-map-drawn")
    box = the_map.bounding_box()
    spot = {"x": box["width"] * 0.2, "y": box["height"] * 0.2}

    the_map.click(position=spot)
    expect(cells).not_to_have_value("")
    tapped = cells.input_value().strip()
    assert h3.is_valid_cell(tapped) and h3.get_resolution(tapped) == 8
    expect(drawn).to_have_count(1)

    the_map.click(position=spot)
    expect(cells).to_have_value("")
    expect(drawn).to_have_count(0)

    the_map.click(position=spot)
    expect(cells).to_have_value(tapped)
    desktop.locator("#committee-form button[type=submit]").click()
    desktop.wait_for_load_state()
    committee = Committee.objects.get(pk=committee.pk)
    assert h3.str_to_int(tapped) in committee.area_cells
    assert errors == []
