"""The console's "reply to reporter" form: a dispatcher answers someone who reported
by SMS. The page never holds the number; the form names the report, and the number
is decrypted only in the task that sends the message.

Include the form on the console's incident page, once per report, with
``{% include "delivery/reply_form.html" with report=report %}`` (it renders nothing
for a report that did not come by SMS or whose text has been purged).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vecinos.accounts.access import Forbidden, require_role
from vecinos.accounts.models import Role, User
from vecinos.core.views import bad_input
from vecinos.delivery import reporters
from vecinos.reports.queries import get_report_for_user


@require_POST
@login_required
def reply(request: HttpRequest, report_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        require_role(user, Role.DISPATCHER)
    except Forbidden:
        raise PermissionDenied from None
    report = get_report_for_user(user, report_id)
    text = request.POST.get("text", "")
    try:
        reporters.reply_to_reporter(report=report, text=text, actor=user)
    except ValidationError as error:
        problem = " ".join(str(m) for m in error.messages)
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request,
                "delivery/reply_form.html",
                {"report": report, "reply_error": problem, "reply_text": text[:400]},
                status=422,
            )
        if "text" in getattr(error, "error_dict", {}):  # the text itself: bad input
            back = reverse("console_incident", args=[report.incident_id])
            return bad_input(request, problem, back, status=422)
        messages.error(request, problem)
    else:
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "delivery/reply_form.html", {"report": report, "replied": True})
        messages.success(request, _("Reply sent by SMS."))
    return HttpResponseRedirect(reverse("console_incident", args=[report.incident_id]))
