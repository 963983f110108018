"""Committee pages. Each view parses, authorises through ``queries`` (404 outside
reach), calls one action and renders. Plain forms and redirects: no JavaScript needed."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vecinos.accounts.access import Forbidden, acting_user
from vecinos.accounts.actions import AccountError, deactivate_user
from vecinos.accounts.models import User
from vecinos.committees import actions, forms, queries
from vecinos.committees.models import Committee, Membership, MembershipRole, Task
from vecinos.core import areas, geo
from vecinos.core.views import apply_errors, over_rate

MAX_FORM_BYTES = 96 * 1024
LIST_LIMIT = 200
MAP_CELLS = 400


def _limited(request: HttpRequest) -> HttpResponse | None:
    from django.conf import settings

    return over_rate(
        request, "committee-join", settings.VECINOS_JOIN_RATE, "committees/rate_limited.html"
    )


def _saved(
    request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], HttpResponse]
) -> HttpResponse | None:
    """A posted, valid ``form``'s data to ``save``, which answers (a redirect); a
    refusal (ValidationError) becomes the form's errors. None: show the form again,
    with 400 after a post."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _act(request: HttpRequest, do: Callable[[], object], done: str, back: str) -> HttpResponse:
    """Run ``do()``: ``done``, or the reason it was refused (a role that may not is a
    403), as a message; then back to the page ``back``."""
    try:
        do()
    except Forbidden:
        raise PermissionDenied from None
    except actions.InvalidState as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(back)


def _interface_language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in ("en", "es") else "en"


# Public ------------------------------------------------------------------------------------
@require_safe
def committee_list(request: HttpRequest) -> HttpResponse:
    form = forms.ZipSearchForm(request.GET or None)
    cells = None
    problem = ""
    zip_code = ""
    if form.is_valid() and form.cleaned_data["zip"]:
        zip_code = form.cleaned_data["zip"]
        try:
            cells = areas.zip_area(zip_code).cells
        except areas.AreaError as error:
            problem = error.message
    status = 400 if (request.GET and not form.is_valid()) or problem else 200
    committees = [] if problem else list(queries.public_committees(cells=cells)[:LIST_LIMIT])
    return render(
        request,
        "committees/list.html",
        {"form": form, "committees": committees, "zip_code": zip_code, "problem": problem},
        status=status,
    )


@require_safe
def committee_public(request: HttpRequest, slug: str) -> HttpResponse:
    committee = queries.get_committee(slug)
    user = acting_user(request)
    membership = queries.membership_of(user, committee) if user.is_authenticated else None
    return render(
        request,
        "committees/public.html",
        {
            "committee": committee,
            "membership": membership,
            "can_coordinate": queries.can_coordinate(user, committee),
        },
    )


def _join_with[T](form: Any, user: Any, do: Callable[..., T]) -> T | None:
    """``do(alias=, channel=, contact=, language=, user=)`` with what a valid ``form``
    says of the person joining; a refusal becomes the form's errors (None)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return do(
            alias=data["alias"],
            channel=data["channel"],
            contact=data["contact"],
            language=data["language"],
            user=user if user.is_authenticated else None,
        )
    except ValidationError as error:
        apply_errors(form, error)
    except actions.InvalidState as error:
        form.add_error(None, str(error))
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    committee = queries.get_committee(slug)
    user = acting_user(request)
    form = forms.JoinForm(request.POST or None, initial={"language": _interface_language()})
    if request.method == "POST":
        if limited := _limited(request):
            return limited
        asked = _join_with(
            form,
            user,
            lambda **joiner: actions.request_to_join(
                committee=committee, why=form.cleaned_data["why"], **joiner
            ),
        )
        if asked is not None:
            return render(request, "committees/join_sent.html", {"committee": committee})
        return render(
            request, "committees/join.html", {"committee": committee, "form": form}, status=400
        )
    return render(request, "committees/join.html", {"committee": committee, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def redeem(request: HttpRequest) -> HttpResponse:
    """Join with an invite code (the link carries it as ?code=)."""
    user = acting_user(request)
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()[:40]
    invite = actions.find_invite(code) if code else None
    form = forms.InviteJoinForm(
        request.POST or None, initial={"code": code, "language": _interface_language()}
    )
    if request.method == "POST":
        if limited := _limited(request):
            return limited
        membership = _join_with(
            form,
            user,
            lambda **joiner: actions.redeem_invite(code=form.cleaned_data["code"], **joiner),
        )
        if membership is not None:
            return render(
                request,
                "committees/join_sent.html",
                {"committee": membership.committee, "joined": True},
            )
        return render(
            request, "committees/redeem.html", {"form": form, "invite": invite}, status=400
        )
    return render(request, "committees/redeem.html", {"form": form, "invite": invite, "code": code})


def _welcome_user(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not user.is_active or not default_token_generator.check_token(user, token):
        return None
    return user


@require_http_methods(["GET", "HEAD", "POST"])
def welcome(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time link: a new member sets their password, is signed in, and lands on
    their committees."""
    user = _welcome_user(uidb64, token)
    if user is None:
        return render(request, "committees/welcome_invalid.html", status=404)
    form = forms.SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password1"]
        if password != form.cleaned_data["password2"]:
            form.add_error("password2", _("The two passwords differ."))
        else:
            try:
                validate_password(password, user)
            except ValidationError as error:
                form.add_error("password1", error)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your password is set. Welcome!"))
                return HttpResponseRedirect(reverse("committees:home"))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "committees/welcome.html", {"form": form, "account": user}, status=status
    )


# Members -----------------------------------------------------------------------------------
@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    memberships = list(queries.memberships_of_user(user))
    return render(request, "committees/home.html", {"memberships": memberships})


def _member_context(
    request: HttpRequest, slug: str
) -> tuple[User, Committee, Membership | None, bool]:
    user = acting_user(request)
    committee = queries.get_committee_for_user(user, slug)
    membership = queries.membership_of(user, committee)
    return user, committee, membership, queries.can_coordinate(user, committee)


def _shown(announcements: Any, membership: Membership | None) -> list[Any]:
    """Each announcement with ``shown``: its text in the reader's language."""
    language = membership.language if membership else _interface_language()
    chosen = list(announcements)
    for announcement in chosen:
        announcement.shown = announcement.text_for(language)
    return chosen


@login_required
@require_safe
def committee_home(request: HttpRequest, slug: str) -> HttpResponse:
    _user, committee, membership, coordinator = _member_context(request, slug)
    return render(
        request,
        "committees/committee.html",
        {
            "committee": committee,
            "membership": membership,
            "can_coordinate": coordinator,
            "directory": list(queries.member_directory(committee)[:LIST_LIMIT]),
            "announcements": _shown(queries.announcements_of(committee)[:3], membership),
            "tasks": list(
                queries.tasks_of(committee).exclude(status=Task.Status.DONE)[:LIST_LIMIT]
            ),
            "to_vouch": list(queries.pending_requests(committee)[:LIST_LIMIT])
            if committee.requires_vouch and membership is not None
            else [],
        },
    )


@login_required
@require_safe
def announcement_archive(request: HttpRequest, slug: str) -> HttpResponse:
    _user, committee, membership, coordinator = _member_context(request, slug)
    return render(
        request,
        "committees/announcements.html",
        {
            "committee": committee,
            "can_coordinate": coordinator,
            "announcements": _shown(queries.announcements_of(committee)[:LIST_LIMIT], membership),
        },
    )


def _task_form(committee: Committee, data: Any = None) -> forms.TaskForm:
    members = [
        (m.user_id, m.alias or str(m.pk))
        for m in queries.member_directory(committee).only("user_id", "alias")
    ]
    return forms.TaskForm(data, members=members)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_list(request: HttpRequest, slug: str) -> HttpResponse:
    user, committee, _membership, coordinator = _member_context(request, slug)
    form = _task_form(committee, request.POST or None) if coordinator else None
    if request.method == "POST" and form is None:
        raise Http404

    def save(data: dict[str, Any]) -> HttpResponse:
        assignee = User.objects.filter(pk=data["assignee"]).first() if data["assignee"] else None
        actions.create_task(
            committee=committee,
            title=data["title"],
            notes=data["notes"],
            assignee=assignee,
            due_on=data["due_on"],
            actor=user,
        )
        return HttpResponseRedirect(reverse("committees:tasks", kwargs={"slug": slug}))

    if (done := _saved(request, form, save)) is not None:
        return done
    aliases = queries.member_aliases(committee)
    tasks = list(queries.tasks_of(committee)[:LIST_LIMIT])
    for task in tasks:
        task.assignee_alias = aliases.get(task.assignee_id or 0, "")  # type: ignore[attr-defined]
    return render(
        request,
        "committees/tasks.html",
        {
            "committee": committee,
            "can_coordinate": coordinator,
            "tasks": tasks,
            "form": form,
            "status_choices": Task.Status.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def task_update(request: HttpRequest, slug: str, task_id: int) -> HttpResponse:
    user, committee, _membership, _coordinator = _member_context(request, slug)
    task = queries.get_task_for_user(user, committee, task_id)
    form = forms.TaskStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            _("Choose a status."), status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        actions.update_task(task=task, status=form.cleaned_data["status"], actor=user)
    except Forbidden:
        raise PermissionDenied from None
    return HttpResponseRedirect(reverse("committees:tasks", kwargs={"slug": slug}))


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    user, committee, membership, _coordinator = _member_context(request, slug)
    if membership is None:
        raise Http404
    try:
        actions.leave_committee(membership=membership, actor=user)
    except actions.InvalidState as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("committees:committee", kwargs={"slug": slug}))
    messages.success(request, _("You left %(committee)s.") % {"committee": committee.name})
    return HttpResponseRedirect(reverse("committees:home"))


@login_required
@require_POST
def vouch(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    user, committee, membership, _coordinator = _member_context(request, slug)
    if membership is None:
        raise Http404
    join_request = queries.get_join_request_for_user(user, committee, request_id)
    return _act(
        request,
        lambda: actions.vouch_for_request(join_request=join_request, actor=user),
        _("Thank you: the coordinators will see that you vouched."),
        reverse("committees:committee", kwargs={"slug": slug}),
    )


# Coordinators ------------------------------------------------------------------------------
def _coordinated(request: HttpRequest, slug: str) -> tuple[User, Committee]:
    user = acting_user(request)
    return user, queries.get_committee_for_user(user, slug, write=True)


@login_required
@require_safe
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    members = list(queries.memberships_of_committee(committee)[: LIST_LIMIT * 5])
    return render(
        request,
        "committees/members.html",
        {"committee": committee, "members": members, "role_form": forms.RoleForm(), "me": user},
    )


@login_required
@require_POST
def member_contact(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    membership = queries.get_membership_for_user(user, committee, membership_id, write=True)
    contact = actions.reveal_contact(membership=membership, actor=user)
    return render(
        request,
        "committees/member_contact.html",
        {"committee": committee, "member": membership, "contact": contact},
    )


@login_required
@require_POST
def member_export(request: HttpRequest, slug: str) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    body = actions.export_contacts(committee=committee, actor=user)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{committee.slug}-members.csv"'
    return response


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    membership = queries.get_membership_for_user(user, committee, membership_id, write=True)
    form = forms.RoleForm(request.POST)
    back = reverse("committees:members", kwargs={"slug": slug})
    if not form.is_valid():
        messages.error(request, _("Choose member or coordinator."))
        return HttpResponseRedirect(back)
    return _act(
        request,
        lambda: actions.change_role(
            membership=membership, role=form.cleaned_data["role"], actor=user
        ),
        _("The role was changed."),
        back,
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    membership = queries.get_membership_for_user(user, committee, membership_id, write=True)
    return _act(
        request,
        lambda: actions.remove_member(membership=membership, actor=user),
        _("The member was removed."),
        reverse("committees:members", kwargs={"slug": slug}),
    )


@login_required
@require_safe
def request_list(request: HttpRequest, slug: str) -> HttpResponse:
    _user, committee = _coordinated(request, slug)
    return render(
        request,
        "committees/requests.html",
        {
            "committee": committee,
            "requests": list(queries.pending_requests(committee)[:LIST_LIMIT]),
        },
    )


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, request_id: int, decision: str) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    join_request = queries.get_join_request_for_user(user, committee, request_id)
    try:
        if decision == "approve":
            membership = actions.approve_request(join_request=join_request, actor=user)
            messages.success(
                request,
                _("%(alias)s is a member now; a link to set a password is on its way to them.")
                % {"alias": membership.alias},
            )
        else:
            actions.decline_request(join_request=join_request, actor=user)
            messages.success(request, _("The request was declined."))
    except actions.InvalidState as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(reverse("committees:requests", kwargs={"slug": slug}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invite_list(request: HttpRequest, slug: str) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    form = forms.InviteForm(request.POST or None)
    new_link = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            _invite, code = actions.create_invite(
                committee=committee,
                actor=user,
                max_uses=data["max_uses"],
                days=data["days"],
                label=data["label"],
            )
            new_link = request.build_absolute_uri(reverse("committees:redeem") + "?code=" + code)
            form = forms.InviteForm()
        else:
            status = 400
    return render(
        request,
        "committees/invites.html",
        {
            "committee": committee,
            "form": form,
            "invites": list(queries.invites_of(committee)[:LIST_LIMIT]),
            "new_link": new_link,
        },
        status=status,
    )


@login_required
@require_POST
def invite_revoke(request: HttpRequest, slug: str, invite_id: int) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    invite = queries.get_invite_for_user(user, committee, invite_id)
    actions.revoke_invite(invite=invite, actor=user)
    messages.success(request, _("The invite was revoked."))
    return HttpResponseRedirect(reverse("committees:invites", kwargs={"slug": slug}))


def _area_map(committee: Committee | None) -> dict[str, Any]:
    """What the area picker draws: the committee's cells (at most MAP_CELLS of them),
    where to start, and tiles only when this site serves them."""
    from django.conf import settings

    tile_url = settings.VECINOS_TILE_URL
    own = tile_url.startswith("/") or tile_url.startswith(settings.VECINOS_PUBLIC_ORIGIN + "/")
    leaflet = getattr(settings, "LEAFLET_CONFIG", {})
    tiles = leaflet.get("TILES") or [("", tile_url, {})]
    cells = list(committee.area_cells or [])[:MAP_CELLS] if committee else []
    return {
        "center": list(leaflet.get("DEFAULT_CENTER", (34.05, -118.25))),
        "zoom": 12,
        "tileUrl": tile_url if own else "",
        "attribution": tiles[0][2].get("attribution", "") if own else "",
        "cells": [[list(point) for point in geo.cell_boundary(int(cell))] for cell in cells],
        "cellUrl": reverse("committees:area_cell"),
    }


@login_required
@require_safe
def area_cell(request: HttpRequest) -> HttpResponse:
    """The area picker's geometry (the browser has no H3): the cell at ``lat``/``lng``
    (resolution ``geo.RESOLUTION``, in hex as the cells field takes it) and its
    boundary as [lat, lng] points. For those who draw areas: coordinators and admins."""
    user = acting_user(request)
    if (
        not user.is_admin
        and not queries.committees_with_role(user, MembershipRole.COORDINATOR).exists()
    ):
        raise PermissionDenied
    point: list[float] = []
    for name, limit in (("lat", 90), ("lng", 180)):
        try:
            value = float(request.GET.get(name, ""))
        except ValueError:
            value = math.nan
        if not -limit <= value <= limit:  # also NaN and infinities
            message = _("%(name)s must be a number from %(low)s to %(high)s.") % {
                "name": name,
                "low": -limit,
                "high": limit,
            }
            return JsonResponse({"error": message}, status=400)
        point.append(value)
    cell = geo.cell_for(point[0], point[1])
    return JsonResponse(
        {
            "cell": format(cell, "x"),
            "boundary": [[round(a, 6), round(b, 6)] for a, b in geo.cell_boundary(cell)],
        }
    )


def _area_input(data: dict[str, Any]) -> actions.AreaInput | None:
    zips = [z for z in re.split(r"[\s,;]+", data.get("zip_codes") or "") if z]
    cells = [c for c in re.split(r"[\s,;]+", data.get("cells") or "") if c]
    point = [data.get("lat"), data.get("lng"), data.get("radius_km")]
    if not zips and not cells and all(v is None for v in point):
        return None
    if any(v is not None for v in point):
        return actions.AreaInput(
            zip_codes=zips, cells=cells, lat=point[0], lng=point[1], radius_km=point[2]
        )
    return actions.AreaInput(zip_codes=zips, cells=cells)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    initial = {
        "name": committee.name,
        "description": committee.description,
        "meets": committee.meets,
        "how_to_join": committee.how_to_join,
        "hotline": committee.hotline,
        "languages": committee.languages or ["en"],
        "requires_vouch": committee.requires_vouch,
        "zip_codes": " ".join(committee.zip_codes or []),
    }
    form = forms.CommitteeForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        actions.update_committee(
            committee=committee,
            actor=user,
            languages=data["languages"],
            area=_area_input(data),
            **{field: data[field] for field in actions.EDITABLE},
        )
        messages.success(request, _("The committee was saved."))
        return HttpResponseRedirect(reverse("committees:edit", kwargs={"slug": committee.slug}))

    if (done := _saved(request, form, save)) is not None:
        return done
    return render(
        request,
        "committees/edit.html",
        {
            "committee": committee,
            "form": form,
            "coordinator_form": forms.CoordinatorForm() if user.is_admin else None,
            "area_map": _area_map(committee),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def announce(request: HttpRequest, slug: str) -> HttpResponse:
    user, committee = _coordinated(request, slug)
    form = forms.AnnouncementForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        announcement = actions.send_announcement(
            committee=committee, texts=form.texts(), actor=user
        )
        messages.success(
            request,
            _("The announcement is on its way to %(count)s members.")
            % {"count": announcement.recipients},
        )
        return HttpResponseRedirect(reverse("committees:announcements", kwargs={"slug": slug}))

    if (done := _saved(request, form, save)) is not None:
        return done
    return render(
        request,
        "committees/announce.html",
        {"committee": committee, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def contact_audit(request: HttpRequest, slug: str) -> HttpResponse:
    _user, committee = _coordinated(request, slug)
    return render(
        request,
        "committees/audit.html",
        {"committee": committee, "rows": list(queries.contact_audit_of(committee)[:LIST_LIMIT])},
    )


# Admins ------------------------------------------------------------------------------------
def _require_admin(request: HttpRequest) -> User:
    user = acting_user(request)
    if not user.is_admin:
        raise PermissionDenied
    return user


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = _require_admin(request)
    form = forms.CreateCommitteeForm(request.POST or None, initial={"languages": ["en", "es"]})

    def save(data: dict[str, Any]) -> HttpResponse:
        coordinator = None
        if data["coordinator"]:
            coordinator = User.objects.filter(username=data["coordinator"], is_active=True).first()
            if coordinator is None:
                raise ValidationError({"coordinator": _("No active account has this username.")})
        # All or nothing: a refusal half-way must not leave a half-made committee.
        with transaction.atomic():
            committee = actions.create_committee(
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                languages=data["languages"],
                area=_area_input(data),
                actor=user,
            )
            actions.update_committee(
                committee=committee,
                actor=user,
                meets=data["meets"],
                how_to_join=data["how_to_join"],
                hotline=data["hotline"],
                requires_vouch=data["requires_vouch"],
            )
            if coordinator is not None:
                actions.name_coordinator(committee=committee, user=coordinator, actor=user)
        messages.success(request, _("The committee was created."))
        return HttpResponseRedirect(reverse("committees:edit", kwargs={"slug": committee.slug}))

    if (done := _saved(request, form, save)) is not None:
        return done
    return render(
        request,
        "committees/create.html",
        {"form": form, "area_map": _area_map(None)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def add_coordinator(request: HttpRequest, slug: str) -> HttpResponse:
    user = _require_admin(request)
    committee = queries.get_committee(slug)
    form = forms.CoordinatorForm(request.POST)
    target = None
    if form.is_valid():
        target = User.objects.filter(username=form.cleaned_data["username"], is_active=True).first()
    if target is None:
        messages.error(request, _("No active account has this username."))
    else:
        actions.name_coordinator(committee=committee, user=target, actor=user)
        messages.success(
            request,
            _("%(username)s coordinates this committee now.") % {"username": target.username},
        )
    return HttpResponseRedirect(reverse("committees:edit", kwargs={"slug": slug}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def deactivate(request: HttpRequest) -> HttpResponse:
    """An admin stops any account at once (sign-in and API tokens)."""
    user = _require_admin(request)
    form = forms.DeactivateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            target = User.objects.filter(username=form.cleaned_data["username"]).first()
            if target is None:
                form.add_error("username", _("No account has this username."))
            else:
                try:
                    changed = deactivate_user(user=target, actor=user)
                except AccountError as error:
                    form.add_error("username", str(error))
                else:
                    if changed:
                        messages.success(
                            request,
                            _("%(username)s can no longer sign in or use the API.")
                            % {"username": target.username},
                        )
                    else:
                        messages.info(
                            request,
                            _("%(username)s was already deactivated.")
                            % {"username": target.username},
                        )
                    return HttpResponseRedirect(reverse("committees:deactivate"))
    return render(request, "committees/deactivate.html", {"form": form}, status=status)
