"""A map point the form cannot use is explained in words the reporter can act on,
once, not as a bound of a field they never saw."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lat", "lng"), [("91", "-118.2"), ("34.0", "-200"), ("north", "-118.2"), ("95", "500")]
)
def test_a_bad_point_says_what_to_do_instead(lat: str, lng: str) -> None:
    form = {
        "kind": "raid",
        "place": "Soto St",
        "lat": lat,
        "lng": lng,
        "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    response = Client().post("/report", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value" not in html and "Enter a number" not in html
    assert html.count("The point on the map could not be used.") == 1
    assert "describe the place in words" in html
