"""The access matrix: every URL pattern and every API operation, asked by every role.

Each app describes who may use its pages and operations in ``tests/access/rules_<app>.py``::

    from tests.access.matrix import Rule, World

    def setup(world: World) -> None:          # optional: this app's objects on ``world``
        world.thing = make_thing(committee=world.committee)

    RULES = [
        Rule("things", allowed={"carmen", "ana"}),        # everyone else is refused
        Rule("thing_delete", method="POST", kwargs=lambda w: {"pk": w.thing.pk},
             data=lambda w: {"why": "test"}, allowed={"carmen"}, refused={404}),
    ]

``tests/access/test_matrix.py`` fails when a URL pattern of the project (``ROOT_URLCONF``)
or an operation of ``/api/v1/openapi.json`` has no rule, and asks every rule as every
actor, each request in a savepoint rolled back afterwards (so one rule's POST does not
change what the next rule sees), checking the answer against the rule:

- an allowed actor gets any answer but a refusal (and never a 5xx);
- a refused actor gets a refusal: on a web page a redirect to sign-in (302) when not
  signed in (anonymous, or ``gone``, whose account is deactivated), else 403 or 404
  (``refused`` narrows this, e.g. ``{404}`` for an object outside the actor's reach);
  on the API 401 without a valid token (anonymous, revoked, ``gone``, and roles that
  may hold no token), else 403 or 404.

Actors: ``anonymous``; ``mara`` (member of ``world.committee``); ``rosa`` (responder in
``world.committee``); ``carmen`` (coordinator of ``world.committee``); ``olga``
(coordinator of ``world.other_committee``); ``dani`` (dispatcher); ``ana`` (admin);
``gone`` (a deactivated account, formerly a dispatcher). On the API each named actor
sends its own bearer token; ``revoked`` sends a revoked one.

Rules name a URL pattern by its name (``namespace:name`` inside a namespace: the API's
operations are ``api:<name>``). A pattern without a name (or a whole included
application such as allauth's) is covered by ``covers``: a regular expression over the
pattern's route, the rule itself requesting one representative page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from vecinos.accounts.models import ApiToken, Role, User
from vecinos.committees.models import Committee, Membership, MembershipRole

ACTORS = ("anonymous", "mara", "rosa", "carmen", "olga", "dani", "ana", "gone")
API_ACTORS = (*ACTORS, "revoked")
EVERYONE = frozenset(API_ACTORS)
SIGNED_IN = frozenset({"mara", "rosa", "carmen", "olga", "dani", "ana"})
# Without a valid session (web) or token (API): refused by asking to sign in / 401.
NOT_SIGNED_IN = frozenset({"anonymous", "gone", "revoked"})
PASSWORD = "correct horse battery staple"
API_PREFIX = "api:"

Make = Callable[["World"], Any]


@dataclass(frozen=True)
class Rule:
    """Who may use one URL pattern with one method (everyone else is refused)."""

    name: str
    method: str = "GET"
    kwargs: Make | None = None
    data: Make | None = None
    allowed: frozenset[str] | set[str] = frozenset()
    # The refusals a signed-in actor outside ``allowed`` may get (web: 403 or 404).
    refused: frozenset[int] | set[int] = frozenset({403, 404})
    # A regular expression over full routes (e.g. "^accounts/"): patterns it matches are
    # covered by this rule too (allauth's pages, unnamed patterns).
    covers: str = ""
    # A literal path instead of reversing ``name`` (for a pattern without a name).
    path: str = ""
    # Headers sent with the request (e.g. a webhook's signature).
    headers: Make | None = None
    # Body as JSON (the API) instead of a form.
    json: bool = False
    # The one status every allowed actor gets (e.g. 404 from the API's catch-all).
    status: int = 0

    @property
    def is_api(self) -> bool:
        return self.name.startswith(API_PREFIX)

    def url(self, world: World) -> str:
        if self.path:
            return self.path
        kwargs = self.kwargs(world) if self.kwargs else {}
        return reverse(self.name, kwargs=kwargs)

    def label(self) -> str:
        return f"{self.method} {self.name or self.path}"


@dataclass
class World:
    """The people and objects every rule is asked about. Rules modules add their own
    objects as attributes in their ``setup(world)``."""

    committee: Committee
    other_committee: Committee
    users: dict[str, User]
    tokens: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return self.users[name]

    def require(self, module: str) -> None:
        """Run ``tests/access/<module>.py``'s ``setup`` on this world, once: a rules
        module whose objects depend on another's calls this first."""
        import importlib

        done = self.extra.setdefault("_setups_done", set())
        if module in done:
            return
        done.add(module)
        setup = getattr(importlib.import_module(f"tests.access.{module}"), "setup", None)
        if setup is not None:
            setup(self)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in {"committee", "other_committee", "users", "tokens", "extra"}:
            object.__setattr__(self, name, value)
        else:
            self.extra[name] = value

    @classmethod
    def build(cls) -> World:
        """The committees, actors and tokens (inside the test's database transaction)."""
        from allauth.mfa.totp.internal.auth import TOTP

        from vecinos.accounts.actions import create_api_token, revoke_api_token

        committee = Committee.objects.create(name="Boyle Heights", slug="boyle-heights")
        other = Committee.objects.create(name="Pico-Union", slug="pico-union")
        roles = {
            "mara": Role.MEMBER,
            "rosa": Role.RESPONDER,
            "carmen": Role.COORDINATOR,
            "olga": Role.COORDINATOR,
            "dani": Role.DISPATCHER,
            "ana": Role.ADMIN,
            "gone": Role.DISPATCHER,
        }
        users: dict[str, User] = {}
        for name, role in roles.items():
            user = User.objects.create_user(username=name, password=PASSWORD, role=role)
            if user.needs_mfa:
                TOTP.activate(user, "JBSWY3DPEHPK3PXP")
            users[name] = user
        memberships = {
            "mara": (committee, MembershipRole.MEMBER),
            "rosa": (committee, MembershipRole.RESPONDER),
            "carmen": (committee, MembershipRole.COORDINATOR),
            "olga": (other, MembershipRole.COORDINATOR),
        }
        for name, (where, role) in memberships.items():
            Membership.objects.create(committee=where, user=users[name], role=role)
        tokens: dict[str, str] = {}
        for name, user in users.items():
            if user.may_have_api_tokens:
                _token, plaintext = create_api_token(user=user, name="matrix", actor=None)
                tokens[name] = plaintext
            else:
                # A member may hold no token; one that exists anyway must not work.
                tokens[name] = _raw_token(user)
        revoked, plaintext = create_api_token(user=users["dani"], name="old", actor=None)
        revoke_api_token(token=revoked, actor=None)
        tokens["revoked"] = plaintext
        users["gone"].is_active = False
        users["gone"].save(update_fields=["is_active"])
        return cls(committee=committee, other_committee=other, users=users, tokens=tokens)

    def client(self, actor: str, *, api: bool) -> Client:
        client = Client()
        if api:
            if actor != "anonymous":
                client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[actor]}"
        elif actor in self.users:
            # ``gone`` too: a session made before the account was deactivated.
            client.force_login(self.users[actor])
        return client


def _raw_token(user: User) -> str:
    """A token row for ``user`` made directly (the action refuses members)."""
    import secrets

    from vecinos.accounts.actions import TOKEN_SCHEME, token_digest

    prefix = secrets.token_hex(4)
    plaintext = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(24)}"
    ApiToken.objects.create(
        user=user,
        name="raw",
        prefix=prefix,
        digest=token_digest(plaintext),
        created_at=timezone.now(),
    )
    return plaintext


# Coverage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str  # the full route, e.g. "console/incidents/<uuid:incident_id>"
    name: str  # "namespace:name", or "" when the pattern has none


def url_patterns() -> Iterator[Pattern]:
    """Every pattern of the project's URL configuration, with its full route."""

    def walk(
        patterns: list[URLPattern | URLResolver], prefix: str, namespace: str
    ) -> Iterator[Pattern]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}{entry.namespace}:"
                yield from walk(entry.url_patterns, route, inner)
            else:
                yield Pattern(route=route, name=f"{namespace}{entry.name}" if entry.name else "")

    yield from walk(get_resolver().url_patterns, "", "")


def openapi_operations() -> Iterator[tuple[str, str]]:
    """(METHOD, path) of every operation of /api/v1/openapi.json."""
    document = Client().get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method in operations:
            if method.lower() in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path


def _shape(route: str) -> str:
    """A route or an OpenAPI path with its parameters blanked: "incidents/{}"."""
    route = re.sub(r"<[^>]*>", "{}", route)
    return re.sub(r"\{[^}]*\}", "{}", route).strip("/^$")


def uncovered(rules: list[Rule]) -> list[str]:
    """The URL patterns and API operations no rule covers, described for a reader."""
    names = {rule.name for rule in rules if rule.name}
    covers = [re.compile(rule.covers) for rule in rules if rule.covers]
    missing: list[str] = []
    for pattern in url_patterns():
        if pattern.name and pattern.name in names:
            continue
        if any(regex.search(pattern.route) for regex in covers):
            continue
        missing.append(f"URL pattern {pattern.route!r} (name {pattern.name or 'none'!r})")
    # API operations: the rule's pattern and method.
    by_shape: set[tuple[str, str]] = set()
    api_routes = {p.name: p.route for p in url_patterns() if p.name.startswith(API_PREFIX)}
    for rule in rules:
        if rule.is_api and rule.name in api_routes:
            route = api_routes[rule.name].removeprefix("api/v1/")
            by_shape.add((rule.method, _shape(route)))
    for method, path in openapi_operations():
        if (method, _shape(path.removeprefix("/api/v1"))) not in by_shape:
            missing.append(f"API operation {method} {path}")
    return missing


# Asking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    rule: Rule
    actor: str
    status: int
    location: str


def ask(world: World, rule: Rule, actor: str) -> Answer:
    """``rule``'s request as ``actor``, in a savepoint that is rolled back, with an empty
    cache (rate-limit counters of one request do not refuse the next)."""
    from django.core.cache import cache

    cache.clear()
    client = world.client(actor, api=rule.is_api)
    with transaction.atomic():
        url = rule.url(world)
        data = rule.data(world) if rule.data else None
        headers = rule.headers(world) if rule.headers else {}
        method = getattr(client, rule.method.lower())
        if rule.json:
            response = method(url, data or {}, content_type="application/json", headers=headers)
        elif rule.method in {"GET", "HEAD"}:
            response = method(url, data or {}, headers=headers)
        else:
            response = method(url, data or {}, headers=headers)
        status = response.status_code
        location = response.get("Location", "")
        if response.streaming:
            _close_stream(response)
        transaction.set_rollback(True)
    return Answer(rule=rule, actor=actor, status=status, location=location)


def _close_stream(response: Any) -> None:
    """Close a streaming answer without reading it, as the test client closes the others:
    without ``close_old_connections`` (it would close the test's database connection)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _is_sign_in(location: str) -> bool:
    login = reverse(settings.LOGIN_URL)
    return location.split("?")[0].endswith(login)


def verdict(answer: Answer) -> str:
    """'' when the answer is what the rule says, else what went wrong."""
    rule, actor, status = answer.rule, answer.actor, answer.status
    if status >= 500:
        return f"{status} (a server error)"
    if actor in rule.allowed:
        if rule.status:
            return "" if status == rule.status else f"{rule.status} expected, got {status}"
        refused = _refusal(answer)
        return f"allowed, but refused with {status}" if refused else ""
    if _refusal(answer):
        return ""
    if rule.is_api:
        wanted = (
            "401" if actor in NOT_SIGNED_IN | {"mara"} else "/".join(map(str, sorted(rule.refused)))
        )
    else:
        wanted = (
            "302 to sign-in" if actor in NOT_SIGNED_IN else "/".join(map(str, sorted(rule.refused)))
        )
    return f"refused expected ({wanted}), got {status} {answer.location}".strip()


def _refusal(answer: Answer) -> bool:
    rule, actor, status = answer.rule, answer.actor, answer.status
    if rule.is_api:
        if actor in NOT_SIGNED_IN or actor == "mara":  # a member may hold no token
            return status == 401
        return status in rule.refused
    if actor in NOT_SIGNED_IN:
        return status == 302 and _is_sign_in(answer.location)
    return status in rule.refused


def actors_for(rule: Rule) -> tuple[str, ...]:
    return API_ACTORS if rule.is_api else ACTORS


def check(world: World, rules: list[Rule]) -> list[str]:
    """Every rule asked as every actor; the lines that went wrong."""
    wrong: list[str] = []
    for rule in rules:
        for actor in actors_for(rule):
            try:
                answer = ask(world, rule, actor)
            except Exception as error:  # a view that raised: report it with the rest
                wrong.append(f"{rule.label()} as {actor}: raised {error!r}")
                continue
            problem = verdict(answer)
            if problem:
                wrong.append(f"{rule.label()} as {actor}: {problem}")
    return wrong


def resolves(rule: Rule, world: World) -> bool:
    """Whether the rule's URL reaches its own pattern (not a catch-all)."""
    match = resolve(rule.url(world).split("?")[0])
    return not rule.name or match.view_name == rule.name
