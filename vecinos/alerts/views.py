"""Alert pages.

Console (dispatchers and admins, signed in with two factors): the alert panel on an
incident's page (``alerts/console_incident_alerts.html``, included by the incident
page), the list of drafts waiting for approval, one alert's page, and the POST
endpoints behind the panel's forms: draft (with a preview of the SMS), approve,
cancel, retract or all-clear. Each parses, authorises (``require_role`` and
``get_alert_for_user``), calls one action and renders; an htmx request gets the panel
back, a plain form post a redirect to the incident page and a message.

Public (no account): ``/alerts`` (the alerts in force in the visitor's language,
retractions and all-clears pinned at the top), ``/alerts/<id>`` (one alert), and the
short link ``/a/<code>`` that SMS messages carry. Test alerts are never public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from vecinos.accounts.access import acting_user, dispatcher_required
from vecinos.accounts.models import User
from vecinos.alerts import actions, messages, queries
from vecinos.alerts.models import Alert, AlertKind, AlertStatus
from vecinos.alerts.queries import get_alert_for_user
from vecinos.core.views import after_action, bad_input
from vecinos.reports.models import Incident, IncidentStatus
from vecinos.reports.queries import get_incident_for_user

PUBLIC_MAX_AGE = 60


# Console: the incident's alert panel -----------------------------------------------------


@dataclass
class AlertRow:
    """One alert as the console panel shows it, with what this dispatcher may do."""

    alert: Alert
    counts: queries.DeliveryCounts
    approvers: list[str]
    previews: list[messages.SmsPreview]
    can_approve: bool
    can_cancel: bool
    can_retract: bool
    expired: bool
    reach: queries.Reach | None = None


def alert_rows(alerts: list[Alert], user: User) -> list[AlertRow]:
    counts = queries.delivery_counts(a.pk for a in alerts)
    required = actions.required_approvals()
    now = timezone.now()
    rows = []
    for alert in alerts:
        approvers = [approval.approver.username for approval in alert.approvals.all()]
        pending = alert.status == AlertStatus.PENDING_APPROVAL
        rows.append(
            AlertRow(
                alert=alert,
                counts=counts[alert.pk],
                approvers=approvers,
                previews=messages.sms_previews(alert) if pending else [],
                can_approve=pending
                and user.username not in approvers
                and (required == 1 or alert.created_by_id != user.pk),
                can_cancel=pending,
                can_retract=alert.kind == AlertKind.ALERT and alert.status == AlertStatus.PUBLISHED,
                expired=alert.expires_at is not None and alert.expires_at <= now,
                # Before approval: who it would reach (a follow-up reaches exactly the
                # original's recipients, shown by their delivery counts).
                reach=queries.reach(alert.cells or [])
                if pending and not alert.original_id
                else None,
            )
        )
    return rows


def panel_context(incident: Incident, user: User, **extra: Any) -> dict[str, Any]:
    """What ``alerts/console_incident_alerts.html`` shows for ``incident``."""
    return {
        "incident": incident,
        "alert_rows": alert_rows(queries.incident_alerts(incident), user),
        "can_draft": incident.status == IncidentStatus.CONFIRMED and incident.lat is not None,
        "approvals_required": actions.required_approvals(),
        "radius_default": actions.DEFAULT_RADIUS_KM,
        "radius_min": actions.MIN_RADIUS_KM,
        "radius_max": actions.MAX_RADIUS_KM,
        "note_max": actions.MAX_NOTE,
        "reason_max": actions.MAX_REASON,
        "place_max": actions.MAX_PLACE_LABEL,
        **extra,
    }


def _done(
    request: HttpRequest,
    incident: Incident,
    notice: str,
    *,
    error: bool = False,
    status: int = 200,
) -> HttpResponse:
    """After an action: the panel for htmx, else a redirect to the incident page."""
    if status >= 400 and not request.htmx:  # type: ignore[attr-defined]
        back = reverse("console_incident", args=[incident.pk]) + "#alerts"
        return bad_input(request, notice, back, status=status)
    back = request.POST.get("next", "")
    if not (
        back.startswith("/console/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts=None, require_https=False)
    ):
        back = reverse("console_incident", args=[incident.pk]) + "#alerts"
    # Else the list of drafts or an alert's page: the dispatcher stays where they were.
    return after_action(
        request,
        notice,
        error=error,
        # The panel fetches its own data ({% alert_panel %}), as on the incident page.
        partial=lambda: render(
            request,
            "alerts/console_incident_alerts.html",
            {
                "incident": Incident.objects.get(pk=incident.pk),
                "alerts_notice": notice,
                "alerts_notice_is_error": error,
            },
            status=status,
        ),
        back=back,
    )


def _refused(
    request: HttpRequest, incident: Incident, refusal: actions.AlertRefused
) -> HttpResponse:
    """A refused action: bad input answers its 4xx (nothing was stored), a refusal of
    the alert's state a message on the incident page."""
    status = refusal.status if isinstance(refusal, actions.InvalidAlert) else 200
    return _done(request, incident, str(refusal.message), error=True, status=status)


def _parse_radius(raw: str | None) -> float:
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return actions.DEFAULT_RADIUS_KM
    try:
        return float(text)
    except ValueError:
        raise actions.InvalidAlert(
            _("Enter the radius in kilometres, e.g. 2."), field="radius_km"
        ) from None


@require_POST
@dispatcher_required
def alert_draft(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Draft an alert (or, with the Preview button, show what it would say)."""
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    note = request.POST.get("note", "")
    test = request.POST.get("test") in {"1", "on", "true"}
    try:
        radius = _parse_radius(request.POST.get("radius_km"))
        label = _parse_place_label(request)
        if request.POST.get("preview"):
            return _preview(
                request, incident, radius=radius, note=note, test=test, place_label=label
            )
        alert = actions.draft_alert(
            incident=incident,
            radius_km=radius,
            note=note,
            test=test,
            place_label=label,
            actor=user,
        )
    except actions.AlertRefused as refusal:
        return _refused(request, incident, refusal)
    if alert.is_test:
        notice = _("Test alert drafted. It goes only to the console, once approved.")
    else:
        notice = _("Alert drafted. Another dispatcher must approve it before it goes out.")
        if actions.required_approvals() == 1:
            notice = _("Alert drafted. Approve it to send it.")
    return _done(request, incident, notice)


def _parse_place_label(request: HttpRequest) -> str | None:
    """The public place label the draft form asks for: required, unless the
    dispatcher chose "no place" (then messages say "in your area"). A post without
    the field at all (a script) takes the incident's label, as the API does."""
    if request.POST.get("no_place") in {"1", "on", "true"}:
        return ""
    if "place_label" not in request.POST:
        return None
    label = actions.plain_text(
        request.POST.get("place_label", ""), field="place_label", limit=actions.MAX_PLACE_LABEL
    )
    if not label:
        raise actions.InvalidAlert(
            _(
                "Write where it is for the public (cross streets or a landmark), or choose "
                "“no place” to send the alert without one."
            ),
            field="place_label",
        )
    return label


def _preview(
    request: HttpRequest,
    incident: Incident,
    *,
    radius: float,
    note: str,
    test: bool,
    place_label: str | None,
) -> HttpResponse:
    """The SMS in every language for an alert not yet drafted (nothing is saved)."""
    draft = actions.unsaved_alert(
        incident,
        radius=actions.check_radius(radius),
        note=actions.plain_text(note, field="note", limit=actions.MAX_NOTE),
        place_label=place_label,
        test=test,
    )
    context = {
        "incident": incident,
        "panel": panel_context(incident, acting_user(request)),
        "previews": messages.sms_previews(draft),
        "reach": queries.reach(draft.cells),
        "draft": draft,
    }
    if request.htmx:  # type: ignore[attr-defined]
        # The panel with the preview above the form, not a whole page inside the panel.
        return render(request, "alerts/console_incident_alerts.html", context)
    return render(request, "alerts/console_preview.html", context)


@require_POST
@dispatcher_required
def alert_approve(request: HttpRequest, alert_id: str) -> HttpResponse:
    user = acting_user(request)
    alert = get_alert_for_user(user, alert_id, write=True)
    try:
        alert = actions.approve_alert(alert=alert, actor=user)
    except actions.AlertRefused as refusal:
        return _refused(request, alert.incident, refusal)
    if alert.status == AlertStatus.PUBLISHED:
        notice = (
            _("Test alert published to the console.")
            if alert.is_test
            else _("Alert published. Messages are going out.")
        )
    else:
        notice = _("Approval recorded; more approvals are needed.")
    return _done(request, alert.incident, notice)


@require_POST
@dispatcher_required
def alert_cancel(request: HttpRequest, alert_id: str) -> HttpResponse:
    user = acting_user(request)
    alert = get_alert_for_user(user, alert_id, write=True)
    try:
        actions.cancel_alert(alert=alert, actor=user, reason=request.POST.get("reason", ""))
    except actions.AlertRefused as refusal:
        return _refused(request, alert.incident, refusal)
    return _done(request, alert.incident, _("Draft cancelled; nothing was sent."))


@require_POST
@dispatcher_required
def alert_retract(request: HttpRequest, alert_id: str) -> HttpResponse:
    user = acting_user(request)
    alert = get_alert_for_user(user, alert_id, write=True)
    if request.POST.get("confirm") != "1":
        # One click must not message everyone the alert reached: tick a box first.
        return _done(
            request,
            alert.incident,
            _("Tick “Yes, send it now” to send the retraction or all-clear."),
            error=True,
        )
    kind = request.POST.get("kind", AlertKind.RETRACTION)
    try:
        followup = actions.retract_alert(
            alert=alert,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            kind=kind,
            actor=user,
        )
    except actions.AlertRefused as refusal:
        return _refused(request, alert.incident, refusal)
    if followup.status == AlertStatus.PENDING_APPROVAL:
        notice = _(
            "A follow-up with a note is free text to everyone who got the alert: it waits "
            "for a second dispatcher's approval, like an alert."
        )
    elif followup.kind == AlertKind.ALL_CLEAR:
        notice = _("All-clear sent to the people who got the alert.")
    else:
        notice = _("Retraction sent to the people who got the alert.")
    return _done(request, alert.incident, notice)


# Console: list and alert page --------------------------------------------------------------


@require_safe
@dispatcher_required
def console_alerts(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "alerts/console_alerts.html",
        {
            "pending_rows": alert_rows(queries.pending_alerts(), user),
            "recent_rows": alert_rows(queries.recent_alerts(), user),
            "approvals_required": actions.required_approvals(),
        },
    )


@require_safe
@dispatcher_required
def console_alert(request: HttpRequest, alert_id: str) -> HttpResponse:
    user = acting_user(request)
    alert = get_alert_for_user(user, alert_id)
    row = alert_rows(queries.incident_alerts(alert.incident), user)
    this = next(r for r in row if r.alert.pk == alert.pk)
    return render(
        request,
        "alerts/console_alert.html",
        {
            "row": this,
            "alert": this.alert,
            "previews": messages.sms_previews(alert),
            "events": list(this.alert.events.all()),
            "approvals_required": actions.required_approvals(),
            "reason_max": actions.MAX_REASON,
            "note_max": actions.MAX_NOTE,
        },
    )


# Public ------------------------------------------------------------------------------------


def visitor_language(request: HttpRequest) -> str:
    """The alert language for this visitor: ``?lang=`` if we write alerts in it, else
    the first of the browser's languages that we do, else the interface language."""
    chosen = messages.normalize_language(request.GET.get("lang"))
    if chosen:
        return chosen
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for tag, _quality in parse_accept_lang_header(header[:255]) if header else ():
        found = messages.normalize_language(tag)
        if found:
            return found
    return messages.normalize_language(getattr(request, "LANGUAGE_CODE", "")) or "en"


@dataclass
class PublicAlert:
    alert: Alert
    headline: str
    sentence: str
    note: str
    language: str
    rtl: bool
    url: str


def public_view(alert: Alert, language: str) -> PublicAlert:
    f = messages.fields_for(alert, language)
    return PublicAlert(
        alert=alert,
        headline=messages.headline(f),
        sentence=messages.sentence(f),
        note=f.note,
        language=f.book.code,
        rtl=f.book.rtl,
        url=reverse("alert", args=[alert.pk]) + f"?lang={f.book.code}",
    )


def _languages(request: HttpRequest, path: str) -> list[tuple[str, str, str]]:
    return [(code, name, f"{path}?lang={code}") for code, name in messages.LANGUAGES]


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE)
def alerts_page(request: HttpRequest) -> HttpResponse:
    language = visitor_language(request)
    items = [public_view(alert, language) for alert in queries.active_public_alerts()]
    response = render(
        request,
        "alerts/public_alerts.html",
        {
            "pinned": [i for i in items if i.alert.kind != AlertKind.ALERT],
            "active": [i for i in items if i.alert.kind == AlertKind.ALERT],
            "language": language,
            "languages": _languages(request, reverse("alerts")),
            "now": timezone.now(),
            "public_url": settings.VECINOS_PUBLIC_URL,
        },
    )
    response["Vary"] = "Accept-Language, Cookie"
    return response


@require_safe
def alert_page(request: HttpRequest, alert_id: str) -> HttpResponse:
    """One alert. The public sees alerts that went out (not tests); dispatchers see
    every alert (a test one with its badge), so the console's short links work."""
    alert = queries.public_alert(alert_id)
    if alert is None:
        user = acting_user(request)
        if not (user.is_authenticated and user.is_dispatcher):
            raise Http404
        alert = get_alert_for_user(user, alert_id)
    language = visitor_language(request)
    item = public_view(alert, language)
    followups = [
        public_view(followup, language)
        for followup in alert.followups.all()
        if alert.is_test or not followup.is_test
    ]
    original = (
        public_view(alert.original, language)
        if alert.original is not None and (not alert.original.is_test or alert.is_test)
        else None
    )
    now = timezone.now()
    response = render(
        request,
        "alerts/public_alert.html",
        {
            "item": item,
            "alert": alert,
            "followups": followups,
            "original": original,
            "language": language,
            "languages": _languages(request, reverse("alert", args=[alert.pk])),
            "in_force": alert.kind == AlertKind.ALERT
            and alert.status == AlertStatus.PUBLISHED
            and alert.expires_at is not None
            and alert.expires_at > now,
            "now": now,
        },
    )
    if alert.is_test or alert.status not in queries.WENT_OUT:
        response["Cache-Control"] = "no-store, private"
    else:
        response["Cache-Control"] = f"max-age={PUBLIC_MAX_AGE}"
    response["Vary"] = "Accept-Language, Cookie"
    return response


@require_safe
def short_link(request: HttpRequest, code: str, language: str = "") -> HttpResponse:
    """``/a/<code>`` and ``/a/<code>/<language>``: the short link in SMS messages, to
    the alert's page (in the subscriber's language when the link names it)."""
    alert = queries.alert_for_short_code(code)
    if alert is None:
        raise Http404
    url = reverse("alert", args=[alert.pk])
    # A language we do not write alerts in leads to the page as the browser asks.
    chosen = messages.normalize_language(language) if language else None
    return HttpResponseRedirect(f"{url}?lang={chosen}" if chosen else url)
