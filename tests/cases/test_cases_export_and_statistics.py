"""The PDF for the lawyer (audited) and the statistics page (counts, no personal data)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.conftest import signed_in
from vecinos.cases import actions
from vecinos.cases.models import CaseEvent


def test_the_export_is_a_pdf_with_facts_timeline_and_documents(case, lucia, facility) -> None:
    actions.record_locator_check(case=case, result="found", facility=facility, actor=lucia)
    actions.refer_case(case=case, organization="CARECEN", actor=lucia)
    answer = signed_in(lucia).get(reverse("cases:export", args=[case.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert f"case-{case.reference}.pdf" in answer["Content-Disposition"]
    assert answer.content.startswith(b"%PDF-")
    assert answer["Cache-Control"].startswith("no-store") or "no-store" in answer["Cache-Control"]
    assert case.events.filter(type=CaseEvent.Type.EXPORTED, actor=lucia).exists()


def test_the_export_text_holds_the_facts_timeline_and_documents(case, lucia, facility) -> None:
    from vecinos.cases.export import case_pdf

    actions.refer_case(case=case, organization="CARECEN", actor=lucia)
    pdf = case_pdf(case, compress=False)
    for text in (b"Esperanza", b"A204918375", b"Timeline", b"Documents", b"CARECEN"):
        assert text in pdf, text


def test_statistics_count_by_month_without_personal_data(case, lucia, carmen) -> None:
    actions.refer_case(case=case, organization="CARECEN", actor=lucia)
    late = actions.open_case(source="hotline", facts={"person_name": "Someone Else"}, actor=lucia)
    late.opened_at = timezone.now() - timedelta(hours=30)
    late.save()
    actions.refer_case(case=late, organization="CARECEN", actor=lucia)
    page = signed_in(carmen).get(reverse("cases:statistics"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quintanilla" not in html and "Someone Else" not in html
    from vecinos.cases.queries import statistics

    rows = statistics()
    assert sum(row.opened for row in rows) == 2
    assert sum(row.referred_within_day for row in rows) == 1
