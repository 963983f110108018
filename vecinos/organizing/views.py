"""Pages of the organizing app. Each view parses, authorises through the getters of
``queries`` (404 outside the person's reach), calls one action and renders or
redirects. A refused action answers with its status (403, 409, 422) and says why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from vecinos.accounts.access import acting_user
from vecinos.accounts.models import User
from vecinos.committees.models import Committee, Membership, MembershipRole
from vecinos.core.views import optional_int
from vecinos.organizing import actions, calendar, queries
from vecinos.organizing.models import (
    CalendarKey,
    EventKind,
    Hotline,
    Position,
    ShiftAssignment,
    TrainingKind,
    TrainingRecord,
)


def _refused(request: HttpRequest, refusal: Exception, back: str) -> HttpResponse:
    if isinstance(refusal, actions.Forbidden):
        raise PermissionDenied
    status = getattr(refusal, "status_code", 409)
    message = getattr(refusal, "message", "")
    return render(
        request, "organizing/refused.html", {"message": message, "back": back}, status=status
    )


def _act(
    request: HttpRequest,
    back: str,
    do: Callable[[], object],
    done: str = "",
    *,
    to: str = "",
) -> HttpResponse:
    """Run ``do()``: a refusal answers with its status and reason (``_refused``, a link
    to ``back``); else ``done`` as a message and a redirect to ``to`` (else ``back``)."""
    try:
        do()
    except (actions.ActionRefused, actions.Forbidden) as refusal:
        return _refused(request, refusal, back)
    if done:
        messages.success(request, done)
    return HttpResponseRedirect(to or back)


def _my_assignment_act(
    request: HttpRequest, shift_id: str, do: Callable[..., object], done: str
) -> HttpResponse:
    """``do(assignment=, actor=)`` on the user's own place on a shift, then back to
    the shift's week."""
    assignment = _assignment(request, shift_id, mine=True)
    try:
        do(assignment=assignment, actor=acting_user(request))
    except actions.Forbidden:
        raise PermissionDenied from None
    messages.success(request, done)
    return HttpResponseRedirect(_shift_back(assignment.shift))


def _when(value: str, field: str) -> datetime:
    parsed = parse_datetime((value or "").strip())
    if parsed is None:
        raise actions.InvalidInput(
            _("%(field)s: give a date and time, e.g. 2026-12-10 18:30.") % {"field": field}
        )
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _day(value: str, field: str) -> date:
    try:
        parsed = parse_date((value or "").strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise actions.InvalidInput(_("%(field)s: give a date, e.g. 2026-12-10.") % {"field": field})
    return parsed


def _optional_int(value: str, field: str) -> int | None:
    return optional_int(value, _("%(field)s: give a whole number.") % {"field": field})


def _optional_point(request: HttpRequest) -> tuple[float | None, float | None]:
    lat, lng = request.POST.get("lat", "").strip(), request.POST.get("lng", "").strip()
    if not lat and not lng:
        return None, None
    try:
        return float(lat), float(lng)
    except ValueError:
        raise actions.InvalidInput(_("That location is not a valid point on the map.")) from None


def _point_of(request: HttpRequest) -> dict[str, float | None]:
    lat, lng = _optional_point(request)
    return {"lat": lat, "lng": lng}


def _member_of(committee: Committee, username: str) -> User:
    found = (
        User.objects.filter(username=username, memberships__committee=committee).first()
        if username
        else None
    )
    if found is None:
        raise actions.InvalidInput(_("Choose a member of this committee."))
    return found


# Committees ------------------------------------------------------------------------------


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    committees = list(queries.committees_of(user).order_by("name"))
    if len(committees) == 1:
        return HttpResponseRedirect(reverse("organizing:committee", args=[committees[0].slug]))
    return render(request, "organizing/home.html", {"committees": committees})


@require_safe
@login_required
def committee(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug)
    coordinating = queries.is_coordinator(user, found)
    member = queries.membership(user, found)
    events = list(queries.committee_events(found))
    answers = (
        dict(user.invitations.filter(event__in=events).values_list("event_id", "rsvp"))
        if user.is_authenticated
        else {}
    )
    for event in events:
        event.my_rsvp = answers.get(event.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "organizing/committee.html",
        {
            "committee": found,
            "events": events,
            "coordinating": coordinating,
            "is_responder": member is not None and member.role == MembershipRole.RESPONDER,
            "uncovered": list(queries.uncovered_shifts(found)) if coordinating else [],
            "hotline": Hotline.objects.filter(committee=found).first(),
            "kinds": EventKind.choices,
            "calendar_url": request.session.pop(f"calendar:{found.pk}", ""),
            "has_calendar": CalendarKey.objects.filter(committee=found, user=user).exists(),
        },
    )


@require_POST
@login_required
def event_new(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug, write=True)
    back = reverse("organizing:committee", args=[found.slug])
    post = request.POST
    try:
        event = actions.create_event(
            committee=found,
            kind=post.get("kind", ""),
            title=post.get("title", ""),
            place=post.get("place", ""),
            language=post.get("language", ""),
            starts_at=_when(post.get("starts_at", ""), _("Starts")),
            ends_at=_when(post.get("ends_at", ""), _("Ends")),
            capacity=_optional_int(post.get("capacity", ""), _("Capacity")),
            description=post.get("description", "")[:2000],
            actor=user,
        )
    except (actions.ActionRefused, actions.Forbidden) as refusal:
        return _refused(request, refusal, back)
    messages.success(request, _("The event is scheduled and the members are invited."))
    return HttpResponseRedirect(reverse("organizing:event", args=[event.pk]))


# Events ----------------------------------------------------------------------------------


@require_safe
@login_required
def event(request: HttpRequest, event_id: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_event_for_user(user, event_id)
    coordinating = queries.is_coordinator(user, found.committee)
    context: dict[str, Any] = {
        "event": found,
        "invitation": queries.my_invitation(user, found),
        "coming": queries.coming_count(found),
        "coordinating": coordinating,
        "is_over": found.ends_at <= timezone.now(),
    }
    if coordinating:
        context["invitations"] = list(queries.event_invitations(found))
    return render(request, "organizing/event.html", context)


@require_POST
@login_required
def rsvp(request: HttpRequest, event_id: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_event_for_user(user, event_id)
    back = reverse("organizing:event", args=[found.pk])
    to = ""
    if request.POST.get("next") == "committee":
        to = reverse("organizing:committee", args=[found.committee.slug])
    return _act(
        request,
        back,
        lambda: actions.answer_rsvp(
            event=found, user=user, answer=request.POST.get("rsvp", ""), actor=user
        ),
        _("Your answer is saved."),
        to=to,
    )


@require_POST
@login_required
def attendance(request: HttpRequest, event_id: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_event_for_user(user, event_id, write=True)
    back = reverse("organizing:event", args=[found.pk])
    return _act(
        request,
        back,
        lambda: actions.mark_attendance(
            event=found,
            user=_member_of(found.committee, request.POST.get("user", "")),
            present=request.POST.get("present") == "1",
            actor=user,
        ),
        to=back + "#door",
    )


@require_POST
@login_required
def event_cancel(request: HttpRequest, event_id: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_event_for_user(user, event_id, write=True)
    back = reverse("organizing:event", args=[found.pk])
    return _act(
        request,
        back,
        lambda: actions.cancel_event(event=found, actor=user),
        _("The event is cancelled."),
    )


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


@require_safe
@login_required
def event_ics(request: HttpRequest, event_id: str) -> HttpResponse:
    found = queries.get_event_for_user(acting_user(request), event_id)
    return _ics(calendar.calendar([found], name=found.committee.name), f"event-{found.pk}")


# Calendar feed --------------------------------------------------------------------------


@require_POST
@login_required
def calendar_key(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug)
    back = reverse("organizing:committee", args=[found.slug])
    try:
        secret = actions.make_calendar_key(committee=found, user=user, actor=user)
    except (actions.ActionRefused, actions.Forbidden) as refusal:
        return _refused(request, refusal, back)
    # Shown once, on the next page; the session lives on the server.
    request.session[f"calendar:{found.pk}"] = request.build_absolute_uri(
        reverse("organizing:calendar_feed", args=[secret])
    )
    return HttpResponseRedirect(back + "#calendar")


@require_safe
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The committee's calendar for whoever holds a member's secret address (a
    calendar app, signed in nowhere). A wrong or retired secret is a 404."""
    if len(secret) > 64:
        raise Http404
    key = (
        CalendarKey.objects.select_related("committee", "user")
        .filter(digest=actions.calendar_digest(secret))
        .first()
    )
    if (
        key is None
        or not key.user.is_active
        or not Membership.objects.filter(committee=key.committee, user=key.user).exists()
    ):
        raise Http404
    return _ics(calendar.committee_calendar(key.committee), key.committee.slug)


# Trainings and the responder role --------------------------------------------------------


@require_safe
@login_required
def trainings(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug, write=True)
    today = timezone.localdate()
    members = list(
        Membership.objects.filter(committee=found).select_related("user").order_by("user__username")
    )
    valid = queries.trained_responders([m.user_id for m in members], on=today)
    records = list(
        TrainingRecord.objects.filter(committee=found)
        .select_related("user", "recorded_by")
        .order_by("-completed_on", "-id")[:100]
    )
    return render(
        request,
        "organizing/trainings.html",
        {
            "committee": found,
            "members": [(m, m.user_id in valid) for m in members],
            "records": records,
            "kinds": TrainingKind.choices,
            "today": today,
        },
    )


@require_POST
@login_required
def training_new(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug, write=True)
    back = reverse("organizing:trainings", args=[found.slug])
    return _act(
        request,
        back,
        lambda: actions.record_training(
            committee=found,
            user=_member_of(found, request.POST.get("user", "")),
            kind=request.POST.get("kind", ""),
            completed_on=_day(request.POST.get("completed_on", ""), _("Completed on")),
            actor=user,
        ),
        _("The training is recorded."),
    )


@require_POST
@login_required
def responder_role(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug, write=True)
    back = reverse("organizing:trainings", args=[found.slug])
    try:
        person = _member_of(found, request.POST.get("user", ""))
        if request.POST.get("grant") == "1":
            actions.grant_responder(committee=found, user=person, actor=user)
            messages.success(request, _("%(name)s is a responder now.") % {"name": person.username})
        else:
            actions.revoke_responder(committee=found, user=person, actor=user)
            messages.success(
                request, _("%(name)s is no longer a responder.") % {"name": person.username}
            )
    except (actions.ActionRefused, actions.Forbidden) as refusal:
        return _refused(request, refusal, back)
    return HttpResponseRedirect(back)


# Shifts ----------------------------------------------------------------------------------


def _week_start(request: HttpRequest) -> datetime:
    """Midnight of the ``week`` asked for (a bad date: today)."""
    try:
        given = parse_date(request.GET.get("week", "") or "")
    except ValueError:
        given = None
    day = given or timezone.localdate()
    return datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


@require_safe
@login_required
def shifts(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug)
    member = queries.membership(user, found)
    coordinating = queries.is_coordinator(user, found)
    is_responder = member is not None and member.role == MembershipRole.RESPONDER
    if not (coordinating or is_responder):
        raise PermissionDenied
    start = _week_start(request)
    return render(
        request,
        "organizing/shifts.html",
        {
            "committee": found,
            "rows": queries.roster(found, start=start),
            "start": start,
            "previous": (start - timedelta(days=7)).date(),
            "next": (start + timedelta(days=7)).date(),
            "coordinating": coordinating,
            "is_responder": is_responder,
            "trained": user.pk in queries.trained_responders([user.pk]),
            "uncovered": list(queries.uncovered_shifts(found)) if coordinating else [],
            "me": user.pk,
            "mine": set(
                ShiftAssignment.objects.filter(
                    user=user, shift__committee=found, shift__ends_at__gt=start
                ).values_list("shift_id", flat=True)
            ),
            "now": timezone.now(),
        },
    )


@require_POST
@login_required
def shift_week(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug, write=True)
    back = reverse("organizing:shifts", args=[found.slug])
    try:
        first = _day(request.POST.get("first_day", ""), _("First day"))
        actions.create_week(committee=found, first_day=first, actor=user)
    except (actions.ActionRefused, actions.Forbidden) as refusal:
        return _refused(request, refusal, back)
    messages.success(request, _("The week's shifts are on the roster."))
    return HttpResponseRedirect(back + f"?week={first.isoformat()}")


def _shift_back(shift: Any) -> str:
    day = timezone.localtime(shift.starts_at).date().isoformat()
    return reverse("organizing:shifts", args=[shift.committee.slug]) + f"?week={day}"


@require_POST
@login_required
def shift_signup(request: HttpRequest, shift_id: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_shift_for_user(user, shift_id)
    return _act(
        request,
        _shift_back(found),
        lambda: actions.sign_up_shift(
            shift=found,
            user=user,
            position=request.POST.get("position", Position.ON_CALL),
            **_point_of(request),
            actor=user,
        ),
        _("You are on this shift."),
    )


def _assignment(request: HttpRequest, shift_id: str, *, mine: bool) -> ShiftAssignment:
    user = acting_user(request)
    found = queries.get_shift_for_user(user, shift_id)
    assignments = ShiftAssignment.objects.select_related("shift__committee", "user").filter(
        shift=found
    )
    if mine:
        assignment = assignments.filter(user=user).first()
    else:
        wanted = _optional_int(request.POST.get("assignment", ""), "") or 0
        assignment = assignments.filter(pk=wanted).first()
    if assignment is None:
        raise Http404
    return assignment


@require_POST
@login_required
def shift_leave(request: HttpRequest, shift_id: str) -> HttpResponse:
    return _my_assignment_act(request, shift_id, actions.leave_shift, _("You are off this shift."))


@require_POST
@login_required
def shift_offer(request: HttpRequest, shift_id: str) -> HttpResponse:
    return _my_assignment_act(
        request,
        shift_id,
        actions.offer_shift,
        _("Your place is offered: another responder can take it."),
    )


@require_POST
@login_required
def shift_take(request: HttpRequest, shift_id: str) -> HttpResponse:
    user = acting_user(request)
    try:
        assignment = _assignment(request, shift_id, mine=False)
    except actions.InvalidInput:
        raise Http404 from None
    return _act(
        request,
        _shift_back(assignment.shift),
        lambda: actions.take_shift(
            assignment=assignment, user=user, **_point_of(request), actor=user
        ),
        _("The shift is yours."),
    )


# Hotline ---------------------------------------------------------------------------------


@require_POST
@login_required
def hotline(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    found = queries.get_committee_for_user(user, slug, write=True)
    back = reverse("organizing:committee", args=[found.slug])
    return _act(
        request,
        back,
        lambda: actions.set_hotline(
            committee=found, number=request.POST.get("number", ""), actor=user
        ),
        _("The hotline number is saved."),
        to=back + "#hotline",
    )
