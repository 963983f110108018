"""API-wide error handling: whatever a client sends, the answer is a 4xx with a JSON
body, never a 500 (docs/architecture.md, principle 8).

Every error body has the same shape::

    {"detail": "what went wrong, in a sentence",
     "errors": [{"field": "lat", "message": "Input should be a finite number"}, ...]}

``errors`` names each offending field (``agencies.2`` for an item of a list, ``body``
for the body as a whole, ``Content-Type`` for the header); it is empty when no field
is to blame (a 404, a 403).

``StrictJSONParser`` reads request bodies for every operation with a body parameter:
the body must be ``application/json`` (UTF-8), at most ``MAX_BODY_BYTES``, valid
JSON without duplicate keys or absurd nesting, and without non-finite numbers (NaN,
Infinity, 1e309: refused with 422 naming their fields). django-ninja turns any
exception of a parser into ``HttpError(400, "Cannot parse request body")`` raised
``from`` the original; the HttpError handler below looks at that cause to answer
with the parser's own status (413, 415, 422) and fields.
"""

from __future__ import annotations

import json
import logging
import math
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from vecinos.accounts.access import Forbidden, acting_user, require_role
from vecinos.accounts.models import User
from vecinos.api.auth import challenge
from vecinos.core.request_size import declared_length

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32
JSON_TYPES = {"application/json"}


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


# The answers an operation may give besides its success, for the OpenAPI document:
# every staff operation (no or a bad token, a role that may not, nothing there or
# nothing for you, a state that forbids it, a value the rules refuse, too many
# requests), and one with a JSON body also 400 (malformed), 413 (too big) and 415 (not
# JSON). Public read operations only 429.
STAFF_ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
BODY_ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 413: ErrorOut, 415: ErrorOut}
PUBLIC_ERRORS: dict[int, type[ErrorOut]] = {429: ErrorOut}


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Refusal(Protocol):
    """What an action's refusal carries (core.errors.ActionRefused, cases' CaseRefused)."""

    @property
    def status_code(self) -> int: ...
    @property
    def message(self) -> StrOrPromise: ...
    @property
    def field(self) -> str: ...


def require_staff(request: HttpRequest, *roles: str) -> User:
    """The token's user, who must hold one of ``roles``; else 403."""
    user = acting_user(request)
    try:
        require_role(user, *roles)
    except Forbidden:
        raise HttpError(403, _("Your role may not do this.")) from None
    return user


def field_error(field: str, message: StrOrPromise, *, where: str = "body") -> NinjaValidationError:
    """A 422 that names one field: of the body, or of ``where`` (``"query"``)."""
    loc = ("body", "payload", field) if where == "body" else (where, field)
    return NinjaValidationError([{"loc": loc, "msg": message, "type": "value_error"}])


def refused(refusal: Refusal, *, field: str = "") -> Exception:
    """An action's refusal as the API answers it: a 422 names the field at fault (the
    refusal's own, else ``field``, else the body); anything else is its status and
    reason."""
    if refusal.status_code == 422:
        return field_error(refusal.field or field or "body", str(refusal.message))
    return HttpError(refusal.status_code, str(refusal.message))


class BodyError(Exception):
    """The request body cannot be read as the JSON the API takes."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str = "body",
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or [{"field": field, "message": message}]


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BodyError(
                400, _("The field %(field)s appears twice.") % {"field": key}, field=key
            )
        result[key] = value
    return result


def _check_values(data: Any) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` and non-finite numbers anywhere.

    Python's json module reads ``NaN``, ``Infinity`` and ``1e309`` as floats that
    pydantic's plain ``float`` would take; no field of this API wants one, so they
    are refused here, by path (``lat``, ``agencies.2``), for every endpoint at once.
    An explicit stack, not recursion: the body itself decides how deep it goes.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    bad: list[str] = []
    while stack:
        item, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise BodyError(400, _("The body is nested too deeply."))
        if isinstance(item, dict):
            stack.extend((child, (*path, str(key))) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((child, (*path, str(index))) for index, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            bad.append(".".join(path) or "body")
    if bad:
        message = _("Numbers must be finite: NaN, Infinity and overflowing numbers are refused.")
        raise BodyError(
            422,
            message,
            errors=[{"field": field, "message": message} for field in sorted(bad)],
        )


def read_json_body(request: HttpRequest) -> Any:
    """The request body as parsed JSON, or ``BodyError`` saying why not."""
    content_type = request.content_type or ""
    if content_type.lower() not in JSON_TYPES:
        raise BodyError(
            415,
            _("Send the body as JSON with the header Content-Type: application/json."),
            field="Content-Type",
        )
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        raise BodyError(
            415,
            _("Send the body as JSON in UTF-8: Content-Type: application/json; charset=utf-8."),
            field="Content-Type",
        )
    declared = declared_length(request)
    if declared is None:
        raise BodyError(400, _("The Content-Length header is not a number."))
    if declared > MAX_BODY_BYTES:
        raise BodyError(413, _too_large())
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise BodyError(413, _too_large())
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(400, _("The body is not valid UTF-8.")) from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except BodyError:
        raise
    except RecursionError:
        raise BodyError(400, _("The body is nested too deeply.")) from None
    except ValueError:  # JSONDecodeError, and integers too long to convert
        raise BodyError(400, _("The body is not valid JSON.")) from None
    _check_values(data)
    return data


def _too_large() -> str:
    return _("The body is larger than %(size)s KiB.") % {"size": MAX_BODY_BYTES // 1024}


class StrictJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return read_json_body(request)


# Handlers -------------------------------------------------------------------------------


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "payload", "agencies", 2)`` → ``"agencies.2"``; ``("query", "status")``
    → ``"status"``. A body model's first element is the parameter's name."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


def _number(value: Any) -> Any:
    """A limit as people write it: 180, not 180.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _message(error: dict[str, Any]) -> str:
    """The message for one field of a 422, in the request's language: pydantic's own
    messages are English only, so the kinds of error our schemas give are said here;
    any other keeps pydantic's text (ours, from validators, are translated already)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _("Unknown field: this API takes no such field.")
    if kind == "missing":
        return _("This field is required.")
    if kind in ("enum", "literal_error") and "expected" in ctx:
        # pydantic lists the values as "'a', 'b' or 'c'": the "or" is English.
        expected = str(ctx["expected"]).replace(" or ", ", ")
        return _("Use one of: %(expected)s.") % {"expected": expected}
    if kind == "string_too_long" and "max_length" in ctx:
        return _("Use at most %(limit)s characters.") % {"limit": ctx["max_length"]}
    if kind == "string_too_short" and "min_length" in ctx:
        return _("Use at least %(limit)s characters.") % {"limit": ctx["min_length"]}
    if kind == "too_long" and "max_length" in ctx:
        return _("Give at most %(limit)s items.") % {"limit": ctx["max_length"]}
    if kind in ("greater_than_equal", "greater_than") and ("ge" in ctx or "gt" in ctx):
        limit = _number(ctx.get("ge", ctx.get("gt")))
        if kind == "greater_than":
            return _("Enter a number larger than %(limit)s.") % {"limit": limit}
        return _("Enter a number no smaller than %(limit)s.") % {"limit": limit}
    if kind in ("less_than_equal", "less_than") and ("le" in ctx or "lt" in ctx):
        limit = _number(ctx.get("le", ctx.get("lt")))
        if kind == "less_than":
            return _("Enter a number smaller than %(limit)s.") % {"limit": limit}
        return _("Enter a number no larger than %(limit)s.") % {"limit": limit}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type"):
        return _("Enter a number.")
    if kind in ("string_type", "string_unicode"):
        return _("Enter text.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("list_type",):
        return _("Send a list.")
    if kind == "timezone_aware":
        return _("Give a date and time with a time zone.")
    if kind.startswith("datetime_"):
        return _("Give a date and time such as 2026-12-06T09:30:00-08:00.")
    if kind.startswith("date_"):
        return _("Give a date such as 2026-12-06.")
    if kind == "value_error" and ctx.get("error") is not None:
        return str(ctx["error"])  # our validators' own message, without "Value error, "
    if kind in ("uuid_parsing", "uuid_type"):
        return _("Give an identifier as the API gave it (a UUID).")
    return str(error.get("msg") or _("This value is not valid."))


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": _field_name(error.get("loc", ())), "message": _message(error)} for error in errors
    ]


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (replacing django-ninja's defaults)."""

    def handle(exc_class: type[Exception], status: int, detail: Promise) -> None:
        def handler(request: HttpRequest, exc: Any) -> HttpResponse:
            return error_response(api, request, status, str(detail))

        api.add_exception_handler(exc_class, handler)

    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = field_errors(list(exc.errors))
        body_missing = any(e["field"] == "body" for e in errors)
        detail = (
            _("Send a JSON object as the body.")
            if body_missing
            else _("Some fields are not valid.")
        )
        return error_response(api, request, 422, detail, errors)

    def django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field, "message": str(message)}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            errors = [{"field": "body", "message": str(message)} for message in exc.messages]
        return error_response(api, request, 422, _("Some fields are not valid."), errors)

    def body(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, exc.status, exc.message, exc.errors)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc.__cause__, BodyError):
            return body(request, exc.__cause__)
        if exc.status_code == 400 and exc.__cause__ is not None:
            # A parser failure we did not foresee: still the client's body.
            return error_response(api, request, 400, _("The body cannot be read."))
        response = error_response(api, request, exc.status_code, str(exc))
        wait = getattr(exc, "wait", None)
        if wait is not None:
            response["Retry-After"] = str(max(1, int(wait)))
        return response

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        # The body stays django-ninja's ("Unauthorized"); the header says how to
        # authenticate, as RFC 9110 requires of every 401.
        response = error_response(api, request, 401, str(exc))
        response["WWW-Authenticate"] = challenge(request)
        return response

    def throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        # django-ninja's throttles (vecinos.api.throttle); it sets Retry-After itself too.
        response = error_response(
            api, request, 429, _("Too many requests from this connection. Try again later.")
        )
        if exc.wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        return response

    def too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return body(
            request,
            BodyError(
                413, _("The body is larger than %(size)s KiB.") % {"size": MAX_BODY_BYTES // 1024}
            ),
        )

    def unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        # A bug, not bad input: log it (the path only; no body, no address) and say so
        # in JSON rather than with an HTML page.
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(api, request, 500, _("Something went wrong on our side."))

    api.add_exception_handler(NinjaValidationError, validation)
    api.add_exception_handler(DjangoValidationError, django_validation)
    api.add_exception_handler(BodyError, body)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(RequestDataTooBig, too_big)
    handle(Http404, 404, gettext_lazy("Not found."))
    handle(ObjectDoesNotExist, 404, gettext_lazy("Not found."))
    handle(PermissionDenied, 403, gettext_lazy("You may not do this."))
    handle(Forbidden, 403, gettext_lazy("You may not do this."))
    handle(TooManyFieldsSent, 400, gettext_lazy("The request has too many fields."))
    handle(SuspiciousOperation, 400, gettext_lazy("The request is not acceptable."))
    handle(UnreadablePostError, 400, gettext_lazy("The body cannot be read."))
    handle(UnicodeDecodeError, 400, gettext_lazy("The request is not valid UTF-8."))
    handle(DataError, 400, gettext_lazy("A value is out of range."))
    handle(IntegrityError, 409, gettext_lazy("This conflicts with the current state; try again."))
    api.add_exception_handler(Exception, unexpected)
