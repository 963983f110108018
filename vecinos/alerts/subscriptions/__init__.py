"""Alert subscriptions, one module per role:

- ``contacts``: a contact checked, in canonical form, hashed for lookups, masked;
- ``codes``: the 6-digit confirmation codes (made, counted per contact, sent, judged);
- ``actions``: every write (subscribe, confirm, stop, resume, disable, manage link);
- ``queries``: the reads.

They stay inside ``alerts`` because ``Subscription`` and its cells are alerts' models,
read by the fan-out in the same transaction that publishes an alert; a separate app
would own no models and only add an import edge.

A subscriber has no account. What proves they hold a contact is a 6-digit code sent
to it (SMS, email), the browser's own push subscription (web push), or an inbound SMS
from the number (``JOIN 90033``). The contact is stored encrypted with a keyed hash
for lookups (``contact_hash``, separated by channel), and the area only as H3 cells.

Subscriptions have no event table of their own on purpose: a history of who
subscribed where would be the very list a seizure is after. The row's own times
(``created_at``, ``confirmed_at``, ``stopped_at``) and ``disabled_reason`` say enough
(docs/privacy.md).
"""

from vecinos.alerts.subscriptions.actions import (
    LANGUAGES,
    LIVE_STATUSES,
    MAX_PER_CONTACT,
    ConfirmationError,
    confirm_subscription,
    disable_subscription,
    resume_contact,
    resume_subscription,
    send_manage_link,
    stop_contact,
    stop_contact_hash,
    stop_subscription,
    subscribe,
)
from vecinos.alerts.subscriptions.codes import (
    CODE_DIGITS,
    CODE_EXHAUSTED,
    CODE_EXPIRED,
    CODE_OK,
    CODE_TEXT,
    CODE_WRONG,
    TooManyCodes,
    check_code,
    count_code,
    issue_code,
    plain_digits,
    send_code,
)
from vecinos.alerts.subscriptions.contacts import (
    MAX_ENDPOINT,
    contact_hash,
    contact_purpose,
    mask_contact,
    masked_contact,
    normalize_contact,
    push_endpoint_hash,
)
from vecinos.alerts.subscriptions.queries import subscriptions_of_contact

__all__ = [
    "CODE_DIGITS",
    "CODE_EXHAUSTED",
    "CODE_EXPIRED",
    "CODE_OK",
    "CODE_TEXT",
    "CODE_WRONG",
    "LANGUAGES",
    "LIVE_STATUSES",
    "MAX_ENDPOINT",
    "MAX_PER_CONTACT",
    "ConfirmationError",
    "TooManyCodes",
    "check_code",
    "confirm_subscription",
    "contact_hash",
    "contact_purpose",
    "count_code",
    "disable_subscription",
    "issue_code",
    "mask_contact",
    "masked_contact",
    "normalize_contact",
    "plain_digits",
    "push_endpoint_hash",
    "resume_contact",
    "resume_subscription",
    "send_code",
    "send_manage_link",
    "stop_contact",
    "stop_contact_hash",
    "stop_subscription",
    "subscribe",
    "subscriptions_of_contact",
]
