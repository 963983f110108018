"""Who may do what with a case, page by page and API operation by operation.

The case belongs to carmen's committee and lucia works on it; mara was given one of its
tasks. Refused: a dispatcher (dani), the member with a task (mara), the coordinator of
another committee (olga), another case worker (leo), a deactivated account (gone) and
anyone signed out. Refused means 404 for the case (as if it did not exist), 403 for a
page of a role the person lacks, the sign-in page (302) when signed out, and 401 for
the API without a valid token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import signed_in
from vecinos.accounts.actions import create_api_token
from vecinos.cases.models import Case, CaseEvent, Referral

EVERYONE = {"lucia", "leo", "carmen", "olga", "ana", "dani", "mara", "gone", "anonymous"}


@dataclass(frozen=True)
class Page:
    name: str
    method: str = "GET"
    args: Callable[[Case], list[Any]] = lambda case: [case.pk]
    data: dict[str, Any] = field(default_factory=dict)
    allowed: frozenset[str] = frozenset({"lucia", "carmen", "ana"})
    # What a signed-in person without the role gets: 404 for the case's own pages.
    refused: int = 404
    # Those who see the case but may not do this to it: 403.
    forbidden: frozenset[str] = frozenset()


def _task(case: Case) -> list[Any]:
    return [case.tasks.get().pk]


def _referral(case: Case) -> list[Any]:
    return [Referral.objects.get(case=case).pk]


PAGES = [
    Page("cases:detail"),
    Page("cases:export"),
    Page("cases:facts"),
    Page("cases:facts", "POST", data={"person_name": "X", "person_language": "es",
         "family_channel": "sms", "family_language": "es"}),
    Page("cases:state", "POST", data={"state": "locating"}),
    Page("cases:note", "POST", data={"text": "called"}),
    Page("cases:task", "POST", data={"title": "call Adelanto"}),
    Page("cases:locator", "POST", data={"result": "no_answer"}),
    Page("cases:referral", "POST", data={"organization": "CARECEN", "follow_up_hours": 48}),
    Page("cases:referral_answer", "POST", args=_referral, data={"answer": "declined"}),
    Page("cases:hearing", "POST", data={"kind": "hearing", "at": "2099-01-05T09:00"}),
    Page("cases:update", "POST", data={"template": "searching"}),
    Page("cases:assign", "POST", data={"worker": "leo"}, allowed=frozenset({"carmen", "ana"}),
         forbidden=frozenset({"lucia"})),
    # Taking a case up is for an unassigned case only: this one has lucia.
    Page("cases:take", "POST", allowed=frozenset()),
    Page("cases:task_done", "POST", args=_task,
         allowed=frozenset({"lucia", "carmen", "ana", "mara"})),
    Page("cases:list", args=lambda case: [], refused=403,
         allowed=frozenset({"lucia", "leo", "carmen", "olga", "ana"})),
    Page("cases:statistics", args=lambda case: [], refused=403,
         allowed=frozenset({"carmen", "olga", "ana"})),
    Page("cases:new", args=lambda case: [], refused=403,
         allowed=frozenset({"lucia", "leo", "carmen", "olga", "ana", "dani"})),
    Page("cases:opened", args=lambda case: [], refused=403,
         allowed=frozenset({"lucia", "leo", "carmen", "olga", "ana", "dani"})),
    Page("cases:facilities", args=lambda case: [], refused=403,
         allowed=frozenset({"lucia", "leo", "carmen", "olga", "ana", "dani"})),
    Page("cases:tasks", args=lambda case: [], refused=403,
         allowed=frozenset(EVERYONE - {"anonymous", "gone"})),
]  # fmt: skip


def _client(name: str, people: dict[str, Any]) -> Client:
    if name == "anonymous":
        return Client()
    return signed_in(people[name])


@pytest.fixture
def people(case, lucia, leo, carmen, olga, ana, dani, mara, gone) -> dict[str, Any]:
    from vecinos.cases import actions

    actions.refer_case(case=case, organization="Legal Aid", actor=lucia)
    return {
        "lucia": lucia, "leo": leo, "carmen": carmen, "olga": olga, "ana": ana,
        "dani": dani, "mara": mara, "gone": gone,
    }  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.method} {page.name}")
@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_each_case_page_answers_only_those_on_the_case(page: Page, who: str, case, people) -> None:
    url = reverse(page.name, args=page.args(case))
    client = _client(who, people)
    answer = client.post(url, page.data) if page.method == "POST" else client.get(url)
    if who in page.allowed:
        assert answer.status_code not in {401, 403, 404}, answer.status_code
        assert not (answer.status_code == 302 and "/accounts/login" in answer["Location"])
    elif who in page.forbidden:
        assert answer.status_code == 403
    elif who in {"anonymous", "gone"}:
        assert answer.status_code == 302 and "/accounts/login" in answer["Location"]
    else:
        assert answer.status_code == page.refused, (who, answer.status_code)


def test_a_refused_look_leaves_the_case_unchanged_and_no_personal_field_shown(case, people) -> None:
    before = case.events.count()
    for who in ("dani", "olga", "leo", "mara"):
        answer = signed_in(people[who]).get(reverse("cases:detail", args=[case.pk]))
        assert answer.status_code == 404
        assert "Quintanilla" not in answer.content.decode()
    assert case.events.count() == before


def test_every_look_at_a_case_writes_an_audit_row(case, people) -> None:
    for who in ("lucia", "carmen", "ana"):
        signed_in(people[who]).get(reverse("cases:detail", args=[case.pk]))
    signed_in(people["lucia"]).get(reverse("cases:export", args=[case.pk]))
    views = case.events.filter(type=CaseEvent.Type.VIEWED).values_list("actor__username", flat=True)
    assert sorted(views) == ["ana", "carmen", "lucia"]
    assert case.events.filter(type=CaseEvent.Type.EXPORTED, actor__username="lucia").count() == 1


def test_the_case_list_shows_no_personal_field(case, people) -> None:
    page = signed_in(people["lucia"]).get(reverse("cases:list")).content.decode()
    assert case.reference in page
    for secret in ("Quintanilla", "A204918375", "3235557311"):
        assert secret not in page


def test_the_intake_queue_can_be_taken_up_by_one_case_worker_only(people) -> None:
    from tests.cases.conftest import open_test_case

    waiting = open_test_case(None)
    leo, lucia = people["leo"], people["lucia"]
    assert signed_in(leo).get(reverse("cases:detail", args=[waiting.pk])).status_code == 404
    assert signed_in(leo).post(reverse("cases:take", args=[waiting.pk])).status_code == 303
    assert signed_in(leo).get(reverse("cases:detail", args=[waiting.pk])).status_code == 200
    assert signed_in(lucia).post(reverse("cases:take", args=[waiting.pk])).status_code == 404
    assert (
        signed_in(people["dani"]).post(reverse("cases:take", args=[waiting.pk])).status_code == 404
    )


# API ----------------------------------------------------------------------------------------

API_OPS = [
    ("GET", "/api/v1/cases/{id}", None),
    ("POST", "/api/v1/cases/{id}/state", {"state": "locating"}),
    ("POST", "/api/v1/cases/{id}/notes", {"text": "called"}),
    ("POST", "/api/v1/cases/{id}/locator-checks", {"result": "no_answer"}),
    ("POST", "/api/v1/cases/{id}/referrals", {"organization": "CARECEN"}),
    ("POST", "/api/v1/cases/{id}/hearings", {"kind": "hearing", "at": "2099-01-05T09:00:00Z"}),
    ("POST", "/api/v1/cases/{id}/family-updates", {"template": "searching"}),
]


@pytest.mark.parametrize(("method", "path", "body"), API_OPS)
@pytest.mark.parametrize("who", ["lucia", "carmen", "ana", "leo", "olga", "dani", "mara", "none"])
def test_each_case_api_operation_answers_only_those_on_the_case(
    method, path, body, who, case, people
) -> None:
    client = Client()
    headers: dict[str, str] = {}
    if who != "none" and who != "mara":
        _token, secret = create_api_token(user=people[who], name="t", actor=people[who])
        headers["Authorization"] = f"Bearer {secret}"
    url = path.format(id=case.pk)
    if method == "GET":
        answer = client.get(url, headers=headers)
    else:
        answer = client.post(url, body, content_type="application/json", headers=headers)
    if who in {"lucia", "carmen", "ana"}:
        assert answer.status_code == 200, answer.content
    elif who in {"none", "mara"}:  # members hold no tokens
        assert answer.status_code == 401
    else:
        assert answer.status_code == 404


def test_a_deactivated_account_s_token_and_a_revoked_token_answer_401(case, lucia) -> None:
    from vecinos.accounts.actions import revoke_api_token

    token, secret = create_api_token(user=lucia, name="t", actor=lucia)
    revoke_api_token(token=token, actor=lucia)
    answer = Client().get(f"/api/v1/cases/{case.pk}", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    _token, secret = create_api_token(user=lucia, name="u", actor=lucia)
    lucia.is_active = False
    lucia.save()
    answer = Client().get(f"/api/v1/cases/{case.pk}", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401


def test_the_api_list_is_for_case_workers_and_refuses_a_dispatcher(case, people) -> None:
    _t, secret = create_api_token(user=people["dani"], name="t", actor=people["dani"])
    answer = Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 403
    _t, secret = create_api_token(user=people["lucia"], name="t", actor=people["lucia"])
    answer = Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    assert "Quintanilla" not in answer.content.decode()
