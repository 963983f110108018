"""Hooks: how an app lets a layer below it (core, or an app it sits on) call into it
without that layer importing it. The arrows of imports point down
(core <- accounts <- committees <- reports <- alerts <- delivery <- api, feeds, demo;
docs/architecture.md, "Layers"); when a lower layer must make something happen above
it, it calls a hook here, and the app above registers its function from its
``AppConfig.ready()``.

Each hook has one job and says what its functions take and return. Registering the
same function twice keeps one. A hook nobody registered does nothing (returns []), so
a lower layer works, and is tested, without the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._functions: list[Callable[..., Any]] = []

    def register(self, function: Callable[..., Any]) -> Callable[..., Any]:
        if function not in self._functions:
            self._functions.append(function)
        return function

    def functions(self) -> list[Callable[..., Any]]:
        return list(self._functions)

    def call(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Every registered function's answer, in registration order."""
        return [function(*args, **kwargs) for function in self._functions]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} registered>"


# Asked by core ---------------------------------------------------------------------------

reencrypt = Hook(
    "reencrypt",
    "``() -> (purpose, moved, key ids in use: Counter)``: values an app encrypts outside "
    "``EncryptedTextField`` (MFA secrets), moved to the active key by ``vecinos rotatekey``.",
)
server_starting = Hook(
    "server_starting",
    "``() -> Callable[[], None] | None``: ``vecinos serve`` is about to fork its web "
    "workers; what a function starts here (reports: the writer process the workers "
    "share on PostgreSQL) is stopped by the function it returns, after the workers.",
)
web_worker_started = Hook(
    "web_worker_started",
    "``(worker) -> None``: a gunicorn web worker of ``vecinos serve`` has started "
    "(its ``post_worker_init``); reports start its writer process there on SQLite.",
)

# Asked by reports and alerts, answered by delivery (the outbox and its transports) ----

send_transactional = Hook(
    "send_transactional",
    "``(*, channel, address, subject, text, url='') -> None``: send one message to one "
    "contact after the transaction commits (confirmation codes, manage links). "
    "Registered by delivery (``vecinos/delivery/send.py``).",
)
subscription_code_requested = Hook(
    "subscription_code_requested",
    "``(subscription_id: str) -> None``: after commit, a pending subscription's code is "
    "to be sent. The task carries the id only and derives the code when it runs "
    "(``vecinos/delivery/tasks.py``).",
)
manage_link_requested = Hook(
    "manage_link_requested",
    "``(*, channel, sealed, language) -> None``: after commit, someone asked for the "
    "manage link of a contact (sealed for the queue); the task sends it if the contact "
    "has subscriptions, the link made when it runs (``vecinos/delivery/tasks.py``).",
)
dispatch_requested = Hook(
    "dispatch_requested",
    "``(dispatch_id: int) -> None``: after commit, a responder was asked to go; tell "
    "them where they chose (``vecinos/delivery/responders.py``).",
)
deliveries_waiting = Hook(
    "deliveries_waiting",
    "``(*, alert_id, rows: int) -> None``: after commit, an alert's delivery rows are "
    "waiting in the outbox; ring its workers (``vecinos/delivery/tasks.py``).",
)
push_public_key = Hook(
    "push_public_key",
    "``() -> str``: the VAPID public key browsers subscribe with (web push transport).",
)

responder_contacts = Hook(
    "responder_contacts",
    "``(user) -> list[(ResponderContact, masked text)]``: where dispatch requests reach a "
    "responder, for their page (``vecinos/delivery/responders.py``).",
)

announcement_sent = Hook(
    "announcement_sent",
    "``(*, announcement_id: int, recipients: list[(membership id, channel)]) -> int``: "
    "inside the committee's transaction, put one outbox row per member (kind "
    "``announcement``) and ring the workers after commit; returns the rows made "
    "(``vecinos/delivery/announcements.py``).",
)

# Asked by accounts, answered by the apps above it --------------------------------------

account_deactivated = Hook(
    "account_deactivated",
    "``(*, user, actor) -> None``: inside the transaction that deactivated ``user``; "
    "committees end every membership (``vecinos/committees/actions.py``).",
)

# Asked by delivery, answered by the apps whose rows it sends ---------------------------

delivery_failed_for_good = Hook(
    "delivery_failed_for_good",
    "``(*, subscription, reason: str) -> None``: the outbox gave up on a contact for "
    "good (invalid number, push endpoint gone, hard bounce); the subscription's owner "
    "stops sending to it (``vecinos/alerts/subscriptions/actions.py``).",
)

# Asked by reports and delivery, answered by the organizing app --------------------------

dispatch_refusals = Hook(
    "dispatch_refusals",
    "``(people: list[User]) -> dict[int, str]``: of the people about to be dispatched "
    "(or suggested), those who may not be, with the reason (a committee member without "
    "a valid responder training: ``vecinos/organizing/hooks.py``).",
)
console_panels = Hook(
    "console_panels",
    "``(incident or None) -> dict | None``: a panel for the dispatcher console (a "
    "``template`` and its context): who is on call now on the queue, on-call responders "
    "covering the incident on its page (``vecinos/organizing/hooks.py``).",
)
sms_answer = Hook(
    "sms_answer",
    "``(*, sms_hash, answer: 'yes' | 'no', language) -> str | None``: an inbound SMS "
    "answer (SI/YES, NO) from the number with this keyed hash; the reply when it "
    "answered a question waiting for it (an event invitation), else None.",
)
