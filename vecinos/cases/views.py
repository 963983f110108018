"""The case pages. Each view parses, authorises (the getters of vecinos/cases/queries.py,
404 outside reach), calls one action and renders. Every page that shows a case writes
an audit row (``record_view``); the list shows no personal field.

The public "someone I know was detained" form (``detained``) needs no account, is
rate-limited like the report form, and shows only a confirmation afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vecinos.accounts.access import Forbidden, acting_user
from vecinos.cases import actions, export, forms, queries
from vecinos.cases.models import Case, CaseSource, CaseState
from vecinos.core.views import over_rate
from vecinos.reports.queries import get_incident_for_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Check = Callable[[Any], bool]


def _role(check: Check) -> Callable[..., Any]:
    """Signed in (else the sign-in page) and passing ``check`` (else 403)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(acting_user(request)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


def _put_errors(form: Any, refusal: actions.CaseRefused) -> None:
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)


# Public -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def detained(request: HttpRequest) -> HttpResponse:
    """ "Someone I know was detained": opens a case in the intake queue."""
    if request.method != "POST":
        return render(request, "cases/detained.html", {"form": forms.FactsForm()})
    form = forms.FactsForm(request.POST)
    if not form.is_valid():
        return render(request, "cases/detained.html", {"form": form}, status=400)
    limited = over_rate(
        request, "detained", settings.VECINOS_REPORT_RATE, "cases/detained_rate_limited.html"
    )
    if limited is not None:
        return limited
    try:
        actions.open_case(source=CaseSource.PUBLIC, facts=form.facts(), actor=None)
    except actions.CaseRefused as refusal:
        _put_errors(form, refusal)
        return render(request, "cases/detained.html", {"form": form}, status=400)
    # Post/redirect/get, and nothing of the case in the address: the confirmation
    # page is the same for every request.
    return HttpResponseRedirect(reverse("cases:detained_thanks"), status=303)


@require_safe
def detained_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/detained_thanks.html")


# Lists ------------------------------------------------------------------------------------


@require_safe
@_role(queries.may_work_cases)
def case_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    mine = queries.cases_visible_to(user).exclude(state=CaseState.CLOSED)
    closed = queries.cases_visible_to(user).filter(state=CaseState.CLOSED)
    return render(
        request,
        "cases/list.html",
        {
            "mine": queries.case_rows(mine),
            "queue": queries.case_rows(queries.unassigned_cases_for(user), viewer=user),
            "closed": queries.case_rows(closed),
        },
    )


@require_safe
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/tasks.html", {"tasks": queries.my_tasks(acting_user(request))})


@require_safe
@_role(queries.may_open_cases)
def facility_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/facilities.html", {"facilities": queries.facilities()})


@require_safe
@_role(queries.may_see_statistics)
def statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/statistics.html", {"months": queries.statistics()})


# Opening ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@_role(queries.may_open_cases)
def case_new(request: HttpRequest) -> HttpResponse:
    """The hotline form, or a case from an incident (``?incident=<id>``)."""
    user = acting_user(request)
    incident = None
    incident_id = request.GET.get("incident") or request.POST.get("incident")
    if incident_id:
        incident = get_incident_for_user(user, incident_id)
    context: dict[str, Any] = {"incident": incident}
    if request.method != "POST":
        context["form"] = forms.StaffCaseForm()
        return render(request, "cases/new.html", context)
    form = forms.StaffCaseForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "cases/new.html", context, status=400)
    try:
        case = actions.open_case(
            source=CaseSource.INCIDENT if incident else CaseSource.HOTLINE,
            facts=form.facts(),
            actor=user,
            incident=incident,
        )
    except actions.CaseRefused as refusal:
        _put_errors(form, refusal)
        return render(request, "cases/new.html", context, status=400)
    except Forbidden:
        raise PermissionDenied from None
    if queries.cases_visible_to(user).filter(pk=case.pk).exists():
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]), status=303)
    messages.success(
        request,
        _("Case %(reference)s is open. The case workers take it from here.")
        % {"reference": case.reference},
    )
    return HttpResponseRedirect(reverse("cases:opened"), status=303)


@require_safe
@_role(queries.may_open_cases)
def case_opened(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/opened.html")


# One case ---------------------------------------------------------------------------------


def _forms(case: Case) -> dict[str, Any]:
    return {
        "state_form": forms.StateForm(initial={"state": case.state}),
        "note_form": forms.NoteForm(),
        "task_form": forms.TaskForm(),
        "assign_form": forms.AssignForm(),
        "locator_form": forms.LocatorForm(initial={"facility": case.facility_id}),
        "referral_form": forms.ReferralForm(),
        "hearing_form": forms.HearingForm(),
        "update_form": forms.FamilyUpdateForm(),
        "answer_form": forms.ReferralAnswerForm(),
    }


def _case_page(
    request: HttpRequest, case: Case, *, status: int = 200, **override: Any
) -> HttpResponse:
    user = acting_user(request)
    actions.record_view(case=case, actor=user)
    context = {
        "case": case,
        "timeline": queries.timeline(case),
        "audit": queries.audit(case),
        "assignments": list(case.assignments.select_related("user")),
        "tasks": list(case.tasks.select_related("assignee")),
        "checks": list(case.locator_checks.select_related("facility", "actor")),
        "referrals": list(case.referrals.all()),
        "hearings": list(case.hearings.all()),
        "may_assign": user.role in {"coordinator", "admin"},
        **_forms(case),
        **override,
    }
    return render(request, "cases/detail.html", context, status=status)


@require_safe
@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = queries.get_case_for_user(acting_user(request), case_id)
    return _case_page(request, case)


def _act(
    request: HttpRequest,
    case: Case,
    form_class: type[Any],
    form_name: str,
    do: Callable[[Any], Any],
    done: StrOrPromise,
) -> HttpResponse:
    """Parse ``form_class``, run ``do(cleaned_data)``; on a refusal, the case page again
    with the form's errors and a 4xx status."""
    form = form_class(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, **{form_name: form})
    try:
        do(form.cleaned_data)
    except Forbidden:
        raise PermissionDenied from None
    except actions.CaseRefused as refusal:
        _put_errors(form, refusal)
        return _case_page(request, case, status=refusal.status_code, **{form_name: form})
    messages.success(request, done)
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]), status=303)


def _case_for_post(request: HttpRequest, case_id: str) -> Case:
    return queries.get_case_for_user(acting_user(request), case_id, write=True)


def _case_form(
    form_class: type[Any], form_name: str, done: StrOrPromise
) -> Callable[[Callable[[Case, dict[str, Any], Any], Any]], Callable[..., HttpResponse]]:
    """A POST view on one case the user may write: ``do(case, cleaned_data, user)``
    through ``_act`` (the form's errors on the case page, or ``done`` and back to it)."""

    def decorate(
        do: Callable[[Case, dict[str, Any], Any], Any],
    ) -> Callable[..., HttpResponse]:
        @require_POST
        @login_required
        def view(request: HttpRequest, case_id: str) -> HttpResponse:
            user = acting_user(request)
            case = _case_for_post(request, case_id)
            return _act(
                request, case, form_class, form_name, lambda data: do(case, data, user), done
            )

        view.__name__ = do.__name__
        view.__doc__ = do.__doc__
        return view

    return decorate


FACT_FIELDS = forms.FACTS_FIELDS


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def case_facts(request: HttpRequest, case_id: str) -> HttpResponse:
    """Correct or complete the facts of a case (those on it)."""
    user = acting_user(request)
    case = queries.get_case_for_user(user, case_id, write=True)
    if request.method != "POST":
        actions.record_view(case=case, actor=user, what="facts")
        initial = {name: getattr(case, name) for name in FACT_FIELDS}
        initial["date_of_birth"] = case.date_of_birth or None
        initial["taken_at"] = timezone.localtime(case.taken_at) if case.taken_at else None
        form = forms.StaffCaseForm(initial=initial)
        return render(request, "cases/facts.html", {"case": case, "form": form})
    form = forms.StaffCaseForm(request.POST)
    if not form.is_valid():
        return render(request, "cases/facts.html", {"case": case, "form": form}, status=400)
    try:
        actions.update_facts(case=case, facts=form.facts(), actor=user)
    except actions.CaseRefused as refusal:
        _put_errors(form, refusal)
        return render(
            request, "cases/facts.html", {"case": case, "form": form}, status=refusal.status_code
        )
    messages.success(request, _("Facts saved."))
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]), status=303)


@require_POST
@login_required
def case_take(request: HttpRequest, case_id: str) -> HttpResponse:
    user = acting_user(request)
    case = queries.get_unassigned_case_for_user(user, case_id)
    try:
        actions.assign_case(case=case, worker=user, actor=user)
    except (Forbidden, actions.CaseRefused):
        raise PermissionDenied from None
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]), status=303)


@_case_form(forms.AssignForm, "assign_form", gettext_lazy("The case worker is on the case."))
def case_assign(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.assign_case(case=case, worker=data["worker"], actor=user)


@_case_form(forms.StateForm, "state_form", gettext_lazy("State changed."))
def case_state(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.change_state(case=case, state=data["state"], note=data["note"], actor=user)


@_case_form(forms.NoteForm, "note_form", gettext_lazy("Note added."))
def case_note(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.add_note(case=case, text=data["text"], actor=user)


@_case_form(forms.TaskForm, "task_form", gettext_lazy("Task added."))
def case_task(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.add_task(
        case=case,
        title=data["title"],
        assignee=data["assignee"],
        due_at=data["due_at"],
        actor=user,
    )


@require_POST
@login_required
def task_done(request: HttpRequest, task_id: str) -> HttpResponse:
    user = acting_user(request)
    task = queries.get_task_for_user(user, task_id)
    try:
        actions.complete_task(task=task, actor=user)
    except actions.CaseRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Task done."))
    if queries.cases_visible_to(user).filter(pk=task.case_id).exists():
        return HttpResponseRedirect(reverse("cases:detail", args=[task.case_id]), status=303)
    return HttpResponseRedirect(reverse("cases:tasks"), status=303)


@_case_form(forms.LocatorForm, "locator_form", gettext_lazy("Locator check recorded."))
def case_locator(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.record_locator_check(
        case=case,
        facility=data["facility"],
        result=data["result"],
        note=data["note"],
        actor=user,
    )


@_case_form(forms.ReferralForm, "referral_form", gettext_lazy("Referral recorded."))
def case_referral(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.refer_case(
        case=case,
        organization=data["organization"],
        directory_organization=data["directory_organization"],
        follow_up_hours=data["follow_up_hours"],
        actor=user,
    )


@require_POST
@login_required
def referral_answer(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = acting_user(request)
    referral = queries.get_referral_for_user(user, referral_id)
    return _act(
        request,
        referral.case,
        forms.ReferralAnswerForm,
        "answer_form",
        lambda data: actions.answer_referral(referral=referral, answer=data["answer"], actor=user),
        _("Answer recorded."),
    )


@_case_form(
    forms.HearingForm,
    "hearing_form",
    gettext_lazy("Hearing recorded. The family is reminded a week and a day before."),
)
def case_hearing(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.add_hearing(
        case=case, kind=data["kind"], at=data["at"], place=data["place"], actor=user
    )


@_case_form(
    forms.FamilyUpdateForm, "update_form", gettext_lazy("The update is on its way to the family.")
)
def case_update(case: Case, data: dict[str, Any], user: Any) -> None:
    actions.send_family_update(case=case, template=data["template"], note=data["note"], actor=user)


@require_safe
@login_required
def case_export(request: HttpRequest, case_id: str) -> HttpResponse:
    """The PDF for the lawyer; the download is audited."""
    user = acting_user(request)
    case = queries.get_case_for_user(user, case_id)
    actions.record_export(case=case, actor=user)
    response = HttpResponse(export.case_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-{case.reference}.pdf"'
    return response
