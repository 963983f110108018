"""`vecinos committee create / add-coordinator / list`: the operator creates a
committee by ZIP codes, names its first coordinator, and lists committees near a ZIP."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from vecinos.committees.models import Committee, CommitteeCell, Membership

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("committee", *args, stdout=out)
    return out.getvalue()


def test_create_name_a_coordinator_and_list(mara, carmen) -> None:
    output = run(
        "create",
        "Boyle Heights",
        "--kind",
        "neighborhood",
        "--zip",
        "90033",
        "--language",
        "es",
        "--coordinator",
        "carmen",
    )
    committee = Committee.objects.get(slug="boyle-heights")
    assert "created boyle-heights" in output
    assert committee.zip_codes == ["90033"] and committee.languages == ["es"]
    assert (
        CommitteeCell.objects.filter(committee=committee).count() == len(committee.area_cells) > 0
    )
    assert Membership.objects.get(committee=committee, user=carmen).role == "coordinator"

    run("add-coordinator", "boyle-heights", "mara")
    mara.refresh_from_db()
    assert Membership.objects.get(committee=committee, user=mara).role == "coordinator"
    assert mara.role == "coordinator"  # raised so that two-factor sign-in applies

    assert "boyle-heights" in run("list", "--zip", "90033")
    assert "boyle-heights" not in run("list", "--zip", "90291")


def test_bad_input_is_a_clear_error(carmen) -> None:
    with pytest.raises(CommandError, match="ZIP"):
        run("create", "X", "--kind", "school", "--zip", "00000")
    with pytest.raises(CommandError, match="nobody"):
        run("create", "X", "--kind", "school", "--coordinator", "nobody")
    with pytest.raises(CommandError, match="slug"):
        run("add-coordinator", "missing", "carmen")
