"""Access rules of detention support (vecinos/cases) for the project's access matrix
(tests/access/test_matrix.py). The world's case belongs to ``world.committee`` (so its
coordinator carmen sees it), is worked by a case worker who is not one of the matrix's
actors, and has one task given to mara. Dispatchers (dani) open cases but do not see
them; olga coordinates another committee. The same rules, with a second case worker,
are tested directly in tests/cases/test_cases_access.py."""

from __future__ import annotations

from typing import Any

from tests.access.matrix import Rule, World

ON_CASE = {"carmen", "ana"}
CASE_PAGES = {"carmen", "olga", "ana"}
OPENERS = {"dani", "carmen", "olga", "ana"}
SIGNED_IN = {"mara", "rosa", "carmen", "olga", "dani", "ana"}


def setup(world: World) -> None:
    from vecinos.accounts.models import Role, User
    from vecinos.cases import actions
    from vecinos.cases.models import CaseSource

    worker = User.objects.create_user(username="matrix-case-worker", role=Role.CASE_WORKER)
    case = actions.open_case(
        source=CaseSource.HOTLINE,
        facts={"person_name": "Matrix Person", "family_contact": "+13235550111",
               "family_channel": "sms", "family_updates": True},
        actor=worker,
        committee=world.committee,
    )  # fmt: skip
    task = actions.add_task(case=case, title="Accompany", assignee=world.user("mara"), actor=worker)
    referral = actions.refer_case(case=case, organization="Legal Aid", actor=worker)
    waiting = actions.open_case(
        source=CaseSource.PUBLIC, facts={"person_name": "Waiting Person"}, actor=None
    )
    world.case_id = case.pk  # type: ignore[attr-defined]
    world.case_task_id = task.pk  # type: ignore[attr-defined]
    world.case_referral_id = referral.pk  # type: ignore[attr-defined]
    world.waiting_case_id = waiting.pk  # type: ignore[attr-defined]


def _case(w: Any) -> dict[str, Any]:
    return {"case_id": str(w.case_id)}


RULES = [
    Rule("cases:detained", allowed=SIGNED_IN | {"anonymous", "gone"}),
    Rule("cases:detained_thanks", allowed=SIGNED_IN | {"anonymous", "gone"}),
    Rule("cases:list", allowed=CASE_PAGES),
    Rule("cases:statistics", allowed=CASE_PAGES),
    Rule("cases:new", allowed=OPENERS),
    Rule("cases:opened", allowed=OPENERS),
    Rule("cases:facilities", allowed=OPENERS),
    Rule("cases:tasks", allowed=SIGNED_IN),
    Rule("cases:detail", kwargs=_case, allowed=ON_CASE),
    Rule("cases:export", kwargs=_case, allowed=ON_CASE),
    Rule("cases:facts", kwargs=_case, allowed=ON_CASE),
    Rule("cases:facts", method="POST", kwargs=_case,
         data=lambda w: {"person_name": "X", "person_language": "es", "family_channel": "sms",
                         "family_language": "es"}, allowed=ON_CASE),
    Rule("cases:take", method="POST", kwargs=lambda w: {"case_id": w.waiting_case_id},
         allowed=set()),  # only a case worker takes a case up; none is an actor here
    Rule("cases:assign", method="POST", kwargs=_case,
         data=lambda w: {"worker": "matrix-case-worker"}, allowed=ON_CASE),
    Rule("cases:state", method="POST", kwargs=_case, data=lambda w: {"state": "locating"},
         allowed=ON_CASE),
    Rule("cases:note", method="POST", kwargs=_case, data=lambda w: {"text": "x"},
         allowed=ON_CASE),
    Rule("cases:task", method="POST", kwargs=_case, data=lambda w: {"title": "x"},
         allowed=ON_CASE),
    Rule("cases:task_done", method="POST", kwargs=lambda w: {"task_id": w.case_task_id},
         allowed=ON_CASE | {"mara"}),
    Rule("cases:locator", method="POST", kwargs=_case, data=lambda w: {"result": "no_answer"},
         allowed=ON_CASE),
    Rule("cases:referral", method="POST", kwargs=_case,
         data=lambda w: {"organization": "CARECEN", "follow_up_hours": 48}, allowed=ON_CASE),
    Rule("cases:referral_answer", method="POST",
         kwargs=lambda w: {"referral_id": w.case_referral_id},
         data=lambda w: {"answer": "declined"}, allowed=ON_CASE),
    Rule("cases:hearing", method="POST", kwargs=_case,
         data=lambda w: {"kind": "hearing", "at": "2099-01-05T09:00"}, allowed=ON_CASE),
    Rule("cases:update", method="POST", kwargs=_case, data=lambda w: {"template": "searching"},
         allowed=ON_CASE),
    # The API (operation names of vecinos/api/cases.py).
    Rule("api:cases", allowed=CASE_PAGES),
    Rule("api:cases", method="POST", json=True, data=lambda w: {"person_name": "Someone"},
         allowed=OPENERS),
    Rule("api:get_case", kwargs=_case, allowed=ON_CASE),
    Rule("api:change_state", method="POST", json=True, kwargs=_case,
         data=lambda w: {"state": "locating"}, allowed=ON_CASE),
    Rule("api:add_note", method="POST", json=True, kwargs=_case, data=lambda w: {"text": "x"},
         allowed=ON_CASE),
    Rule("api:locator_check", method="POST", json=True, kwargs=_case,
         data=lambda w: {"result": "no_answer"}, allowed=ON_CASE),
    Rule("api:refer", method="POST", json=True, kwargs=_case, data=lambda w: {"organization": "X"},
         allowed=ON_CASE),
    Rule("api:hearing", method="POST", json=True, kwargs=_case,
         data=lambda w: {"kind": "hearing", "at": "2099-01-05T09:00:00Z"}, allowed=ON_CASE),
    Rule("api:family_update", method="POST", json=True, kwargs=_case,
         data=lambda w: {"template": "searching"}, allowed=ON_CASE),
]  # fmt: skip
