"""A logging filter that removes anything shaped like an IP address, and any signed
link token, from every record.

The privacy middleware already strips the client address from each request before a
view runs; this filter is the second lock, for the servers and libraries that log
on their own (gunicorn, Django's request logger, a traceback that prints a header).
Django's request logger writes the path of every 4xx ("Bad Request: /alerts/manage/
<token>"): a manage or unsubscribe link is a working credential until it expires, so
its token never reaches a log either.
"""

from __future__ import annotations

import logging
import re

IPV4 = r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
# Candidate IPv6 runs: hex groups with at least two colons, optionally ending in IPv4.
IPV6 = r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|:|" + IPV4 + r")(?![\w:])"
ADDRESS_RE = re.compile(f"{IPV6}|{IPV4}")
REDACTED = "[address]"
# django.core.signing tokens (value:timestamp:signature, or value:signature), and the
# paths that carry one (vecinos/alerts/urls_subscribe.py) whatever the token looks like.
SIGNED_RE = re.compile(r"[A-Za-z0-9_\-]{8,}(?::[A-Za-z0-9]{4,8})?:[A-Za-z0-9_\-]{20,}")
TOKEN_PATH_RE = re.compile(r"(/alerts/(?:manage|unsubscribe)/)[^\s/?#\"']+")
TOKEN = "[token]"  # noqa: S105 - what a token is replaced with


def scrub(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        value = match.group(0)
        # Times such as 10:40:00 look like IPv6 runs; an address has a hex letter,
        # a "::" or eight groups.
        looks_like_time = not (
            "::" in value or re.search(r"[A-Fa-f]", value) or value.count(":") == 7
        )
        if ":" in value and "." not in value and looks_like_time:
            return value
        return REDACTED

    text = TOKEN_PATH_RE.sub(lambda match: match.group(1) + TOKEN, text)
    text = SIGNED_RE.sub(TOKEN, text)
    return ADDRESS_RE.sub(replace, text)


class NoAddressFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw message, scrubbed
            message = str(record.msg)
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        # Django attaches the request to some records; handlers may format it.
        if hasattr(record, "request"):
            record.request = None
        return True
