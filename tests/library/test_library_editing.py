"""Admins and coordinators edit the library in the web interface; every save is a new
version kept in the history; nobody else can reach the editor."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import signed_in
from vecinos.accounts.models import User
from vecinos.library.models import Revision, Source, Translation

pytestmark = pytest.mark.django_db

EDIT = "/rights/edit/door/es"
BODY = (
    "## No abra la puerta\n- No tiene que abrir.\n- Pida la orden.\n\n## Después\nLlame al comité."
)


def post(client: Client, **extra: str) -> object:
    data = {"title": "Sus derechos en la puerta", "summary": "", "body": BODY, **extra}
    return client.post(EDIT, data)


def test_a_coordinator_saves_a_new_version_and_the_old_one_is_kept(carmen: User) -> None:
    before = Translation.objects.get(page__slug="door", language="es")
    response = post(signed_in(carmen), note="Más corto")
    assert response.status_code == 302 and response["Location"] == "/rights/es/door"
    after = Translation.objects.get(pk=before.pk)
    assert after.version == before.version + 1 and after.source == Source.EDITED
    assert after.updated_by == carmen
    assert after.sections == [
        {"heading": "No abra la puerta", "points": ["No tiene que abrir.", "Pida la orden."]},
        {"heading": "Después", "points": ["Llame al comité."]},
    ]
    versions = Revision.objects.filter(translation=after)
    assert [r.version for r in versions] == [after.version, before.version]
    assert versions[0].saved_by == carmen and versions[0].note == "Más corto"
    assert versions[1].title == before.title  # the previous text, as it was


def test_marking_a_translation_reviewed_needs_a_reviewer_and_a_date(ana: User) -> None:
    client = signed_in(ana)
    response = post(client, reviewed="on")
    assert response.status_code == 400
    assert "Name the person who reviewed it." in response.content.decode()
    response = post(client, reviewed="on", reviewer="Lucía Pérez", reviewed_on="2026-12-01")
    assert response.status_code == 302
    t = Translation.objects.get(page__slug="door", language="es")
    assert t.reviewed and t.reviewer == "Lucía Pérez"
    html = Client().get("/rights/es/door").content.decode()
    assert "Lucía Pérez" in html and "aún no ha sido revisada" not in html


def test_text_before_any_heading_is_refused_with_its_line(carmen: User) -> None:
    response = signed_in(carmen).post(EDIT, {"title": "T", "body": "\nNo heading here"})
    assert response.status_code == 400
    assert "Line 2: start with a heading line" in response.content.decode()


def test_an_editor_can_add_a_missing_language(olga: User) -> None:
    response = signed_in(olga).post(
        "/rights/edit/street/ko", {"title": "거리에서", "body": "## 침묵\n- 묵비권이 있습니다."}
    )
    assert response.status_code == 302
    assert Translation.objects.get(page__slug="street", language="ko").version == 1


def test_the_history_lists_every_version(carmen: User) -> None:
    post(signed_in(carmen), note="Más corto")
    html = signed_in(carmen).get(EDIT + "/history").content.decode()
    assert "Version 2" in html and "Version 1" in html
    assert "Más corto" in html and "shipped text" in html


def test_the_history_names_shipped_text_in_the_readers_language(carmen: User) -> None:
    client = signed_in(carmen)
    client.post(EDIT, {"title": "T", "body": "## A\n- b", "note": "shipped text"})
    html = client.get(EDIT + "/history", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # The first version came with Vecinos; the second is an editor's own words.
    assert html.count("texto incluido con Vecinos") == 1
    assert html.count("shipped text") == 1


@pytest.mark.parametrize("who", ["mara", "rosa", "dani"])
def test_others_cannot_reach_the_editor(who: str, request: pytest.FixtureRequest) -> None:
    client = signed_in(request.getfixturevalue(who))
    assert client.get(EDIT).status_code == 404
    assert post(client).status_code == 404
    assert client.get(EDIT + "/history").status_code == 404
    assert client.get("/rights/edit/").status_code == 404
    assert Translation.objects.get(page__slug="door", language="es").version == 1


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(EDIT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
