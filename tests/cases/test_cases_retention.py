"""A closed case's personal fields are erased CASE_RETENTION days after closing; what is
left is anonymous counts by month and outcome (proven with a moved clock)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.utils import timezone

from tests.cases.conftest import open_test_case
from vecinos.alerts.models import Delivery
from vecinos.cases import actions, queries
from vecinos.cases.models import Case, CaseEvent, CaseTally, CaseTask, Hearing
from vecinos.core import retention


def _closed_released_case(lucia):
    case = open_test_case(lucia)
    actions.refer_case(case=case, organization="CARECEN", actor=lucia)
    actions.add_note(case=case, text="The aunt has the children", actor=lucia)
    actions.add_hearing(
        case=case, kind="hearing", at=timezone.now() + timedelta(hours=12), actor=lucia
    )
    actions.remind_hearings()
    actions.change_state(case=case, state="released", actor=lucia)
    actions.change_state(case=case, state="closed", actor=lucia)
    return case


def test_a_closed_case_is_erased_after_the_window_leaving_counts(lucia, settings) -> None:
    settings.CASE_RETENTION = 90
    case = _closed_released_case(lucia)
    month = timezone.now().date().replace(day=1)
    assert retention.run_all(timezone.now())["cases"] == {"cases_erased": 0}
    with time_machine.travel(timezone.now() + timedelta(days=89)):
        assert retention.run_all(timezone.now())["cases"] == {"cases_erased": 0}
    assert Case.objects.filter(pk=case.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert retention.run_all(timezone.now())["cases"] == {"cases_erased": 1}
        assert retention.run_all(timezone.now())["cases"] == {"cases_erased": 0}
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists() and not CaseTask.objects.exists()
    assert not Hearing.objects.exists()
    assert not Delivery.objects.filter(kind__startswith="case_").exists()
    tally = CaseTally.objects.get()
    assert (tally.month, tally.outcome, tally.cases) == (month, "released", 1)
    assert (tally.referred_within_day, tally.released, tally.represented) == (1, 1, 0)
    (row,) = queries.statistics()
    assert (row.opened, row.referred_within_day, row.released) == (1, 1, 1)


def test_open_cases_are_never_erased(lucia) -> None:
    case = open_test_case(lucia)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        retention.run_all(timezone.now())
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_window_comes_from_the_environment(tmp_path) -> None:
    import subprocess
    import sys

    from tests.conftest import process_env

    env = process_env(tmp_path, VECINOS_CASE_RETENTION_DAYS="30")
    code = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.CASE_RETENTION)"
    )
    env["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "30"


def test_no_plaintext_of_an_erased_case_is_left_in_the_tables(lucia) -> None:
    _closed_released_case(lucia)
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        retention.run_all(timezone.now())
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "cases_casetask", "cases_hearing"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone() == (0,)
