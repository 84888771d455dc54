"""The sprint pages (``app_name = "sprints"``): the sprints of the member's teams and of a
team, planning, the board and the sprint's report."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.sprints.views import board, planning, report

app_name = "sprints"

W = "w/<slug:workspace_slug>/"
S = W + "sprints/<int:sprint_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "sprints", planning.sprints_home, name="home"),
    path(W + "teams/<slug:team_slug>/sprints", planning.team_sprints, name="team"),
    # planning
    path(S + "plan", planning.plan, name="plan"),
    path(S + "items/add", planning.item_add, name="item_add"),
    path(S + "items/remove", planning.item_remove, name="item_remove"),
    path(S + "capacity", planning.capacity, name="capacity"),
    path(S + "goal", planning.goal, name="goal"),
    path(S + "start", planning.start, name="start"),
    # the board
    path(S + "board", board.board, name="board"),
    path(S + "board/live", board.board_live, name="board_live"),
    path(S + "board/move", board.move, name="move"),
    path(S + "board/limits", board.limits, name="limits"),
    # the report
    path(W + "sprints/<int:sprint_id>", report.report, name="report"),
    path(S + "notes", report.notes, name="notes"),
    path(S + "close", report.close, name="close"),
]
