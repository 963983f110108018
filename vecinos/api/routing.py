"""The URL patterns of ``/api/v1/``: django-ninja's, plus JSON answers for what no
operation handles.

Left to themselves, a path that matches no operation falls through to Django's HTML
404 page, the API's root raises a 404 of its own (HTML again), and a method an
operation does not take answers a plain-text 405. A client of a JSON API should get
the API's one error shape (``vecinos.api.errors``) whatever it asks, so here:

1. every pattern django-ninja makes keeps its route and name, and its view is wrapped
   so that a 405 becomes the JSON 405 (with the same ``Allow`` header);
2. the OpenAPI document and its Swagger page take GET and HEAD only (JSON 405
   otherwise; django-ninja's own views serve any method);
3. the API's root (named ``api-root``: django-ninja reverses it to find the prefix)
   and a catch-all pattern after every operation answer the JSON 404.

The views of 2 and 3 are exempt from the CSRF check: they refuse what is not a read,
and a POST to a mistyped path should learn "no such endpoint", not "CSRF failed".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from vecinos.api import errors

View = Callable[..., HttpResponseBase]
# A method is echoed in the 405's detail; a longer "method" is garbage, cut short.
MAX_METHOD = 16
# django-ninja's names of the OpenAPI document and of its Swagger page.
DOCUMENTS = {"openapi-json", "openapi-view"}
READS = ("GET", "HEAD")


def not_found(api: NinjaAPI) -> View:
    """The JSON 404 of a path that is no endpoint, pointing to the list of them."""

    @csrf_exempt
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        docs = reverse(f"{api.urls_namespace}:openapi-view")
        return errors.error_response(
            api,
            request,
            404,
            _("There is no such API endpoint. The list is at %(docs)s.") % {"docs": docs},
        )

    return view


def method_not_allowed(api: NinjaAPI, request: HttpRequest, allowed: list[str]) -> HttpResponse:
    allow = ", ".join(sorted({method.strip().upper() for method in allowed if method.strip()}))
    response = errors.error_response(
        api,
        request,
        405,
        _("This endpoint does not take %(method)s requests. It takes: %(allowed)s.")
        % {"method": (request.method or "")[:MAX_METHOD], "allowed": allow},
    )
    response["Allow"] = allow
    return response


def json_405(api: NinjaAPI, view: View) -> View:
    """``view`` (an operation's), with its plain-text 405 replaced by the JSON one."""

    @wraps(view)  # keeps csrf_exempt and the other flags django-ninja set
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(api, request, response["Allow"].split(","))
        return response

    return wrapper


def reads_only(api: NinjaAPI, view: View) -> View:
    """``view`` (the document or its page) for GET and HEAD; the JSON 405 otherwise."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in READS:
            return method_not_allowed(api, request, list(READS))
        return view(request, *args, **kwargs)

    return wrapper


def urls(api: NinjaAPI) -> tuple[list[URLPattern | URLResolver], str, str]:
    """``api.urls`` with the changes above, for ``path("api/v1/", ...)``."""
    patterns, app_name, namespace = api.urls
    missing = not_found(api)
    result: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":
                view = missing
            elif pattern.name in DOCUMENTS:
                view = reads_only(api, pattern.callback)
            else:
                view = json_405(api, pattern.callback)
            pattern = URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)
        result.append(pattern)
    result.append(path("<path:unknown>", missing))
    return result, app_name, namespace
