"""Every list of languages marks each language with its own ``lang``, so a screen
reader reads "Español" or "한국어" in that language's voice, not spelled out in the
page's (WCAG 3.1.2): the subscribe form, the legal-help search and the
detained-person form (a committee's settings: tests/committees/test_committee_area.py)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class Options(HTMLParser):
    """(value, lang) of every <option> of the select named ``name``, or of the labels
    around its checkboxes."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.found, self._inside, self._label = name, [], False, ""
        self.found: list[tuple[str, str]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "select":
            self._inside = attr.get("name") == self.name
        elif tag == "option" and self._inside:
            self.found.append((attr.get("value") or "", attr.get("lang") or ""))
        elif tag == "label":
            self._label = attr.get("lang") or ""
        elif tag == "input" and attr.get("name") == self.name and attr.get("type") == "checkbox":
            self.found.append((attr.get("value") or "", self._label))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._inside = False


def options(html: str, name: str) -> list[tuple[str, str]]:
    parser = Options(name)
    parser.feed(html)
    return parser.found


def assert_marked(html: str, name: str, at_least: int) -> None:
    found = [(value, lang) for value, lang in options(html, name) if value]
    assert len(found) >= at_least, f"{name}: {found}"
    assert all(lang == value for value, lang in found), f"{name}: {found}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_public_forms_mark_each_language(client, language: str) -> None:
    headers = {"accept-language": language}
    subscribe = client.get(reverse("alerts_subscribe"), headers=headers).content.decode()
    assert_marked(subscribe, "language", at_least=12)
    search = client.get(reverse("directory_search"), headers=headers).content.decode()
    assert_marked(search, "language", at_least=12)
    # "Any language" is in the page's own language: no lang of its own.
    assert ("", "") in options(search, "language")
    detained = client.get(reverse("cases:detained"), headers=headers).content.decode()
    assert_marked(detained, "person_language", at_least=10)
    assert_marked(detained, "family_language", at_least=10)
