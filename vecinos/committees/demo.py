"""The committees' part of the demo network (found by ``vecinos/core/demo.py``): each
demo committee gets its public page, its area rows, languages and members with aliases
and contacts (555 numbers and example.org addresses), and Boyle Heights also join
requests, an invite, announcements and tasks. Demo members who are not among the
printed sign-ins get no password (they never sign in)."""

from __future__ import annotations

from datetime import datetime, timedelta

from vecinos.accounts.models import Role, User
from vecinos.committees import actions
from vecinos.committees.models import (
    Announcement,
    Committee,
    CommitteeCell,
    Invite,
    JoinRequest,
    Membership,
    MembershipRole,
    Task,
)

PAGES = {
    "boyle-heights": {
        "zip_codes": ["90033", "90023"],
        "area_label": "zip:90033,90023",
        "languages": ["es", "en"],
        "meets": "Tuesdays 7 pm, Mariachi Plaza community room",
        "how_to_join": "Ask to join below; a member who knows you vouches for you.",
        "hotline": "+13235550100",
        "requires_vouch": True,
    },
    "fremont-high-families": {
        "zip_codes": ["90003"],
        "area_label": "zip:90003",
        "languages": ["es", "en"],
        "meets": "First Thursday of the month, 6 pm, school library",
        "how_to_join": "Parents and families of Fremont High: ask to join below.",
        "hotline": "+13235550200",
        "requires_vouch": False,
    },
    "garment-workers-downtown": {
        "zip_codes": ["90015", "90021"],
        "area_label": "zip:90015,90021",
        "languages": ["es", "en"],
        "meets": "Sundays 11 am, union hall on Los Angeles St",
        "how_to_join": "Ask a co-worker for an invite, or ask to join below.",
        "hotline": "",
        "requires_vouch": False,
    },
}

# (username of a core demo person, alias, contact) for their existing memberships.
ALIASES = {
    "carmen": ("Carmen B.", "+13235550101"),
    "rosa": ("Rosa del barrio", "+13235550102"),
    "luis": ("Luis F.", "+13235550103"),
    "mara": ("Mara", "mara@example.org"),
}

# More members: (committee, username, alias, contact, language).
MEMBERS = [
    ("boyle-heights", "demo-lupe", "Lupe", "+13235550111", "es"),
    ("boyle-heights", "demo-teo", "Teo", "teo@example.org", "en"),
    ("boyle-heights", "demo-ines", "Inés", "+13235550113", "es"),
    ("fremont-high-families", "demo-jose", "José", "+13235550121", "es"),
    ("garment-workers-downtown", "demo-mei", "Mei", "mei@example.org", "en"),
]

REQUESTS = [
    ("boyle-heights", "Vecina de Soto", "+13235550131", "es", "Vivo en la calle Soto."),
    ("boyle-heights", "Tomás", "tomas@example.org", "en", "Lupe told me about the committee."),
    ("fremont-high-families", "Mamá de Ana", "+13235550141", "es", "Mi hija estudia en Fremont."),
]


def load(
    *, now: datetime, people: dict[str, User], committees: dict[str, Committee]
) -> dict[str, int]:
    for slug, page in PAGES.items():
        committee = committees.get(slug)
        if committee is None:
            continue
        for field, value in page.items():
            setattr(committee, field, value)
        committee.save()
        CommitteeCell.objects.bulk_create(
            [CommitteeCell(committee=committee, cell=cell) for cell in committee.area_cells]
        )
    for username, (alias, contact) in ALIASES.items():
        user = people.get(username)
        if user is None:
            continue
        for membership in Membership.objects.filter(user=user):
            _set_contact(membership, alias, contact, user.language or "es")
    members = 0
    for slug, username, alias, contact, language in MEMBERS:
        user = User.objects.create_user(
            username=username, password=None, role=Role.MEMBER, language=language, is_demo=True
        )
        membership = Membership(
            committee=committees[slug],
            user=user,
            role=MembershipRole.MEMBER,
            joined_at=now - timedelta(days=30 + members),
        )
        _set_contact(membership, alias, contact, language)
        members += 1
    requests = 0
    for slug, alias, contact, language, why in REQUESTS:
        channel, normal, key = actions.normalize_contact(
            "email" if "@" in contact else "sms", contact
        )
        JoinRequest.objects.create(
            committee=committees[slug],
            alias=alias,
            channel=channel,
            contact=normal,
            contact_hash=key,
            language=language,
            why=why,
            created_at=now - timedelta(hours=5 + requests),
            vouched_by=people.get("rosa") if requests == 1 else None,
            vouched_at=now - timedelta(hours=2) if requests == 1 else None,
        )
        requests += 1
    boyle = committees["boyle-heights"]
    carmen = people.get("carmen")
    Invite.objects.create(
        committee=boyle,
        label="Flyers at Mariachi Plaza",
        prefix="DEMOin",
        code_hash=actions.invite_code_hash("DEMO-invite-boyle-heights"),
        max_uses=10,
        uses=2,
        expires_at=now + timedelta(days=7),
        created_by=carmen,
    )
    announcements = [
        Announcement(
            committee=boyle,
            author=carmen,
            texts={
                "es": {
                    "subject": "Reunión del martes",
                    "body": "Este martes repasamos el plan de respuesta rápida. "
                    "Traiga a un vecino.",
                },
                "en": {
                    "subject": "Tuesday meeting",
                    "body": "This Tuesday we go over the rapid-response plan. Bring a neighbor.",
                },
            },
            recipients=6,
            created_at=now - timedelta(days=2),
        ),
        Announcement(
            committee=boyle,
            author=carmen,
            texts={
                "es": {
                    "subject": "Taller de conozca sus derechos",
                    "body": "Sábado a las 10 am en la biblioteca Benjamín Franklin.",
                },
                "en": {
                    "subject": "Know-your-rights workshop",
                    "body": "Saturday 10 am at the Benjamin Franklin library.",
                },
            },
            recipients=6,
            created_at=now - timedelta(days=9),
        ),
    ]
    Announcement.objects.bulk_create(announcements)
    lupe = User.objects.get(username="demo-lupe")
    tasks = [
        Task(
            committee=boyle,
            title="Flyers at the Roosevelt High gate",
            notes="Know-your-rights cards, Spanish and English.",
            assignee=lupe,
            due_on=(now + timedelta(days=3)).date(),
            created_by=carmen,
        ),
        Task(
            committee=boyle,
            title="Phone tree: call list for 1st Street",
            assignee=people.get("rosa"),
            status=Task.Status.DOING,
            due_on=(now + timedelta(days=1)).date(),
            created_by=carmen,
        ),
        Task(committee=boyle, title="Book the room for the next meeting", created_by=carmen),
    ]
    Task.objects.bulk_create(tasks)
    return {
        "committee members": members,
        "join requests": requests,
        "invites": 1,
        "announcements": len(announcements),
        "tasks": len(tasks),
    }


def _set_contact(membership: Membership, alias: str, contact: str, language: str) -> None:
    channel, normal, key = actions.normalize_contact("email" if "@" in contact else "sms", contact)
    membership.alias = alias
    membership.channel = channel
    membership.contact = normal
    membership.contact_hash = key
    membership.language = language if language in ("en", "es") else "en"
    membership.save()
