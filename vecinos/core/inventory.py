"""The data inventory: every field of every model, what it holds, how sensitive it is and
how long it is kept (docs/architecture.md, principle 1). ``docs/privacy.md`` is generated from it
(``vecinos inventory --write``) and tests/test_inventory.py fails when a field of an
installed model is missing here, or when an entry names a field that does not exist.

Adding a model: copy a ``Table`` below into ``TABLES`` of the app's own
``<app>/inventory.py`` (found by ``tables()``), keyed by the model's label (``"app.Model"``),
with one ``Entry(sensitivity, retention, note)`` per concrete field and many-to-many
field (``model._meta.concrete_fields`` and ``many_to_many``; reverse relations are
not listed). ``ROW`` as a field's retention means "as long as its row", whose
retention the table states. Then run ``vecinos inventory --write``.

Sensitivity levels, from least to most harmful if a server is seized, are ``LEVELS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.db import models

from vecinos.core.discovery import app_modules


class Sensitivity(StrEnum):
    """How harmful a field would be in the wrong hands (see LEVELS)."""

    PUBLIC = "public"
    INTERNAL = "internal"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"
    SECRET = "secret"  # noqa: S105 - a sensitivity level, not a password


LEVELS = {
    Sensitivity.PUBLIC: "published, or fine to publish",
    Sensitivity.INTERNAL: "about the system, not about a person (ids, states, times, counters)",
    Sensitivity.PERSONAL: "about a person with an account (a name, a role, an email address)",
    Sensitivity.SENSITIVE: "could put someone at risk: what a reporter wrote, where something "
    "was seen, anyone's contact details, a responder's whereabouts",
    Sensitivity.SECRET: "credentials and their digests: useless to read, harmful to leak",
}

PUBLIC = Sensitivity.PUBLIC
INTERNAL = Sensitivity.INTERNAL
PERSONAL = Sensitivity.PERSONAL
SENSITIVE = Sensitivity.SENSITIVE
SECRET = Sensitivity.SECRET

ROW = "with its row"

# Retention phrases used more than once.
UNTIL_ACCOUNT_DELETED = "until the account is deleted"
KEPT = "kept (it describes the software, not a person)"
REPORT_RETENTION = (
    "REPORT_RETENTION (default 14 days), then erased by `vecinos purge` (job `reports`)"
)
INCIDENT_RETENTION = (
    "INCIDENT_RETENTION (default 90 days), then the incident is reduced to a coarse aggregate "
    "by `vecinos purge` (job `reports`)"
)
# A retention phrase that names a setting must name one the code reads, and one that
# promises `vecinos purge` must name the registered job that keeps the promise:
# "then deleted by `vecinos purge` (job `name`)" (``retention_problems`` checks both).


@dataclass(frozen=True)
class Entry:
    """One field: how sensitive it is, how long it is kept, and what it is for."""

    sensitivity: Sensitivity
    retention: str
    note: str


@dataclass(frozen=True)
class Table:
    """One model: what a row is, how long a row is kept, and its fields."""

    about: str
    retention: str
    fields: dict[str, Entry] = field(default_factory=dict)

    def retention_of(self, name: str) -> str:
        entry = self.fields[name]
        return self.retention if entry.retention == ROW else entry.retention


INVENTORY: dict[str, Table] = {
    # Vecinos: accounts ---------------------------------------------------------------
    "accounts.User": Table(
        about="A person with an account (member, responder, dispatcher, coordinator, admin).",
        retention=UNTIL_ACCOUNT_DELETED,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "password": Entry(SECRET, ROW, "salted password hash (Django's hashers)"),
            "last_login": Entry(PERSONAL, ROW, "time of the last sign-in; no address"),
            "is_superuser": Entry(INTERNAL, ROW, "Django superuser flag (operators only)"),
            "username": Entry(PERSONAL, ROW, "sign-in name; shown to staff; may be a nickname"),
            "first_name": Entry(PERSONAL, ROW, "optional; Vecinos never asks for it"),
            "last_name": Entry(PERSONAL, ROW, "optional; Vecinos never asks for it"),
            "email": Entry(PERSONAL, ROW, "optional, for sign-in mail only"),
            "is_staff": Entry(INTERNAL, ROW, "Django admin access flag"),
            "is_active": Entry(INTERNAL, ROW, "false when an account is suspended"),
            "date_joined": Entry(PERSONAL, ROW, "when the account was made"),
            "role": Entry(PERSONAL, ROW, "admin, coordinator, dispatcher, responder or member"),
            "language": Entry(PERSONAL, ROW, "preferred interface language"),
            "display_name": Entry(
                PERSONAL, ROW, "what others see of the person instead of the sign-in name"
            ),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
            "groups": Entry(INTERNAL, ROW, "Django permission groups (unused by Vecinos)"),
            "user_permissions": Entry(INTERNAL, ROW, "Django permissions (unused by Vecinos)"),
        },
    ),
    "accounts.ApiToken": Table(
        about="A bearer token for the staff API; only a digest of the secret is stored.",
        retention="until 30 days after it was revoked or expired (deleted by `vecinos purge` "
        "(job `accounts`)), or the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "user": Entry(PERSONAL, ROW, "whose token it is"),
            "name": Entry(PERSONAL, ROW, "a label its owner chose"),
            "prefix": Entry(INTERNAL, ROW, "first characters of the token, to tell tokens apart"),
            "digest": Entry(SECRET, ROW, "SHA-256 of the token; the token itself is never kept"),
            "created_at": Entry(INTERNAL, ROW, "when it was made"),
            "expires_at": Entry(INTERNAL, ROW, "when it stops working"),
            "last_used_on": Entry(PERSONAL, ROW, "the day (not the time) it was last used"),
            "revoked_at": Entry(INTERNAL, ROW, "when it was revoked"),
        },
    ),
    "accounts.AccountEvent": Table(
        about="The accounts audit log: one row per change to someone's access.",
        retention="ACCOUNT_EVENT_RETENTION (default 365 days), then deleted by `vecinos purge` "
        "(job `accounts`)",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "type": Entry(
                INTERNAL,
                ROW,
                "what changed (account created, token made/revoked, dispatch contact set/removed)",
            ),
            "user": Entry(PERSONAL, ROW, "whose access changed; emptied if the account goes"),
            "actor": Entry(PERSONAL, ROW, "who changed it; empty for the command line"),
            "data": Entry(
                PERSONAL,
                ROW,
                "a token's prefix and name, a role, or a contact's channel; never an address",
            ),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    # Vecinos: committees -------------------------------------------------------------
    "committees.Committee": Table(
        about="A neighborhood, school or workplace committee.",
        retention="until an admin deletes the committee",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "name": Entry(PUBLIC, ROW, "shown to members and on invitations"),
            "slug": Entry(PUBLIC, ROW, "name in addresses"),
            "kind": Entry(PUBLIC, ROW, "neighborhood, school or workplace"),
            "description": Entry(INTERNAL, ROW, "written by its coordinators"),
            "area_cells": Entry(INTERNAL, ROW, "H3 resolution-8 cells it covers; never addresses"),
            "created_at": Entry(INTERNAL, ROW, "when it was made"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
            "zip_codes": Entry(PUBLIC, ROW, "ZIP codes its area was chosen by (public page)"),
            "area_label": Entry(
                PUBLIC, ROW, "how the area was chosen (ZIP codes, radius, cells drawn), no language"
            ),
            "languages": Entry(PUBLIC, ROW, "languages it works in"),
            "meets": Entry(PUBLIC, ROW, "when and where it meets (public page)"),
            "how_to_join": Entry(PUBLIC, ROW, "how to join (public page)"),
            "hotline": Entry(PUBLIC, ROW, "its public hotline number"),
            "requires_vouch": Entry(INTERNAL, ROW, "a member must vouch before approval"),
        },
    ),
    "committees.Membership": Table(
        about="A person's place in a committee.",
        retention="until the person leaves or is removed (the row is deleted at once; the "
        "contact waits in FormerContact) or the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(PERSONAL, ROW, "which committee"),
            "user": Entry(PERSONAL, ROW, "who"),
            "role": Entry(PERSONAL, ROW, "member, responder or coordinator"),
            "joined_at": Entry(PERSONAL, ROW, "when they joined"),
            "alias": Entry(PERSONAL, ROW, "the only name other members see"),
            "channel": Entry(PERSONAL, ROW, "sms or email: how announcements reach them"),
            "contact": Entry(
                SENSITIVE,
                ROW,
                "phone or email, AES-GCM encrypted; coordinators only, every look audited",
            ),
            "contact_hash": Entry(SENSITIVE, ROW, "keyed hash of the contact (duplicates)"),
            "language": Entry(PERSONAL, ROW, "language of their announcements"),
        },
    ),
    # Vecinos: reports ----------------------------------------------------------------
    "reports.Incident": Table(
        about="One event on the ground, seen by one or more reports.",
        retention=INCIDENT_RETENTION,
        fields={
            "id": Entry(INTERNAL, ROW, "random UUID"),
            "kind": Entry(PUBLIC, ROW, "raid, checkpoint, arrest, patrol, surveillance, other"),
            "status": Entry(PUBLIC, ROW, "new, dispatched, confirmed, unconfirmed, false, closed"),
            "lat": Entry(
                SENSITIVE, INCIDENT_RETENTION, "centroid of its reports; staff only; public: cell"
            ),
            "lng": Entry(
                SENSITIVE, INCIDENT_RETENTION, "centroid of its reports; staff only; public: cell"
            ),
            "cell": Entry(PUBLIC, ROW, "H3 resolution-8 cell (about 0.7 km²), shown publicly"),
            "first_seen_at": Entry(PUBLIC, ROW, "first report's observation time"),
            "last_seen_at": Entry(PUBLIC, ROW, "latest report's observation time"),
            "report_count": Entry(INTERNAL, ROW, "number of reports"),
            "source_count": Entry(INTERNAL, ROW, "independent sources, counted without names"),
            "confidence": Entry(INTERNAL, ROW, "0-100 score for dispatchers"),
            "public_label": Entry(PUBLIC, ROW, "place name written by staff for public pages"),
            "agencies": Entry(PUBLIC, ROW, "agencies reported (codes)"),
            "needs_location": Entry(INTERNAL, ROW, "no report gave a usable place yet"),
            "outside_service_area": Entry(
                INTERNAL, ROW, "its place is outside VECINOS_SERVICE_AREA (kept out of the queue)"
            ),
            "merged_into": Entry(INTERNAL, ROW, "the incident this one was merged into"),
            "created_at": Entry(INTERNAL, ROW, "when the row was made"),
            "updated_at": Entry(INTERNAL, ROW, "last change"),
            "verified_at": Entry(PUBLIC, ROW, "when a responder's outcome was recorded"),
            "closed_at": Entry(INTERNAL, ROW, "when it was closed"),
            "aggregated_at": Entry(INTERNAL, ROW, "when retention coarsened it"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "reports.Report": Table(
        about="What one person saw, as they told it. Anonymous: no name, no contact, no address.",
        retention=INCIDENT_RETENTION,
        fields={
            "id": Entry(INTERNAL, ROW, "random UUID, returned to the reporter"),
            "incident": Entry(INTERNAL, ROW, "the incident it joined"),
            "kind": Entry(INTERNAL, ROW, "what the reporter says happened (a code)"),
            "lat": Entry(SENSITIVE, REPORT_RETENTION, "where it was seen; staff only"),
            "lng": Entry(SENSITIVE, REPORT_RETENTION, "where it was seen; staff only"),
            "cell": Entry(INTERNAL, ROW, "H3 resolution-8 cell of the point, for clustering"),
            "place": Entry(SENSITIVE, REPORT_RETENTION, "place as written; staff only"),
            "description": Entry(
                SENSITIVE, REPORT_RETENTION, "what the reporter wrote; staff only; never published"
            ),
            "photo": Entry(
                SENSITIVE, REPORT_RETENTION, "uploaded picture, metadata stripped; staff only"
            ),
            "observed_at": Entry(INTERNAL, ROW, "when the reporter saw it"),
            "received_at": Entry(INTERNAL, ROW, "when it arrived"),
            "agencies": Entry(INTERNAL, ROW, "agencies reported (codes)"),
            "vehicles": Entry(INTERNAL, ROW, "number of vehicles reported"),
            "officers": Entry(INTERNAL, ROW, "number of officers reported"),
            "language": Entry(INTERNAL, ROW, "language the reporter used"),
            "channel": Entry(INTERNAL, ROW, "web, api, sms or staff"),
            "source_tag": Entry(
                INTERNAL,
                ROW,
                "keyed hash of the day-scoped pseudonym of the reporter's network (an IPv4 "
                "address or an IPv6 /48; a signed-in responder's account instead): tells "
                "sources apart for one day, unlinkable to an address once that day's key "
                "is gone",
            ),
            "idempotency_hash": Entry(
                INTERNAL,
                REPORT_RETENTION,
                "keyed hash of the client's idempotency key, so a resend of the same "
                "report answers the first one; the key itself is never stored",
            ),
            "purged_at": Entry(INTERNAL, ROW, "when retention erased the text and photo"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "reports.Availability": Table(
        about="A responder's on-call state and the area they can cover.",
        retention="updated in place; until the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "responder": Entry(PERSONAL, ROW, "who"),
            "is_available": Entry(PERSONAL, ROW, "on call or not"),
            "lat": Entry(SENSITIVE, ROW, "centre of the area they cover; dispatchers only"),
            "lng": Entry(SENSITIVE, ROW, "centre of the area they cover; dispatchers only"),
            "radius_km": Entry(PERSONAL, ROW, "how far they can go"),
            "updated_at": Entry(PERSONAL, ROW, "last change"),
        },
    ),
    "reports.Dispatch": Table(
        about="A request to one responder to go and check one incident.",
        retention=INCIDENT_RETENTION,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "incident": Entry(INTERNAL, ROW, "which incident"),
            "responder": Entry(PERSONAL, ROW, "who was sent"),
            "dispatched_by": Entry(PERSONAL, ROW, "which dispatcher sent them"),
            "status": Entry(INTERNAL, ROW, "requested, acknowledged, completed, declined, expired"),
            "created_at": Entry(INTERNAL, ROW, "when"),
            "acknowledge_by": Entry(INTERNAL, ROW, "deadline to acknowledge"),
            "acknowledged_at": Entry(INTERNAL, ROW, "when acknowledged"),
            "completed_at": Entry(INTERNAL, ROW, "when the outcome was filed"),
        },
    ),
    "reports.Verification": Table(
        about="What a responder (or dispatcher) found on the ground.",
        retention=INCIDENT_RETENTION,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "incident": Entry(INTERNAL, ROW, "which incident"),
            "verified_by": Entry(PERSONAL, ROW, "who checked"),
            "outcome": Entry(PUBLIC, ROW, "confirmed, unconfirmed or false"),
            "notes": Entry(SENSITIVE, ROW, "what the responder wrote; staff only"),
            "vehicles": Entry(INTERNAL, ROW, "vehicles seen"),
            "officers": Entry(INTERNAL, ROW, "officers seen"),
            "created_at": Entry(PUBLIC, ROW, "when it was checked"),
        },
    ),
    "reports.IncidentEvent": Table(
        about="The incident timeline and audit log: one row per state change.",
        retention=INCIDENT_RETENTION,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "incident": Entry(INTERNAL, ROW, "which incident"),
            "type": Entry(INTERNAL, ROW, "what changed"),
            "actor": Entry(PERSONAL, ROW, "who changed it; empty for the system"),
            "data": Entry(INTERNAL, ROW, "ids and states involved; no reporter text"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    # Vecinos: alerts -----------------------------------------------------------------
    "alerts.Subscription": Table(
        about="A confirmed contact that gets alerts for an area, in a language. No account.",
        retention="until the subscriber stops (STOP, unsubscribe link) plus "
        "SUBSCRIPTION_STOPPED_DAYS (default 30); an unconfirmed one for "
        "SUBSCRIPTION_PENDING_HOURS (default 24); then deleted by `vecinos purge` "
        "(job `subscriptions`)",
        fields={
            "id": Entry(INTERNAL, ROW, "random UUID"),
            "channel": Entry(INTERNAL, ROW, "sms, email or webpush"),
            "contact": Entry(
                SENSITIVE, ROW, "phone, email or push endpoint; AES-GCM encrypted at rest"
            ),
            "contact_hash": Entry(
                SECRET, ROW, "keyed hash of the contact, for STOP and de-duplication"
            ),
            "language": Entry(PERSONAL, ROW, "language of the messages"),
            "status": Entry(INTERNAL, ROW, "pending, active, stopped or disabled"),
            "area_label": Entry(PERSONAL, ROW, "how the area was chosen (a ZIP or a radius)"),
            "code_issued_at": Entry(
                INTERNAL, ROW, "when the code it shares was sent (the code is derived from it)"
            ),
            "code_hash": Entry(SECRET, ROW, "keyed hash of the confirmation code"),
            "code_expires_at": Entry(INTERNAL, ROW, "when the code expires"),
            "code_attempts": Entry(INTERNAL, ROW, "wrong codes tried"),
            "created_at": Entry(INTERNAL, ROW, "when it was made"),
            "confirmed_at": Entry(INTERNAL, ROW, "when it was confirmed"),
            "stopped_at": Entry(INTERNAL, ROW, "when the subscriber stopped it"),
            "disabled_reason": Entry(INTERNAL, ROW, "why delivery gave up (a code)"),
            "last_success_at": Entry(
                INTERNAL, ROW, "last sign the contact works (confirmation, receipt, START)"
            ),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "alerts.SubscriptionCell": Table(
        about="One H3 resolution-8 cell (about 0.7 km²) of a subscription's area.",
        retention="with its subscription",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "subscription": Entry(INTERNAL, ROW, "which subscription"),
            "cell": Entry(
                SENSITIVE, ROW, "a cell of the area the subscriber chose (never a home address)"
            ),
        },
    ),
    "alerts.Alert": Table(
        about="A warning drafted from a confirmed incident, published after a second approval.",
        retention="ALERT_RETENTION (default 365 days) after it was drafted: the public record "
        "of what was sent; then deleted with its approvals and timeline by `vecinos purge` "
        "(job `alerts`)",
        fields={
            "id": Entry(PUBLIC, ROW, "random UUID, in links and the CAP feed"),
            "incident": Entry(INTERNAL, ROW, "the confirmed incident"),
            "kind": Entry(PUBLIC, ROW, "alert, all clear or retraction"),
            "original": Entry(PUBLIC, ROW, "the alert a retraction or all clear follows"),
            "status": Entry(PUBLIC, ROW, "pending approval, published, retracted, ..."),
            "incident_kind": Entry(PUBLIC, ROW, "raid, checkpoint, ..."),
            "lat": Entry(PUBLIC, ROW, "centre of the alert area (published)"),
            "lng": Entry(PUBLIC, ROW, "centre of the alert area (published)"),
            "radius_km": Entry(PUBLIC, ROW, "radius of the alert area"),
            "cells": Entry(PUBLIC, ROW, "H3 cells of the alert area"),
            "place_label": Entry(PUBLIC, ROW, "place name written by staff"),
            "note": Entry(PUBLIC, ROW, "short note by the dispatcher, published"),
            "reason": Entry(PUBLIC, ROW, "why it was retracted"),
            "is_test": Entry(INTERNAL, ROW, "test mode: never reaches a provider"),
            "created_by": Entry(PERSONAL, ROW, "dispatcher who drafted it"),
            "created_at": Entry(INTERNAL, ROW, "when it was drafted"),
            "published_at": Entry(PUBLIC, ROW, "when it was published"),
            "expires_at": Entry(PUBLIC, ROW, "when it stops being current"),
            "retracted_at": Entry(PUBLIC, ROW, "when it was retracted"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "alerts.AlertApproval": Table(
        about="One dispatcher's approval of an alert (two-person rule).",
        retention="with its alert",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "alert": Entry(INTERNAL, ROW, "which alert"),
            "approver": Entry(PERSONAL, ROW, "who approved"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "alerts.AlertEvent": Table(
        about="The alert's timeline and audit log.",
        retention="with its alert",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "alert": Entry(INTERNAL, ROW, "which alert"),
            "type": Entry(INTERNAL, ROW, "what happened"),
            "actor": Entry(PERSONAL, ROW, "who did it; empty for the system"),
            "data": Entry(INTERNAL, ROW, "counts and states; no contact"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "alerts.Delivery": Table(
        about="The outbox: one message of one alert to one subscription, and its outcome.",
        retention="DELIVERY_RETENTION (default 30 days) after fan-out made it, then deleted by "
        "`vecinos purge` (job `deliveries`)",
        fields={
            "id": Entry(INTERNAL, ROW, "row number; the provider idempotency key"),
            "alert": Entry(INTERNAL, ROW, "which alert"),
            "subscription": Entry(SENSITIVE, ROW, "who it went to (links a person to an alert)"),
            "channel": Entry(INTERNAL, ROW, "sms, email or webpush"),
            "status": Entry(INTERNAL, ROW, "queued, sending, sent, delivered, failed, skipped"),
            "attempts": Entry(INTERNAL, ROW, "send attempts"),
            "next_attempt_at": Entry(INTERNAL, ROW, "when to try again"),
            "claim_token": Entry(INTERNAL, ROW, "which worker claimed it"),
            "claimed_at": Entry(INTERNAL, ROW, "when it was claimed"),
            "provider_id": Entry(INTERNAL, ROW, "provider's message id (status callbacks)"),
            "sent_at": Entry(INTERNAL, ROW, "when the provider accepted it"),
            "delivered_at": Entry(INTERNAL, ROW, "when the provider reported delivery"),
            "error": Entry(INTERNAL, ROW, "last error (a code, never a contact)"),
            "created_at": Entry(INTERNAL, ROW, "when fan-out made it"),
            "kind": Entry(
                INTERNAL,
                ROW,
                "alert, or another kind registered with the outbox "
                "(an announcement, an event reminder, a family update)",
            ),
            "item_id": Entry(INTERNAL, ROW, "for other kinds: which item (e.g. an announcement)"),
            "recipient_id": Entry(
                SENSITIVE, ROW, "for other kinds: which recipient (e.g. a membership, a case)"
            ),
        },
    ),
    # Vecinos: delivery ---------------------------------------------------------------
    "delivery.ReporterContact": Table(
        about="The phone number of someone who reported by SMS, so a dispatcher can reply "
        "from the console without seeing it.",
        retention="REPORT_RETENTION (default 14 days), then deleted by `vecinos purge` "
        "(job `reporter_contacts`; sooner with its report)",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "report": Entry(INTERNAL, ROW, "the SMS report"),
            "contact": Entry(
                SENSITIVE, ROW, "the reporter's phone number; AES-GCM encrypted, never displayed"
            ),
            "contact_hash": Entry(SECRET, ROW, "keyed hash of the number, for reply rate limits"),
            "created_at": Entry(INTERNAL, ROW, "when the report came in"),
        },
    ),
    "delivery.ResponderContact": Table(
        about="Where a responder gets dispatch requests (SMS, email or web push).",
        retention="until the responder removes it or the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "user": Entry(PERSONAL, ROW, "the responder"),
            "channel": Entry(INTERNAL, ROW, "sms, email or webpush"),
            "contact": Entry(
                SENSITIVE,
                ROW,
                "phone number, email address or push subscription; AES-GCM encrypted",
            ),
            "created_at": Entry(INTERNAL, ROW, "when it was set"),
        },
    ),
    # Django ----------------------------------------------------------------------------
    "auth.Permission": Table(
        about="Django's permission names.",
        retention=KEPT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "name": Entry(INTERNAL, ROW, "permission name"),
            "content_type": Entry(INTERNAL, ROW, "model it applies to"),
            "codename": Entry(INTERNAL, ROW, "permission code"),
        },
    ),
    "auth.Group": Table(
        about="Django's permission groups (unused by Vecinos, which has roles).",
        retention=KEPT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "name": Entry(INTERNAL, ROW, "group name"),
            "permissions": Entry(INTERNAL, ROW, "its permissions"),
        },
    ),
    "contenttypes.ContentType": Table(
        about="Django's list of models.",
        retention=KEPT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "app_label": Entry(INTERNAL, ROW, "application"),
            "model": Entry(INTERNAL, ROW, "model name"),
        },
    ),
    "sessions.Session": Table(
        about="A signed-in browser session. Anonymous visitors get none.",
        retention="until it expires (VECINOS_SESSION_HOURS, default 12 hours), "
        "then deleted by `vecinos purge` (job `sessions`)",
        fields={
            "session_key": Entry(SECRET, ROW, "random key, the value of the session cookie"),
            "session_data": Entry(
                SECRET,
                ROW,
                "signed: the user id, a password-hash check, sign-in state; for a "
                "responder, a dispatch contact waiting for its code (encrypted, the "
                "code only as a keyed hash)",
            ),
            "expire_date": Entry(INTERNAL, ROW, "when it expires"),
        },
    ),
    # django-allauth --------------------------------------------------------------------
    "account.EmailAddress": Table(
        about="allauth's record of an account's email address, when it has one.",
        retention=UNTIL_ACCOUNT_DELETED,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "user": Entry(PERSONAL, ROW, "whose address"),
            "email": Entry(PERSONAL, ROW, "the address"),
            "verified": Entry(INTERNAL, ROW, "confirmed or not"),
            "primary": Entry(INTERNAL, ROW, "the account's main address"),
        },
    ),
    "account.EmailConfirmation": Table(
        about="allauth's stored confirmation keys (unused: confirmations are signed links).",
        retention="until the address is confirmed or the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "email_address": Entry(PERSONAL, ROW, "which address"),
            "created": Entry(INTERNAL, ROW, "when"),
            "sent": Entry(INTERNAL, ROW, "when the mail went"),
            "key": Entry(SECRET, ROW, "confirmation key"),
        },
    ),
    "mfa.Authenticator": Table(
        about="A second sign-in factor (TOTP app, recovery codes).",
        retention="until its owner removes it or the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "user": Entry(PERSONAL, ROW, "whose factor"),
            "type": Entry(INTERNAL, ROW, "totp or recovery_codes"),
            "data": Entry(
                SECRET, ROW, "the TOTP secret or recovery-code seed, AES-GCM encrypted at rest"
            ),
            "created_at": Entry(INTERNAL, ROW, "when it was set up"),
            "last_used_at": Entry(PERSONAL, ROW, "when it was last used"),
        },
    ),
}


@dataclass(frozen=True)
class Store:
    """A place outside the database where something about people could end up."""

    name: str
    holds: str
    retention: str


STORES: list[Store] = [
    Store(
        "Map tile cache (DATA_DIR/tiles/, with VECINOS_TILE_UPSTREAM)",
        "map tiles the site fetched for its visitors, mixed: which areas someone looked "
        "at recently, never who (no visitor's address or cookie is kept or sent)",
        "VECINOS_TILE_CACHE_DAYS (default 30), then deleted by `vecinos purge` (job `tile_cache`)",
    ),
    Store(
        "Rate-limit counters (cache: memory or Redis)",
        "counts per day-scoped client pseudonym (HMAC of the address under a daily key "
        "that lives only in memory or Redis)",
        "one rate-limit window; the daily key is gone at the end of its UTC day",
    ),
    Store(
        "Logs (standard error)",
        "request paths, errors; every line passes a filter that replaces anything shaped "
        "like an IP address with [address]",
        "whatever the operator's log rotation keeps",
    ),
    Store(
        "Task queue (SQLite in the data directory, or Redis)",
        "ids of rows to work on; for one-off messages (dispatch requests, replies to "
        "reporters, manage-link requests) the contact encrypted and the text; never a "
        "confirmation code, a manage link or a contact in plaintext (codes and links are "
        "derived or made when the task runs)",
        "until the task has run",
    ),
    Store(
        "Uploaded files (DATA_DIR/media)",
        "report photos, metadata stripped",
        REPORT_RETENTION,
    ),
    Store(
        "Key files (DATA_DIR, mode 0600)",
        "secret_key, encryption.keys (field encryption), hash.key (keyed hash)",
        "until the operator rotates them; keep them off database backups",
    ),
    Store(
        "Cookies",
        "session (signed-in staff only), CSRF token, interface language",
        "the session cookie for VECINOS_SESSION_HOURS; the others for a year",
    ),
]


def tables() -> dict[str, Table]:
    """The whole inventory: the tables above and those each app lists in its own
    ``<app>/inventory.py`` (a ``TABLES`` dict, and optionally a ``STORES`` list)."""
    found = dict(INVENTORY)
    for module in app_modules("inventory"):
        found.update(module.TABLES)
    return found


def stores() -> list[Store]:
    found = list(STORES)
    for module in app_modules("inventory"):
        found += getattr(module, "STORES", [])
    return found


# Checking --------------------------------------------------------------------------


def field_names(model: type[models.Model]) -> list[str]:
    """The fields the inventory must describe: concrete ones and many-to-many ones."""
    meta = model._meta
    return [f.name for f in meta.concrete_fields] + [f.name for f in meta.many_to_many]


def inventoried_models() -> list[type[models.Model]]:
    """Every installed model that keeps rows (not proxies, not unmanaged ones, not
    models that tests define for themselves)."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and not model.__module__.startswith("tests.")
    ]


def problems(inventory: dict[str, Table] | None = None) -> list[str]:
    """Every field without an entry and every entry without a field, as sentences."""
    inventory = tables() if inventory is None else inventory
    found: list[str] = []
    seen: set[str] = set()
    for model in inventoried_models():
        label = model._meta.label
        seen.add(label)
        names = field_names(model)
        table = inventory.get(label)
        if table is None:
            found.append(f"{label} is not in the inventory (fields: {', '.join(names)})")
            continue
        found.extend(
            f"{label}.{name} is not in the inventory" for name in names if name not in table.fields
        )
        found.extend(
            f"{label}.{name} is in the inventory but the model has no such field"
            for name in table.fields
            if name not in names
        )
    found.extend(
        f"{label} is in the inventory but no such model is installed"
        for label in inventory
        if label not in seen
    )
    return found


PURGE = "`vecinos purge`"
JOB_RE = re.compile(r"`vecinos purge`[^(]{0,3}\(job `([a-z_]+)`")
NAME_RE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def retention_phrases() -> list[tuple[str, str]]:
    """(where, phrase) for every retention the inventory states."""
    found = []
    for label, table in tables().items():
        found.append((label, table.retention))
        found.extend(
            (f"{label}.{name}", entry.retention)
            for name, entry in table.fields.items()
            if entry.retention != ROW
        )
    found.extend((store.name, store.retention) for store in stores())
    return found


def settings_read(source: Path) -> tuple[set[str], set[str]]:
    """(settings the code reads as ``settings.NAME`` outside settings.py, environment
    variables settings.py reads), from the source under ``source``."""
    used: set[str] = set()
    for path in source.rglob("*.py"):
        if path.name != "settings.py":
            used.update(re.findall(r"settings\.([A-Z][A-Z0-9_]+)", path.read_text()))
    env = set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', (source / "settings.py").read_text()))
    return used, env


def retention_problems(
    phrases: list[tuple[str, str]] | None = None, jobs: set[str] | None = None
) -> list[str]:
    """Every retention promise the code does not keep, as sentences: a phrase that says
    `vecinos purge` without naming a registered job (``core/retention.py``), and a
    setting or environment variable named in a phrase that no code reads."""
    from vecinos.core import retention

    phrases = retention_phrases() if phrases is None else phrases
    jobs = set(retention.jobs()) if jobs is None else jobs
    used, env = settings_read(Path(__file__).resolve().parents[1])
    found: list[str] = []
    for where, phrase in phrases:
        named = JOB_RE.findall(phrase)
        if phrase.count(PURGE) != len(named):
            found.append(f"{where}: says {PURGE} without naming its job: {phrase!r}")
        found.extend(
            f"{where}: job {job!r} is not a registered retention job"
            for job in named
            if job not in jobs
        )
        found.extend(
            f"{where}: {name} is named but no code reads it"
            for name in NAME_RE.findall(phrase)
            if name not in used and name not in env
        )
    return found


# docs/privacy.md ---------------------------------------------------------------------

INTRO = """\
# Privacy: what Vecinos keeps, and for how long

<!-- Generated by `vecinos inventory --write` from vecinos/core/inventory.py.
     Do not edit by hand: change the inventory and regenerate. -->

Vecinos is built so that a seized server reveals almost nothing (docs/architecture.md,
principles 1 and 2), and so that everything expires. This page lists every
field of every table and what is kept outside the database. A test fails when a
field is missing from it or when this page is out of date.

## Principles

- **No IP address is stored or logged.** The first middleware
  (`vecinos.core.middleware.PrivacyMiddleware`) reads the client address (from
  `X-Forwarded-For` only when the direct peer is one of `VECINOS_TRUSTED_PROXIES`),
  turns it into a day-scoped pseudonym, and erases the address and every forwarding
  header from the request before anything else runs. A logging filter replaces
  anything shaped like an IP address in every log line with `[address]`. A test sends
  requests from a known address and searches every row, the database file, the cache
  and the logs for it.
- **Rate limits without tracking.** Counters are keyed by an HMAC of the address under
  a key that changes every day and lives only in memory (or Redis, expiring at
  midnight UTC); each process forgets it at midnight too. Counters expire with their
  window; yesterday's pseudonyms cannot be recomputed by anyone.
- **Contacts are encrypted at rest.** Phone numbers, email addresses and push
  endpoints of subscribers are stored with AES-256-GCM (`EncryptedTextField`) under a
  key kept outside the database: `encryption.keys` in the data directory (mode 0600),
  or `VECINOS_ENCRYPTION_KEY`. Each value is bound to its column, so it cannot be
  moved to another. `vecinos rotatekey` makes a new key and re-encrypts every value.
- **Lookups by keyed hash.** To find or de-duplicate a contact without decrypting
  every row, a keyed hash (HMAC-SHA256 under `hash.key`, which never rotates) of the
  normalised value is stored beside it.
- **Areas are H3 cells, never addresses.** Subscribers' areas, committees' areas and
  public incident locations are H3 resolution-8 cells (about 0.7 km²).
- **Everything expires.** Each retention window below is enforced by `vecinos purge`,
  which the worker runs every hour; tests move the clock and look at the rows. On
  SQLite deleted rows are overwritten with zeros (`secure_delete`), so purged text
  does not linger in the database file; on PostgreSQL the space of deleted rows is
  reclaimed by (auto)vacuum.
- **No officer is doxxed.** There is no field for an officer's name, face, badge,
  home or licence plate, and reporters' words are never published raw.

"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(inventory: dict[str, Table] | None = None) -> str:
    """docs/privacy.md: the introduction, what is kept outside the database, then one
    table per model, in label order. Deterministic: no dates, no local settings."""
    inventory = tables() if inventory is None else inventory
    lines = [INTRO, "## Sensitivity levels", "", "| level | meaning |", "|---|---|"]
    lines += [f"| {level} | {_cell(meaning)} |" for level, meaning in LEVELS.items()]
    lines += ["", "## Outside the database", "", "| where | what | kept |", "|---|---|---|"]
    lines += [
        f"| {_cell(store.name)} | {_cell(store.holds)} | {_cell(store.retention)} |"
        for store in stores()
    ]
    lines += ["", "## Tables", ""]
    for label in sorted(inventory):
        table = inventory[label]
        lines += [
            f"### {label}",
            "",
            _cell(table.about),
            "",
            f"Rows are kept: {_cell(table.retention)}.",
            "",
            "| field | sensitivity | kept | note |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{name}` | {entry.sensitivity} | {_cell(table.retention_of(name))} "
            f"| {_cell(entry.note)} |"
            for name, entry in table.fields.items()
        ]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
