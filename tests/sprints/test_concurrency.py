"""Two members starting two sprints of one team at the same moment: one starts, the other is
told the team already runs one; never two active sprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lodestar.core.errors import Invalid
from lodestar.people.models import Team
from lodestar.sprints import services
from lodestar.sprints.access import access_sprint
from lodestar.sprints.models import Sprint, SprintState
from lodestar.strategy.models import Product
from tests.concurrency import run_concurrently, shared_database
from tests.conftest import Persona
from tests.sprints.conftest import END, START


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_leave_one_active_sprint(
    owner: Persona, developer: Persona, team: Team, product: Product, tmp_path: Path
) -> None:
    ids = [
        services.sprint_create(
            actor=owner.actor, team=team, name=f"Sprint {n}", start_date=START, end_date=END
        ).pk
        for n in (1, 2)
    ]
    refusals: list[str] = []

    def start(n: int, wait: Any) -> None:
        actor = (owner, developer)[n].actor
        sprint = access_sprint(actor, ids[n])
        wait()
        try:
            services.sprint_start(actor=actor, sprint=sprint, goal=f"Goal {n}")
        except Invalid as error:
            refusals.append(error.code)

    with shared_database(tmp_path):
        run_concurrently(2, start)
        active = Sprint.objects.filter(team=team, state=SprintState.ACTIVE).count()
    assert active == 1
    assert refusals == ["sprint_already_active"]
