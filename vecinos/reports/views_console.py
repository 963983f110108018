"""The dispatcher console: the live queue, an incident's page and its actions, the
event stream that keeps them live, and permission-checked report photos.

Each view parses, authorises (``require_role`` and the getters of
``vecinos.accounts.access``), calls one action and renders. A POST from htmx gets the
incident's partial back (``reports/incident.html#incident``); without JavaScript it
gets a redirect and a message.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from vecinos.accounts.access import acting_user, dispatcher_required
from vecinos.accounts.models import User
from vecinos.core import hooks, live
from vecinos.core.views import after_action, optional_int
from vecinos.reports import actions, places, queries
from vecinos.reports.events import LIVE_CHANNEL
from vecinos.reports.models import Agency, Incident, IncidentEvent, IncidentStatus, Kind, Outcome
from vecinos.reports.queries import get_incident_for_user, get_report_for_user

# An open stream is closed after this long; the browser reconnects at once. It bounds
# how long a signed-out or demoted user keeps hearing events, and frees the thread.
STREAM_SECONDS = 300
STREAM_RETRY_MS = 3000
STREAM_BUSY_RETRY_SECONDS = 5


# Queue ------------------------------------------------------------------------------------


def _panels(incident: Incident | None) -> list[dict[str, Any]]:
    """Panels the apps above add to the console (``hooks.console_panels``)."""
    return [panel for panel in hooks.console_panels.call(incident) if panel is not None]


def _queue_context(request: HttpRequest) -> dict[str, Any]:
    """The queue's page and filters, from the query string. Anything unknown is
    ignored (the whole queue, page 1): a filter link must never answer an error."""
    sort = request.GET.get("sort", queries.DEFAULT_SORT)
    if sort not in queries.QUEUE_SORTS:
        sort = queries.DEFAULT_SORT
    status = request.GET.get("status", "")
    status = status if status in IncidentStatus.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    try:
        min_sources = max(0, min(1000, int(request.GET.get("sources", "0"))))
    except ValueError:
        min_sources = 0
    needs_location = request.GET.get("needs_location", "") == "1"
    outside = request.GET.get("outside") == "1"
    filters = {
        key: value
        for key, value in (
            ("status", status),
            ("kind", kind),
            ("sources", str(min_sources) if min_sources > 1 else ""),
            ("needs_location", "1" if needs_location else ""),
            ("outside", "1" if outside else ""),
        )
        if value
    }
    found = queries.console_queue(
        sort=sort,
        status=status,
        kind=kind,
        min_sources=min_sources,
        needs_location=needs_location,
        outside=outside,
    )
    page = Paginator(found, queries.QUEUE_PAGE).get_page(request.GET.get("page"))
    here = {**filters, "sort": sort}
    return {
        "incidents": page.object_list,
        "page": page,
        "filters": filters,
        "query": urlencode(here),
        "filter_query": urlencode(filters),
        "statuses": [
            (value, label)
            for value, label in IncidentStatus.choices
            if value != IncidentStatus.CLOSED
        ],
        "kinds": Kind.choices,
        "panels": _panels(None),
        "outside": outside,
        "outside_count": 0 if outside else queries.outside_count(),
        "sort": sort,
        "sorts": [
            ("recent", _("Latest activity")),
            ("confidence", _("Confidence")),
            ("age", _("Oldest first")),
        ],
    }


@require_safe
@dispatcher_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/console.html", _queue_context(request))


@require_safe
@dispatcher_required
def console_queue(request: HttpRequest) -> HttpResponse:
    """The queue alone, for console.js to swap in when the stream says so."""
    return render(request, "reports/console.html#queue", _queue_context(request))


# Live stream ------------------------------------------------------------------------------


def event_stream(
    *, seconds: float = STREAM_SECONDS, keepalive: float = live.KEEPALIVE_SECONDS
) -> Iterator[str]:
    """Server-Sent Events for the console: ``event: incident`` with the incident id
    and the event type only (the page then fetches what it shows through the
    permission-checked views), and a comment line as a keep-alive.

    The subscription is made when the stream is first read, before the first line is
    sent, so nothing published after that line is missed.
    """
    subscription = live.subscribe(LIVE_CHANNEL, timeout=keepalive)
    deadline = time.monotonic() + seconds
    try:
        yield f"retry: {STREAM_RETRY_MS}\n: connected\n\n"
        for payload in subscription:
            if payload is None:
                yield ": keep-alive\n\n"
            else:
                try:
                    event = json.loads(payload)
                    data = {"incident": str(event["incident"]), "type": str(event["type"])}
                except (ValueError, KeyError, TypeError):
                    continue
                yield f"event: incident\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
            if time.monotonic() >= deadline:
                break
    finally:
        subscription.close()


def _without_database(events: Iterator[str]) -> Iterator[str]:
    """``events``, after giving back this thread's database connection: the stream never
    queries, and an open console would otherwise hold a connection (PostgreSQL's are
    few) for the whole life of the stream, minutes after the tab is gone. Done on the
    first read, when every middleware has finished with the request."""
    if not connection.in_atomic_block:
        connection.close()
    yield from events


class _Slot(Iterator[str]):
    """The stream's events, holding one of the process's stream slots until the server
    closes the response (read to the end, or the client gone, or never read at all)."""

    def __init__(self, events: Iterator[str], release: Callable[[], None]) -> None:
        self._events, self._release = events, release

    def __next__(self) -> str:
        return next(self._events)

    def close(self) -> None:
        try:
            close = getattr(self._events, "close", None)
            if close is not None:
                close()
        finally:
            self._release()


@require_safe
@dispatcher_required
def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        release = live.claim_stream()
    except live.Busy:
        # Every slot of this process is taken: the browser tries again shortly
        # (console.js), most likely reaching another process.
        busy = HttpResponse(
            _("Too many live consoles on this server right now; retrying."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        busy["Retry-After"] = str(STREAM_BUSY_RETRY_SECONDS)
        return busy
    # A compressed event stream can sit in a buffer until a block fills; never gzip it.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    response = StreamingHttpResponse(
        _Slot(_without_database(event_stream()), release), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


# Incident page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    created_at: datetime
    text: str
    actor: str
    link: uuid.UUID | None


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def describe_event(event: IncidentEvent, names: dict[int, str]) -> TimelineEntry:
    """One timeline row in words (the row itself keeps only ids and codes); ``names``
    maps the user ids it may name to usernames (``queries.usernames_in``)."""
    data = event.data or {}
    kind = IncidentEvent.Type
    responder = names.get(data.get("responder", 0)) or _("a former responder")
    link = None
    text: str
    if event.type == kind.OPENED:
        link = _uuid(data["split_from"]) if data.get("split_from") else None
        text = _("Opened with a report moved out of") if link else _("Opened")
    elif event.type == kind.DISPATCHED:
        text = _("%(name)s dispatched") % {"name": responder}
    elif event.type == kind.ACKNOWLEDGED:
        text = _("%(name)s acknowledged and is on the way") % {"name": responder}
    elif event.type == kind.DECLINED:
        text = _("%(name)s declined") % {"name": responder}
    elif event.type == kind.EXPIRED:
        text = _("The request to %(name)s expired unacknowledged") % {"name": responder}
    elif event.type == kind.VERIFIED:
        outcome = str(Outcome(data.get("outcome", Outcome.UNCONFIRMED)).label)
        if data.get("correction"):
            text = _("Outcome corrected to %(outcome)s (was %(previous)s)") % {
                "outcome": outcome,
                "previous": (
                    str(IncidentStatus(data["previous"]).label)
                    if data.get("previous") in IncidentStatus.values
                    else ""
                ),
            }
        else:
            text = _("Outcome: %(outcome)s") % {"outcome": outcome}
    elif event.type == kind.MERGED and data.get("into"):
        link = _uuid(data["into"])
        count = data.get("reports", 0)
        text = ngettext(
            "Merged (%(count)s report) into", "Merged (%(count)s reports) into", count
        ) % {"count": count}
    elif event.type == kind.MERGED:
        link = _uuid(data.get("source"))
        count = data.get("reports", 0)
        text = ngettext(
            "%(count)s report merged in from", "%(count)s reports merged in from", count
        ) % {"count": count}
    elif event.type == kind.SPLIT:
        link = _uuid(data.get("to"))
        text = _("A report was moved out to")
    elif event.type == kind.LABELLED:
        text = _("Public label set to “%(label)s”") % {"label": data.get("label", "")}
    elif event.type == kind.CLOSED:
        text = _("Closed after a quiet period") if data.get("reason") == "quiet" else _("Closed")
    elif event.type == kind.REOPENED:
        text = _("Reopened")
    elif event.type == kind.LOCATED and data.get("place"):
        text = _("Placed on the map at “%(place)s”") % {"place": data["place"]}
    elif event.type == kind.LOCATED:
        text = _("Placed on the map")
    else:
        text = str(event.get_type_display())
    if data.get("status") == IncidentStatus.NEW and event.type != kind.REOPENED:
        text = _("%(text)s; nobody is on the way, back to new") % {"text": text}
    actor = event.actor.username if event.actor else ""
    return TimelineEntry(created_at=event.created_at, text=text, actor=actor, link=link)


def _incident_context(incident: Incident, **extra: Any) -> dict[str, Any]:
    reports = list(queries.incident_reports(incident))
    events = list(queries.incident_timeline(incident))
    names = queries.usernames_in(events)
    points = [[r.lat, r.lng] for r in reports if r.lat is not None and r.lng is not None]
    return {
        "incident": incident,
        "reports": reports,
        "timeline": [describe_event(event, names) for event in events],
        "report_points_json": json.dumps(points),
        "dispatches": queries.incident_dispatches(incident),
        "verifications": queries.incident_verifications(incident),
        "nearby": queries.nearest_available_responders(incident),
        "panels": _panels(incident),
        "responders": queries.responder_choices(),
        "merge_candidates": queries.merge_candidates(incident),
        "outcomes": Outcome.choices,
        "is_closed": incident.status == IncidentStatus.CLOSED,
        "can_dispatch": incident.status in actions.VERIFIABLE,
        "tile_url": settings.VECINOS_TILE_URL,
        # Agencies by name, not code ("ICE", "Sheriff's department", not "ice").
        "agency_names": [
            str(Agency(code).label) for code in incident.agencies if code in Agency.values
        ],
        "agency_choices": Agency.choices,
        "map_center": settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (34.05, -118.25)),
        "map_zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 10),
        **extra,
    }


@require_safe
@dispatcher_required
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = get_incident_for_user(acting_user(request), incident_id)
    return render(request, "reports/incident.html", _incident_context(incident))


@require_safe
@dispatcher_required
def incident_live(request: HttpRequest, incident_id: str) -> HttpResponse:
    """The status summary and the timeline, for console.js to refresh live."""
    incident = get_incident_for_user(acting_user(request), incident_id)
    return render(request, "reports/incident.html#live", _incident_context(incident))


def _done(
    request: HttpRequest,
    incident: Incident,
    notice: str,
    *,
    error: bool = False,
    status: int = 200,
) -> HttpResponse:
    """After an action: the incident's partial for htmx, else a redirect and a message."""
    return after_action(
        request,
        notice,
        error=error,
        partial=lambda: render(
            request,
            "reports/incident.html#incident",
            _incident_context(
                Incident.objects.get(pk=incident.pk), notice=notice, notice_is_error=error
            ),
            status=status,
        ),
        back=reverse("console_incident", args=[incident.pk]),
    )


def _refused(
    request: HttpRequest, incident: Incident, refusal: actions.ActionRefused
) -> HttpResponse:
    """A refused action: the reason on the incident's page. Bad input (control
    characters, a number that is none, ...) answers 400 with the page itself, as the
    API answers 4xx; a refusal of the incident's state is a message after a redirect."""
    if isinstance(refusal, actions.InvalidInput):
        fresh = Incident.objects.get(pk=incident.pk)
        template = "reports/incident.html"
        if request.htmx:  # type: ignore[attr-defined]
            template += "#incident"
        context = _incident_context(fresh, notice=str(refusal.message), notice_is_error=True)
        return render(request, template, context, status=400)
    return _done(request, incident, str(refusal.message), error=True)


def _act(
    request: HttpRequest, incident: Incident, do: Callable[[], object], notice: str
) -> HttpResponse:
    """Run ``do()`` on the incident: a refusal answers through ``_refused``, else the
    incident with ``notice``."""
    try:
        do()
    except actions.ActionRefused as refusal:
        return _refused(request, incident, refusal)
    return _done(request, incident, notice)


@require_POST
@dispatcher_required
def incident_dispatch(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    try:
        people = actions.responders_named(request.POST.getlist("responders"))
        sent = actions.dispatch_responders(incident=incident, responders=people, actor=user)
    except actions.ActionRefused as refusal:
        return _refused(request, incident, refusal)
    if sent:
        notice = _("Dispatched: %(names)s") % {
            "names": ", ".join(d.responder.username for d in sent)
        }
    else:
        notice = _("Those responders were already dispatched.")
    return _done(request, incident, notice)


@require_POST
@dispatcher_required
def incident_verify(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    counts = _("Counts must be whole numbers.")
    return _act(
        request,
        incident,
        lambda: actions.verify_incident(
            incident=incident,
            outcome=request.POST.get("outcome", ""),
            notes=request.POST.get("notes", ""),
            vehicles=optional_int(request.POST.get("vehicles"), counts),
            officers=optional_int(request.POST.get("officers"), counts),
            actor=user,
        ),
        _("Outcome recorded."),
    )


@require_POST
@dispatcher_required
def incident_merge(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    target_id = (request.POST.get("into_id") or request.POST.get("into") or "").strip()
    try:
        if not target_id:
            raise actions.InvalidInput(_("Choose the incident to merge this one into."))
        try:
            into = get_incident_for_user(user, target_id, write=True)
        except Http404:
            # The 8 characters shown everywhere are enough when only one id starts so.
            found = queries.incidents_by_short_id(user, target_id)
            if len(found) == 2:
                raise actions.InvalidInput(
                    _("More than one incident's id starts with %(id)s: give more of it.")
                    % {"id": target_id[:40]}
                ) from None
            if not found:
                raise actions.InvalidInput(
                    _("There is no incident with the id %(id)s.") % {"id": target_id[:40]}
                ) from None
            into = found[0]
        into = actions.merge_incidents(source=incident, into=into, actor=user)
    except actions.ActionRefused as refusal:
        return _refused(request, incident, refusal)
    notice = _("Merged into this incident.")
    if request.htmx:  # type: ignore[attr-defined]
        messages.success(request, notice)
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("console_incident", args=[into.pk])
        return response
    return _done(request, into, notice)


@require_POST
@dispatcher_required
def report_split(request: HttpRequest, report_id: str) -> HttpResponse:
    user = acting_user(request)
    report = get_report_for_user(user, report_id)
    incident = report.incident
    try:
        new = actions.split_report(report=report, actor=user)
    except actions.ActionRefused as refusal:
        return _refused(request, incident, refusal)
    notice = _("The report was moved to a new incident, %(id)s.") % {"id": new.pk.hex[:8]}
    return _done(request, incident, notice)


@require_POST
@dispatcher_required
def incident_label(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    return _act(
        request,
        incident,
        lambda: actions.set_public_label(
            incident=incident, label=request.POST.get("public_label", ""), actor=user
        ),
        _("Public label saved."),
    )


POINT_RE = re.compile(r"^\s*(-?\d{1,3}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")


def _parse_point(text: str) -> tuple[float, float] | None:
    """ "34.0472, -118.2193" (as maps apps copy it; also with ; or a space between)."""
    found = POINT_RE.match(text or "")
    if not found:
        return None
    return float(found.group(1).replace(",", ".")), float(found.group(2).replace(",", "."))


@require_POST
@dispatcher_required
def incident_locate(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    point = _parse_point(request.POST.get("point", ""))
    if point is None:
        messages.error(
            request,
            _(
                "Write the latitude and longitude as a maps app copies them, "
                "e.g. 34.04720, -118.21930, or tap the place on the map."
            ),
        )
        return HttpResponseRedirect(reverse("console_incident", args=[incident.pk]))
    return _locate(request, incident, point, _("The incident is on the map."), actor=user)


def _locate(
    request: HttpRequest,
    incident: Incident,
    point: tuple[float, float],
    done: str,
    *,
    actor: User,
    place: str = "",
) -> HttpResponse:
    """Put the incident at ``point`` (named ``place``, if known), then back to its page
    with ``done`` or the refusal."""
    try:
        actions.locate_incident(
            incident=incident, lat=point[0], lng=point[1], actor=actor, place=place
        )
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("console_incident", args=[incident.pk]))


def _place_page(
    request: HttpRequest,
    incident: Incident,
    *,
    query: str,
    error: str = "",
    choices: list[places.KnownPlace] | None = None,
) -> HttpResponse:
    """The incident's page again, its place form holding what was typed and either
    the problem (400) or the places to choose from (200)."""
    context = _incident_context(
        incident, place_query=query, place_error=error, place_choices=choices or []
    )
    return render(request, "reports/incident.html", context, status=400 if error else 200)


@require_POST
@dispatcher_required
def incident_place(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Locate an incident at a known place (vecinos/reports/places.py): a ZIP code, an
    earlier incident's public label or a committee area, typed as text (and resolved
    here, so it works without JavaScript) or picked from the list of several."""
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    typed = request.POST.get("place", "")
    key = request.POST.get("choice", "")
    if key:
        found = places.by_key(key)
        if found is None:
            return _place_page(
                request,
                incident,
                query="",
                error=_("That place is no longer known. Type the place again."),
            )
        chosen = [found]
    else:
        try:
            chosen = places.pick(typed, exclude=incident)
        except places.PlaceQueryError as problem:
            return _place_page(request, incident, query="", error=problem.message)
        query = places.clean_query(typed)
        if len(query) < places.MIN_QUERY:
            return _place_page(
                request,
                incident,
                query=query,
                error=_("Type at least two characters of a place, or a ZIP code."),
            )
        if not chosen:
            return _place_page(
                request,
                incident,
                query=query,
                error=_(
                    "No known place matches “%(query)s”. Try a ZIP code, a place named "
                    "on an earlier incident or a committee area, or place it on the map."
                )
                % {"query": query},
            )
        if len(chosen) > 1:
            return _place_page(request, incident, query=query, choices=chosen)
    place = chosen[0]
    return _locate(
        request,
        incident,
        (place.lat, place.lng),
        _("The incident is on the map at %(place)s.") % {"place": place.label},
        actor=user,
        place=place.name,
    )


@require_safe
@dispatcher_required
def place_suggestions(request: HttpRequest) -> JsonResponse:
    """Known places matching ``q``, for the place field's suggestions while typing."""
    try:
        found = places.search(request.GET.get("q", ""))
    except places.PlaceQueryError as problem:
        return JsonResponse({"error": problem.message}, status=400)
    return JsonResponse({"places": [{"label": p.label, "kind": p.kind} for p in found]})


@require_POST
@dispatcher_required
def incident_close(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    if request.POST.get("confirm") != "1":
        # One click must not end an incident: the form asks to tick a box first.
        return _done(
            request, incident, _("Tick “Yes, close it” to close the incident."), error=True
        )
    return _act(
        request,
        incident,
        lambda: actions.close_incident(incident=incident, actor=user),
        _("Incident closed."),
    )


@require_POST
@dispatcher_required
def incident_reopen(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = acting_user(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    return _act(
        request,
        incident,
        lambda: actions.reopen_incident(incident=incident, actor=user),
        _("Incident reopened."),
    )


# Photos ---------------------------------------------------------------------------------------


@require_safe
@login_required
def report_photo(request: HttpRequest, report_id: str) -> FileResponse:
    """A report's photo, for the staff who may see its incident (dispatchers, and the
    responders sent to it). Never cached, never served from a public URL."""
    report = get_report_for_user(acting_user(request), report_id)
    if not report.photo:
        raise Http404
    try:
        handle = report.photo.open("rb")
    except OSError:
        raise Http404 from None
    content_type = mimetypes.guess_type(report.photo.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = "inline"
    return response
