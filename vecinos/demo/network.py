"""The demo network for Los Angeles. Loaded by ``vecinos demo`` and by nothing else.
This app sits above every other (docs/architecture.md, "Layers"): it writes through
their actions and collects each app's own part from ``<app>/demo.py``.

Everything here is marked ``is_demo=True`` and every password and the two-factor
secret are printed on purpose: this data exists to be looked at, never to be trusted.
The places are real public places (street corners, a park, a school, a shopping
street); the people and the events are invented.

Layout of this module: the data first (places, committees, people, incidents), then
``load()``, which writes it in one transaction through the same actions the report
form, the console and the responder's phone use (``vecinos.reports.actions``), and
then ``sign_ins()`` for the command to print.

Demo subscribers use reserved addresses (555-01xx numbers, example.org mail) and
are active at once, so an alert drafted in the demo has people to reach; with the
default console transport nothing leaves the machine.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vecinos.accounts.models import MFA_ROLES, Role, User
from vecinos.alerts.models import Subscription
from vecinos.alerts.subscriptions import subscribe
from vecinos.committees.models import Committee, CommitteeKind, Membership, MembershipRole
from vecinos.core import geo
from vecinos.core.discovery import app_modules
from vecinos.reports import actions
from vecinos.reports.models import (
    Channel,
    Dispatch,
    Incident,
    IncidentEvent,
    Kind,
    Outcome,
    Report,
    Verification,
)

# A base32 TOTP secret shared by every demo account that needs two-factor sign-in.
DEMO_TOTP_SECRET = "VECINOSDEMOLOSANGELESTOTPSECRETA"  # noqa: S105 - printed on purpose


@dataclass(frozen=True)
class Place:
    label: str  # what the public pages may show once the incident is checked
    lat: float
    lng: float


PLACES = {
    "chavez_soto": Place("Cesar E. Chavez Ave & Soto St, Boyle Heights", 34.04771, -118.21007),
    "mariachi_plaza": Place("Mariachi Plaza, Boyle Heights", 34.04727, -118.21946),
    "santee_alley": Place("Santee Alley, Fashion District", 34.03836, -118.25265),
    "macarthur_park": Place("MacArthur Park, Westlake", 34.05735, -118.27752),
    "pacific_florence": Place("Pacific Blvd & Florence Ave, Huntington Park", 33.97454, -118.22520),
    "fremont_high": Place("Fremont High School, S San Pedro St", 33.97044, -118.26903),
    "home_depot_cypress_park": Place(
        "Home Depot, N Figueroa St, Cypress Park", 34.08328, -118.22256
    ),
}


@dataclass(frozen=True)
class CommitteeSpec:
    slug: str
    name: str
    kind: str
    description: str
    centre: str  # a key of PLACES
    radius_km: float


COMMITTEES = [
    CommitteeSpec(
        slug="boyle-heights",
        name="Comité de Vecinos de Boyle Heights",
        kind=CommitteeKind.NEIGHBORHOOD,
        description="Neighbors of Boyle Heights, around Mariachi Plaza and Cesar Chavez Ave.",
        centre="mariachi_plaza",
        radius_km=2.0,
    ),
    CommitteeSpec(
        slug="fremont-high-families",
        name="Fremont High School Families",
        kind=CommitteeKind.SCHOOL,
        description="Parents and families of John C. Fremont High School, South LA.",
        centre="fremont_high",
        radius_km=1.5,
    ),
    CommitteeSpec(
        slug="garment-workers-downtown",
        name="Garment Workers Downtown LA",
        kind=CommitteeKind.WORKPLACE,
        description="Garment workers of the Fashion District, downtown Los Angeles.",
        centre="santee_alley",
        radius_km=1.0,
    ),
]


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    first_name: str
    language: str = "en"
    committee: str | None = None  # slug
    membership: str = MembershipRole.MEMBER
    available_at: str | None = None  # a key of PLACES, for responders on call

    @property
    def password(self) -> str:
        return f"vecinos-demo-{self.username}"


PEOPLE = [
    Person("ana", Role.ADMIN, "Ana"),
    Person(
        "carmen",
        Role.COORDINATOR,
        "Carmen",
        language="es",
        committee="boyle-heights",
        membership=MembershipRole.COORDINATOR,
    ),
    Person("dani", Role.DISPATCHER, "Dani"),
    Person("diego", Role.DISPATCHER, "Diego", language="es"),
    Person(
        "rosa",
        Role.RESPONDER,
        "Rosa",
        language="es",
        committee="boyle-heights",
        available_at="mariachi_plaza",
    ),
    Person(
        "luis",
        Role.RESPONDER,
        "Luis",
        language="es",
        committee="fremont-high-families",
        available_at="fremont_high",
    ),
    Person("mara", Role.MEMBER, "Mara", language="es", committee="garment-workers-downtown"),
]


@dataclass(frozen=True)
class ReportSpec:
    minutes_ago: int
    description: str
    language: str = "en"
    channel: str = Channel.WEB
    agencies: tuple[str, ...] = ()
    vehicles: int | None = None
    officers: int | None = None
    # Metres north and east of the place: reports of one event are never at one point.
    offset_m: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Check:
    """A dispatch and, when ``outcome`` is set, what the responder found."""

    responder: str
    dispatcher: str
    minutes_ago: int
    acknowledged: bool = True
    outcome: str | None = None
    notes: str = ""
    vehicles: int | None = None
    officers: int | None = None


@dataclass(frozen=True)
class IncidentSpec:
    place: str  # a key of PLACES
    kind: str
    reports: list[ReportSpec]
    check: Check | None = None
    labelled: bool = False  # a dispatcher wrote the public label


INCIDENTS = [
    # new: one report, nobody sent yet.
    IncidentSpec(
        place="santee_alley",
        kind=Kind.PATROL,
        reports=[
            ReportSpec(
                8,
                "Two unmarked SUVs driving slowly down the alley, agents in vests looking "
                "into the shops.",
                agencies=("unknown",),
                vehicles=2,
            )
        ],
    ),
    # new: two independent reports of the same thing.
    IncidentSpec(
        place="home_depot_cypress_park",
        kind=Kind.RAID,
        reports=[
            ReportSpec(
                14,
                "Vans pulled into the parking lot where the day laborers wait. People "
                "running toward the street.",
                agencies=("ice",),
                vehicles=3,
            ),
            ReportSpec(
                11,
                "Agentes con chalecos de ICE en el estacionamiento del Home Depot.",
                language="es",
                channel=Channel.API,
                agencies=("ice",),
                officers=8,
                offset_m=(60, -40),
            ),
        ],
    ),
    # dispatched: rosa is on her way.
    IncidentSpec(
        place="chavez_soto",
        kind=Kind.RAID,
        reports=[
            ReportSpec(
                27,
                "Agentes entrando a un edificio de apartamentos en la esquina de Soto.",
                language="es",
                agencies=("ice", "hsi"),
                vehicles=4,
            ),
            ReportSpec(
                22,
                "Several black vehicles blocking Soto St near Cesar Chavez.",
                agencies=("unknown",),
                vehicles=5,
                offset_m=(-80, 50),
            ),
            ReportSpec(
                19,
                "Veo a gente detenida en la banqueta, no sé de qué agencia.",
                language="es",
                channel=Channel.API,
                offset_m=(40, 90),
            ),
        ],
        check=Check(responder="rosa", dispatcher="dani", minutes_ago=15),
    ),
    # confirmed: checked on the ground.
    IncidentSpec(
        place="pacific_florence",
        kind=Kind.CHECKPOINT,
        reports=[
            ReportSpec(
                95,
                "Checkpoint on Pacific Blvd stopping cars, Border Patrol uniforms.",
                agencies=("cbp",),
                vehicles=6,
                officers=12,
            ),
            ReportSpec(
                88,
                "Retén en Pacific y Florence, están pidiendo papeles.",
                language="es",
                agencies=("cbp",),
                offset_m=(-50, 30),
            ),
        ],
        check=Check(
            responder="luis",
            dispatcher="diego",
            minutes_ago=80,
            outcome=Outcome.CONFIRMED,
            notes="Border Patrol checkpoint at the intersection, cars stopped northbound.",
            vehicles=6,
            officers=10,
        ),
        labelled=True,
    ),
    # false: a rumor, checked and put to rest.
    IncidentSpec(
        place="fremont_high",
        kind=Kind.RAID,
        reports=[
            ReportSpec(
                150,
                "Dicen en un grupo de WhatsApp que ICE está en la puerta de la escuela.",
                language="es",
            ),
        ],
        check=Check(
            responder="luis",
            dispatcher="dani",
            minutes_ago=140,
            outcome=Outcome.FALSE,
            notes="No agents at any gate. School police car only, regular patrol.",
        ),
        labelled=True,
    ),
    # unconfirmed: the responder found nothing by the time they arrived.
    IncidentSpec(
        place="macarthur_park",
        kind=Kind.SURVEILLANCE,
        reports=[
            ReportSpec(
                200,
                "A man photographing vendors from a parked car on Alvarado St.",
                vehicles=1,
            ),
        ],
        check=Check(
            responder="rosa",
            dispatcher="diego",
            minutes_ago=190,
            outcome=Outcome.UNCONFIRMED,
            notes="Walked the park and Alvarado St; nothing unusual by 10 minutes later.",
        ),
        labelled=True,
    ),
]


@dataclass(frozen=True)
class Loaded:
    committees: int
    people: int
    incidents: int
    reports: int
    subscribers: int = 0
    more: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SubscriberSpec:
    channel: str
    address: str
    language: str
    zip_code: str


# Reserved for fiction: 555-0100..0199 numbers and example.org mail.
SUBSCRIBERS = [
    SubscriberSpec("sms", "+12135550101", "es", "90033"),  # Boyle Heights
    SubscriberSpec("sms", "+12135550102", "en", "90033"),
    SubscriberSpec("email", "familia.lopez@example.org", "es", "90011"),  # South LA
    SubscriberSpec("sms", "+13235550103", "ko", "90005"),  # Koreatown
    SubscriberSpec("email", "garment.worker@example.org", "zh-hans", "90021"),  # downtown
    SubscriberSpec("sms", "+12135550104", "tl", "90057"),  # Westlake / MacArthur Park
]


def is_loaded() -> bool:
    return (
        User.objects.filter(is_demo=True).exists()
        or Committee.objects.filter(is_demo=True).exists()
    )


def clashing_usernames() -> list[str]:
    """Demo usernames already taken by real (non-demo) accounts."""
    names = [person.username for person in PEOPLE]
    return sorted(
        User.objects.filter(username__in=names, is_demo=False).values_list("username", flat=True)
    )


def load(*, now: datetime | None = None) -> Loaded:
    """Write the whole demo network in one transaction (all of it or none)."""
    now = now or timezone.now()
    with transaction.atomic():
        committees = {spec.slug: _committee(spec) for spec in COMMITTEES}
        people = {person.username: _person(person, committees) for person in PEOPLE}
        # Each app adds its own part of the network in ``<app>/demo.py``:
        # ``load(*, now, people, committees) -> dict[str, int]`` (what it made, counted).
        # Before the incidents: a committee's responders are dispatched only with a
        # valid training, which the organizing app's part records.
        more: dict[str, int] = {}
        for module in app_modules("demo"):
            more.update(module.load(now=now, people=people, committees=committees))
        incidents = [_incident(spec, people, now) for spec in INCIDENTS]
        # submit_report makes ordinary rows; the demo marks its own afterwards.
        Incident.objects.filter(pk__in=[i.pk for i in incidents]).update(is_demo=True)
        reports = Report.objects.filter(incident__in=incidents).update(is_demo=True)
        subscribers = _subscribers()
    return Loaded(
        committees=len(committees),
        people=len(people),
        incidents=len(incidents),
        reports=reports,
        subscribers=subscribers,
        more=more,
    )


def _subscribers() -> int:
    made = [
        subscribe(
            channel=spec.channel,
            address=spec.address,
            language=spec.language,
            zip_code=spec.zip_code,
            confirmed=True,
        ).pk
        for spec in SUBSCRIBERS
    ]
    return Subscription.objects.filter(pk__in=made).update(is_demo=True)


def _committee(spec: CommitteeSpec) -> Committee:
    centre = PLACES[spec.centre]
    return Committee.objects.create(
        name=spec.name,
        slug=spec.slug,
        kind=spec.kind,
        description=spec.description,
        area_cells=sorted(geo.cells_within(centre.lat, centre.lng, spec.radius_km)),
        is_demo=True,
    )


def _person(person: Person, committees: dict[str, Committee]) -> User:
    from allauth.mfa.totp.internal.auth import TOTP

    user = User.objects.create_user(
        username=person.username,
        password=person.password,
        role=person.role,
        first_name=person.first_name,
        language=person.language,
        is_demo=True,
    )
    if person.role in MFA_ROLES:
        TOTP.activate(user, DEMO_TOTP_SECRET)
    if person.committee:
        Membership.objects.create(
            committee=committees[person.committee], user=user, role=person.membership
        )
    if person.available_at:
        place = PLACES[person.available_at]
        actions.set_availability(
            responder=user, available=True, lat=place.lat, lng=place.lng, radius_km=5, actor=user
        )
    return user


def _shifted(place: Place, offset_m: tuple[float, float]) -> tuple[float, float]:
    north, east = offset_m
    lat = place.lat + north / 111_200
    lng = place.lng + east / (111_200 * math.cos(math.radians(place.lat)))
    return round(lat, 6), round(lng, 6)


def _incident(spec: IncidentSpec, people: dict[str, User], now: datetime) -> Incident:
    place = PLACES[spec.place]
    incidents: set[Incident] = set()
    for number, report_spec in enumerate(spec.reports):
        lat, lng = _shifted(place, report_spec.offset_m)
        observed_at = now - timedelta(minutes=report_spec.minutes_ago)
        before = _last_event()
        report = actions.submit_report(
            actions.NewReport(
                kind=spec.kind,
                lat=lat,
                lng=lng,
                place=place.label,
                description=report_spec.description,
                observed_at=observed_at,
                agencies=report_spec.agencies,
                vehicles=report_spec.vehicles,
                officers=report_spec.officers,
                language=report_spec.language,
                channel=report_spec.channel,
                # A distinct pseudonym per report: each demo report is an independent source.
                client_key=f"demo:{spec.place}:{number}",
                # Received as soon as it was seen, as most reports are.
                now=observed_at,
            )
        )
        _redate(report.incident, since=before, at=observed_at)
        incidents.add(report.incident)
    if len(incidents) != 1:
        raise ValueError(f"the demo reports at {spec.place} did not make one incident")
    incident = incidents.pop()
    if spec.check is not None:
        _check(incident, spec.check, people, now, label=place.label if spec.labelled else "")
    incident.refresh_from_db()
    return incident


def _check(
    incident: Incident, check: Check, people: dict[str, User], now: datetime, *, label: str
) -> None:
    """Dispatch a responder and, when the check has an outcome, record what they found,
    through the same actions the console and the responder's phone use. The actions
    stamp the current time; each step is then dated when it happened in the story."""
    responder = people[check.responder]
    dispatcher = people[check.dispatcher]
    sent_at = now - timedelta(minutes=check.minutes_ago)

    before = _last_event()
    (dispatch,) = actions.dispatch_responders(
        incident=incident, responders=[responder], actor=dispatcher
    )
    _redate(incident, since=before, at=sent_at)
    Dispatch.objects.filter(pk=dispatch.pk).update(
        created_at=sent_at, acknowledge_by=sent_at + timedelta(minutes=10)
    )
    if check.acknowledged:
        acknowledged_at = sent_at + timedelta(minutes=2)
        before = _last_event()
        actions.acknowledge_dispatch(dispatch=dispatch, actor=responder)
        _redate(incident, since=before, at=acknowledged_at)
        Dispatch.objects.filter(pk=dispatch.pk).update(acknowledged_at=acknowledged_at)
    if check.outcome is None:
        return
    verified_at = sent_at + timedelta(minutes=9)
    before = _last_event()
    verification = actions.verify_incident(
        incident=incident,
        outcome=check.outcome,
        notes=check.notes,
        vehicles=check.vehicles,
        officers=check.officers,
        actor=responder,
    )
    _redate(incident, since=before, at=verified_at)
    Verification.objects.filter(pk=verification.pk).update(created_at=verified_at)
    Dispatch.objects.filter(pk=dispatch.pk).update(completed_at=verified_at)
    Incident.objects.filter(pk=incident.pk).update(verified_at=verified_at)
    if label:
        # The dispatcher names the place for the public pages once it has been checked.
        labelled_at = verified_at + timedelta(minutes=1)
        before = _last_event()
        actions.set_public_label(incident=incident, label=label, actor=dispatcher)
        _redate(incident, since=before, at=labelled_at)


def _last_event() -> int:
    return int(IncidentEvent.objects.aggregate(last=Max("pk"))["last"] or 0)


def _redate(incident: Incident, *, since: int, at: datetime) -> None:
    """Date the timeline rows an action just wrote (and the incident's last change)
    ``at``: the demo story happened over the last hours, not at load time."""
    IncidentEvent.objects.filter(pk__gt=since, incident=incident).update(created_at=at)
    Incident.objects.filter(pk=incident.pk).update(updated_at=at)


@dataclass(frozen=True)
class SignIn:
    role: str
    username: str
    password: str
    two_factor: bool


def sign_ins() -> list[SignIn]:
    return [
        SignIn(
            role=person.role,
            username=person.username,
            password=person.password,
            two_factor=person.role in MFA_ROLES,
        )
        for person in PEOPLE
    ]


def current_totp_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
