"""The shipped library is in the database after `vecinos migrate` (not only in the
demo): every page in English and Spanish, the door page and the red card in all twelve
alert languages, each translation saying whether a fluent person reviewed it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from vecinos.alerts.phrases import BOOKS
from vecinos.library import shipped
from vecinos.library.models import Revision, Source, Translation
from vecinos.library.pages import EVERY_LANGUAGE, PAGES

pytestmark = pytest.mark.django_db


def test_every_page_is_there_in_english_and_spanish_after_migrate() -> None:
    have = set(Translation.objects.values_list("page__slug", "language"))
    for slug in PAGES:
        assert (slug, "en") in have and (slug, "es") in have, slug


@pytest.mark.parametrize("slug", EVERY_LANGUAGE)
def test_the_door_page_and_the_red_card_exist_in_every_alert_language(slug: str) -> None:
    languages = set(Translation.objects.filter(page__slug=slug).values_list("language", flat=True))
    assert languages == set(BOOKS)


def test_each_translation_says_whether_it_was_reviewed_and_only_english_claims_it() -> None:
    for t in Translation.objects.all():
        assert t.reviewed == (t.language == "en"), t
        assert bool(t.reviewer) == t.reviewed and bool(t.reviewed_on) == t.reviewed


def test_every_page_is_structured_into_sections_of_points() -> None:
    for t in Translation.objects.all():
        assert t.title and t.sections, t
        for section in t.sections:
            assert section["heading"] and section["points"], t
            assert all(isinstance(p, str) and p.strip() for p in section["points"]), t


def test_the_red_card_tells_the_agent_about_a_judges_warrant_and_silence() -> None:
    card = Translation.objects.get(page__slug="red-card", language="en")
    to_agent = " ".join(card.sections[-1]["points"])
    assert "signed by a judge" in to_agent and "remain silent" in to_agent
    assert "Fifth Amendment" in to_agent and "Fourth Amendment" in to_agent


def test_loading_again_changes_nothing() -> None:
    before = Revision.objects.count()
    call_command("loadlibrary", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Revision.objects.count() == before


def test_a_new_shipped_text_becomes_a_new_version_of_a_page_nobody_edited(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = {k: json.loads(json.dumps(v)) for k, v in shipped.shipped().items()}
    data["ko"]["pages"]["door"]["title"] = "문 앞에서의 권리 (개정)"
    monkeypatch.setattr(shipped, "shipped", lambda: data)
    shipped.load_shipped()
    door = Translation.objects.get(page__slug="door", language="ko")
    assert door.title.endswith("(개정)") and door.version == 2
    assert list(door.revisions.values_list("version", flat=True)) == [2, 1]


def test_a_page_edited_here_is_left_alone_by_a_new_release(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Translation.objects.filter(page__slug="door", language="es").update(
        source=Source.EDITED, title="Editado aquí"
    )
    data = {k: json.loads(json.dumps(v)) for k, v in shipped.shipped().items()}
    data["es"]["pages"]["door"]["title"] = "Nuevo título enviado"
    monkeypatch.setattr(shipped, "shipped", lambda: data)
    shipped.load_shipped()
    assert Translation.objects.get(page__slug="door", language="es").title == "Editado aquí"
