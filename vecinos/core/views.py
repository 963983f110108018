from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from vecinos.core import ratelimit
from vecinos.core.errors import InvalidInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def bad_input(request: HttpRequest, problem: str, back: str, status: int = 400) -> HttpResponse:
    """The answer of a form posted without JavaScript whose input was refused (control
    characters, a number that is none): the problem, a link back, a 4xx; nothing
    stored."""
    return render(request, "core/bad_input.html", {"problem": problem, "back": back}, status=status)


def apply_errors(form: Any, error: ValidationError) -> None:
    """An action's ``ValidationError`` onto the form it was given: each problem under
    its field where the form has one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            target = field if field in form.fields else None
            for problem in problems:
                form.add_error(target, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


def optional_int(value: str | None, refusal: StrOrPromise) -> int | None:
    """A whole number typed into a form: None when left empty, else the number;
    anything else raises ``InvalidInput(refusal)``, which the calling view shows."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(refusal) from None


def over_rate(
    request: HttpRequest, scope: str, rate: tuple[int, int], template: str
) -> HttpResponse | None:
    """Count this request of the client against ``rate`` in ``scope``: None while
    allowed, else ``template`` with 429 and when to try again."""
    verdict = ratelimit.hit(scope, getattr(request, "client_key", ""), rate)
    if verdict.allowed:
        return None
    response = render(request, template, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def after_action(
    request: HttpRequest,
    notice: str,
    *,
    error: bool = False,
    partial: Callable[[], HttpResponse],
    back: str,
) -> HttpResponse:
    """The answer of a console action: htmx gets the fresh ``partial()`` (which shows
    ``notice`` itself); a plain form gets ``notice`` as a message and a redirect to
    ``back`` (post/redirect/get)."""
    if request.htmx:  # type: ignore[attr-defined]
        return partial()
    (messages.error if error else messages.success)(request, notice)
    return HttpResponseRedirect(back)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


FAVICON = Path(__file__).resolve().parent / "static" / "vecinos" / "favicon.ico"


@require_safe
def favicon(request: HttpRequest) -> FileResponse:
    """``/favicon.ico``: browsers ask for it at the root whatever the page says."""
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """The database and the task queue are reachable."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    try:
        from huey.contrib.djhuey import HUEY

        HUEY.pending_count()
        checks["queue"] = "ok"
    except Exception:
        checks["queue"] = "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )
