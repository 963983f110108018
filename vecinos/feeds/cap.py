"""CAP 1.2 documents (OASIS Common Alerting Protocol) for alerts, and the Atom feeds
that list them.

One ``<alert>`` per Vecinos alert:

- ``status`` Actual, ``scope`` Public. Test-mode alerts are never in the public feed
  (they are not public at all), so no document says ``Test``.
- ``msgType``: an alert is ``Alert``; a retraction is ``Cancel`` and an all-clear is
  ``Update``, each naming the original in ``<references>`` as
  ``sender,identifier,sent``.
- One ``<info>`` per alert language (twelve), ``<language>`` an RFC 3066 tag
  (``es-US``, ``zh-CN``). An alert: category Safety and Security, urgency Immediate,
  severity Severe, certainty Observed. A follow-up says the danger is past: urgency
  Past, severity Minor, certainty Observed, responseType AllClear (all-clear) or None
  (retraction).
- ``<area>``: the place phrase, the alert cells' outline as ``<polygon>`` (H3's union
  of the cells; closed rings of "lat,lng" pairs) and the drafted ``<circle>``
  ("lat,lng radius_km").

The text comes from the same per-language sentences as the SMS and email
(``vecinos.alerts.messages``): nothing a reporter wrote.
"""

from __future__ import annotations

# Only building XML here, never parsing untrusted input.
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import h3
from django.conf import settings
from django.utils import timezone

from vecinos.alerts import messages
from vecinos.alerts.models import Alert, AlertKind
from vecinos.alerts.phrases import BOOKS

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
SENDER_NAME = "Vecinos"

MSG_TYPES = {
    AlertKind.ALERT: "Alert",
    AlertKind.RETRACTION: "Cancel",
    AlertKind.ALL_CLEAR: "Update",
}


def _host() -> str:
    return settings.VECINOS_PUBLIC_URL.split("://", 1)[1].split("/", 1)[0]


def sender() -> str:
    return f"alerts@{_host()}"


def identifier(alert: Alert) -> str:
    return f"urn:uuid:{alert.pk}"


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: local time with a numeric offset, to the second (no "Z")."""
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).replace(microsecond=0)
    text = local.isoformat()
    return text[:-6] + "+00:00" if text.endswith("Z") else text


def sent_time(alert: Alert) -> datetime:
    return alert.published_at or alert.created_at


def references(original: Alert) -> str:
    return f"{sender()},{identifier(original)},{cap_time(sent_time(original))}"


def outline(cells: list[int]) -> list[list[tuple[float, float]]]:
    """Closed outer rings of the union of ``cells``, one per connected piece."""
    if not cells:
        return []
    shape = h3.cells_to_h3shape([h3.int_to_str(int(cell)) for cell in cells])
    polygons = [shape] if isinstance(shape, h3.LatLngPoly) else list(shape)
    rings = []
    for polygon in polygons:
        ring = [(float(lat), float(lng)) for lat, lng in polygon.outer]
        if ring and ring[0] != ring[-1]:
            ring.append(ring[0])
        if len(ring) >= 4:
            rings.append(ring)
    return rings


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    # Children are left unqualified: they inherit the root's default namespace (the
    # xmlns attribute set on the root), which ElementTree's default_namespace option
    # cannot do when attributes are unqualified too.
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def cap_alert(alert: Alert) -> ET.Element:
    root = ET.Element("alert", xmlns=CAP_NS)
    _sub(root, "identifier", identifier(alert))
    _sub(root, "sender", sender())
    _sub(root, "sent", cap_time(sent_time(alert)))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", MSG_TYPES.get(AlertKind(alert.kind), "Alert"))
    _sub(root, "scope", "Public")
    if alert.kind == AlertKind.RETRACTION:
        _sub(root, "note", "The referenced alert was sent in error.")
    elif alert.kind == AlertKind.ALL_CLEAR:
        _sub(root, "note", "All clear: the referenced alert is over.")
    if alert.original is not None:
        _sub(root, "references", references(alert.original))
    followup = alert.kind != AlertKind.ALERT
    rings = outline(alert.cells or [])
    for code in BOOKS:
        f = messages.fields_for(alert, code)
        info = _sub(root, "info")
        _sub(info, "language", f.book.cap)
        _sub(info, "category", "Safety")
        _sub(info, "category", "Security")
        _sub(info, "event", messages.event_name(f))
        if followup:
            _sub(info, "responseType", "AllClear" if alert.kind == AlertKind.ALL_CLEAR else "None")
        else:
            _sub(info, "responseType", "Monitor")
        _sub(info, "urgency", "Past" if followup else "Immediate")
        _sub(info, "severity", "Minor" if followup else "Severe")
        _sub(info, "certainty", "Observed")
        _sub(info, "effective", cap_time(sent_time(alert)))
        if alert.expires_at is not None:
            _sub(info, "expires", cap_time(alert.expires_at))
        _sub(info, "senderName", SENDER_NAME)
        _sub(info, "headline", messages.headline(f))
        description = messages.sentence(f)
        if f.note:
            description += f"\n\n{f.book.note} {f.note}"
        _sub(info, "description", description)
        _sub(info, "web", messages.alert_url(alert, language=f.book.code))
        area = _sub(info, "area")
        place = f.book.near.format(place=f.place) if f.place else f.book.nowhere
        _sub(area, "areaDesc", f"{place} ({alert.radius_km:g} km)")
        for ring in rings:
            _sub(area, "polygon", " ".join(f"{lat:.6f},{lng:.6f}" for lat, lng in ring))
        _sub(area, "circle", f"{alert.lat:.6f},{alert.lng:.6f} {alert.radius_km:g}")
    return root


def cap_document(alert: Alert) -> bytes:
    return ET.tostring(cap_alert(alert), encoding="utf-8", xml_declaration=True)


def _atom_time(moment: datetime) -> str:
    return timezone.localtime(moment, ZoneInfo("UTC")).replace(microsecond=0).isoformat()


def atom_feed(
    alerts: list[Alert], *, language: str, self_url: str, title: str, cap_links: bool
) -> bytes:
    """An Atom feed of ``alerts``: each entry's title and summary in ``language``; with
    ``cap_links`` each entry links to its CAP document (the CAP feed), else to the
    alert page (the human feed)."""
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _sub(feed, "id", self_url)
    _sub(feed, "title", title)
    updated = max((sent_time(a) for a in alerts), default=timezone.now())
    _sub(feed, "updated", _atom_time(updated))
    link = _sub(feed, "link", None)
    link.set("rel", "self")
    link.set("href", self_url)
    author = _sub(feed, "author", None)
    _sub(author, "name", SENDER_NAME)
    for alert in alerts:
        f = messages.fields_for(alert, language)
        entry = _sub(feed, "entry", None)
        _sub(entry, "id", identifier(alert))
        _sub(entry, "title", messages.headline(f))
        _sub(entry, "updated", _atom_time(alert.retracted_at or sent_time(alert)))
        _sub(entry, "published", _atom_time(sent_time(alert)))
        page = messages.alert_url(alert, language=f.book.code)
        if cap_links:
            cap = _sub(entry, "link", None)
            cap.set("rel", "alternate")
            cap.set("type", "application/cap+xml")
            cap.set("href", f"{settings.VECINOS_PUBLIC_URL}/feeds/alerts/{alert.pk}.cap")
            html = _sub(entry, "link", None)
            html.set("rel", "related")
        else:
            html = _sub(entry, "link", None)
            html.set("rel", "alternate")
        html.set("type", "text/html")
        html.set("href", page)
        summary = messages.sentence(f) + (f" {f.book.note} {f.note}" if f.note else "")
        text = _sub(entry, "summary", summary)
        text.set("{http://www.w3.org/XML/1998/namespace}lang", f.book.cap)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
