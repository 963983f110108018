"""``vecinos committee``: committees from the command line (the operator, who already
holds the server, acts as an admin; the history records no actor).

    vecinos committee create "Boyle Heights" --kind neighborhood --zip 90033 --zip 90023 \\
        --language es --language en [--slug boyle-heights] [--coordinator carmen]
    vecinos committee add-coordinator boyle-heights carmen
    vecinos committee list [--zip 90033]
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vecinos.accounts.models import User
from vecinos.committees import actions, queries
from vecinos.core import areas


def _problem(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create committees, name their coordinators, list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a committee")
        create.add_argument("name")
        create.add_argument(
            "--kind", required=True, choices=["neighborhood", "school", "workplace"]
        )
        create.add_argument("--slug", default="")
        create.add_argument("--description", default="")
        create.add_argument("--zip", action="append", default=[], dest="zips")
        create.add_argument("--lat", type=float)
        create.add_argument("--lng", type=float)
        create.add_argument("--radius-km", type=float)
        create.add_argument("--language", action="append", default=[], dest="languages")
        create.add_argument("--coordinator", action="append", default=[], dest="coordinators")
        add = sub.add_parser("add-coordinator", help="name a coordinator of a committee")
        add.add_argument("slug")
        add.add_argument("username")
        listing = sub.add_parser("list", help="list committees")
        listing.add_argument("--zip", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except ValidationError as error:
            raise CommandError(_problem(error)) from None
        except actions.InvalidState as error:
            raise CommandError(str(error)) from None

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is called {username}.")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        coordinators = [self._user(name) for name in options["coordinators"]]
        point = options["lat"], options["lng"], options["radius_km"]
        area = actions.AreaInput(
            zip_codes=options["zips"],
            lat=point[0],
            lng=point[1],
            radius_km=point[2],
        )
        committee = actions.create_committee(
            name=options["name"],
            kind=options["kind"],
            slug=options["slug"],
            description=options["description"],
            languages=options["languages"] or ["en"],
            area=area,
            actor=None,
        )
        for user in coordinators:
            actions.name_coordinator(committee=committee, user=user, actor=None)
        self.stdout.write(
            f"created {committee.slug}: {len(committee.area_cells)} cells, "
            f"coordinators: {', '.join(u.username for u in coordinators) or 'none yet'}"
        )

    def _add_coordinator(self, options: dict[str, Any]) -> None:
        found = queries.public_committees().filter(slug=options["slug"]).first()
        if found is None:
            raise CommandError(f"No committee has the slug {options['slug']}.")
        user = self._user(options["username"])
        actions.name_coordinator(committee=found, user=user, actor=None)
        self.stdout.write(f"{user.username} coordinates {found.slug}")

    def _list(self, options: dict[str, Any]) -> None:
        cells = None
        if options["zip"]:
            try:
                cells = areas.zip_area(options["zip"]).cells
            except areas.AreaError as error:
                raise CommandError(error.message) from None
        for committee in queries.public_committees(cells=cells):
            count = committee.member_count  # type: ignore[attr-defined]
            self.stdout.write(
                f"{committee.slug}\t{committee.kind}\t{count} members\t{committee.name}"
            )
