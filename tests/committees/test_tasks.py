"""Tasks: coordinators create and assign them to members; the member a task is
assigned to moves its status; nobody else does."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from vecinos.committees import actions
from vecinos.committees.models import Task

pytestmark = pytest.mark.django_db


def test_carmen_assigns_a_task_and_mara_finishes_it(world, carmen, mara) -> None:
    response = world.client("carmen").post(
        reverse("committees:tasks", kwargs={"slug": world.committee.slug}),
        {"title": "Flyers at the school gate", "assignee": mara.pk, "due_on": "2026-12-10"},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.assignee, task.due_on, task.status) == (mara, date(2026, 12, 10), "open")

    world.client("mara").post(
        reverse(
            "committees:task_update", kwargs={"slug": world.committee.slug, "task_id": task.pk}
        ),
        {"status": "done"},
    )
    task.refresh_from_db()
    assert task.status == "done"


def test_rosa_cannot_move_maras_task_nor_can_a_task_go_to_an_outsider(
    world, carmen, mara, olga
) -> None:
    task = actions.create_task(
        committee=world.committee, title="Calls", assignee=mara, actor=carmen
    )
    response = world.client("rosa").post(
        reverse(
            "committees:task_update", kwargs={"slug": world.committee.slug, "task_id": task.pk}
        ),
        {"status": "done"},
    )
    assert response.status_code == 403
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.create_task(committee=world.committee, title="x", assignee=olga, actor=carmen)
