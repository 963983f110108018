"""The case as a PDF for the lawyer (reportlab): the facts, the timeline and the list
of documents (locator checks, referrals, hearings, tasks). Built in memory and handed
to the response: never written to the data directory."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vecinos.cases import queries
from vecinos.cases.models import Case


def _when(moment: object) -> str:
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _p(text: object, style: object) -> Paragraph:
    return Paragraph(escape(str(text or "—")).replace("\n", "<br/>"), style)


def case_pdf(case: Case, *, compress: bool = True) -> bytes:
    """The PDF's bytes (``compress=False``: text streams readable, for tests)."""
    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading2"]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=_("Case %(reference)s") % {"reference": case.reference},
        author="Vecinos",
        pageCompression=1 if compress else 0,
        leftMargin=0.8 * inch,
        rightMargin=0.8 * inch,
    )
    grid = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, "#999999"),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
        ]
    )
    story: list[object] = [
        Paragraph(escape(_("Case %(reference)s") % {"reference": case.reference}), styles["Title"]),
        _p(
            _("Exported %(when)s. Confidential: for the person's legal representatives.")
            % {"when": _when(timezone.now())},
            body,
        ),
        Spacer(1, 12),
        Paragraph(escape(_("Facts")), heading),
    ]
    facts = [
        (_("Name"), case.person_name),
        (_("Date of birth"), case.date_of_birth),
        (_("A-number"), case.a_number),
        (_("Language"), case.person_language),
        (_("Taken at"), _when(case.taken_at)),
        (_("Taken where"), case.taken_place),
        (_("Held at"), f"{case.facility.name}, {case.facility.address}" if case.facility else ""),
        (_("State"), case.get_state_display()),
        (_("Dependents"), case.dependents),
        (_("Medical needs"), case.medical_needs),
        (_("Family contact"), f"{case.family_name} {case.family_contact}".strip()),
        (_("Opened"), _when(case.opened_at)),
    ]
    table = Table([[_p(k, body), _p(v, body)] for k, v in facts], colWidths=[1.7 * inch, 5 * inch])
    table.setStyle(grid)
    story += [table, Spacer(1, 12), Paragraph(escape(_("Timeline")), heading)]
    rows = []
    for event in queries.timeline(case):
        detail = str(getattr(event, "detail", ""))
        if event.note:
            detail = f"{detail}\n{event.note}".strip()
        actor = event.actor.username if event.actor else "—"
        rows.append(
            [
                _p(_when(event.created_at), body),
                _p(event.get_type_display(), body),
                _p(actor, body),
                _p(detail, body),
            ]
        )
    if rows:
        table = Table(rows, colWidths=[1.2 * inch, 1.4 * inch, 0.9 * inch, 3.2 * inch])
        table.setStyle(grid)
        story.append(table)
    story += [Spacer(1, 12), Paragraph(escape(_("Documents")), heading)]
    documents: list[str] = []
    for check in case.locator_checks.select_related("facility"):
        documents.append(
            _("Locator check %(when)s: %(facility)s, %(result)s")
            % {
                "when": _when(check.checked_at),
                "facility": check.facility or "—",
                "result": check.get_result_display(),
            }
        )
    for referral in case.referrals.all():
        documents.append(
            _("Referral %(when)s to %(organization)s: %(answer)s")
            % {
                "when": _when(referral.referred_at),
                "organization": referral.organization,
                "answer": referral.get_answer_display(),
            }
        )
    for hearing in case.hearings.all():
        documents.append(
            _("%(kind)s %(when)s %(place)s")
            % {
                "kind": hearing.get_kind_display(),
                "when": _when(hearing.at),
                "place": hearing.place,
            }
        )
    for task in case.tasks.all():
        documents.append(
            _("Task: %(title)s (%(state)s)")
            % {"title": task.title, "state": _("done") if task.done_at else _("open")}
        )
    for line in documents or [_("None yet.")]:
        story.append(_p(line, body))
    document.build(story)
    return buffer.getvalue()
