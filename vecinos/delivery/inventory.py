"""Data inventory of the delivery app's own tables (collected by vecinos.core.inventory)."""

from __future__ import annotations

from vecinos.core.inventory import INTERNAL, ROW, SECRET, Entry, Table

TABLES: dict[str, Table] = {
    "delivery.InboundMessage": Table(
        about="an inbound SMS already acted on, so a replayed webhook files nothing new",
        retention="SMS_INBOUND_REPLAY_DAYS (default 30 days), then deleted by `vecinos purge` "
        "(job `inbound_sms`)",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "sid_hash": Entry(SECRET, ROW, "keyed hash of Twilio's MessageSid, nothing else"),
            "received_at": Entry(INTERNAL, ROW, "when it was handled"),
        },
    ),
}
