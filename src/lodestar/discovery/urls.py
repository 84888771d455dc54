"""The discovery pages (``app_name = "discovery"``): each part of the context keeps its routes in
its own views module and lists them here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.discovery.views import customers, feedback, problems

app_name = "discovery"

W = "w/<slug:workspace_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    # feedback: the inbox, capturing, one piece with its insights
    path(W + "feedback", feedback.inbox, name="feedback_list"),
    path(W + "feedback/new", feedback.capture, name="feedback_capture"),
    path(W + "feedback/<int:feedback_id>", feedback.detail, name="feedback_detail"),
    path(W + "feedback/<int:feedback_id>/state", feedback.feedback_state, name="feedback_state"),
    path(
        W + "feedback/<int:feedback_id>/insights",
        feedback.insight_create,
        name="feedback_insight_create",
    ),
    path(W + "feedback/<int:feedback_id>/link", feedback.link_problem, name="feedback_link"),
    # problems and their evidence
    path(W + "problems", problems.problem_list_page, name="problem_list"),
    path(W + "problems/<int:problem_id>", problems.problem_detail, name="problem_detail"),
    path(W + "problems/<int:problem_id>/items", problems.item_link, name="problem_item_link"),
    path(
        W + "problems/<int:problem_id>/items/<str:item_key>/unlink",
        problems.item_unlink,
        name="problem_item_unlink",
    ),
    # customers
    path(W + "customers", customers.customer_list_page, name="customer_list"),
    path(W + "customers/<int:customer_id>", customers.customer_detail, name="customer_detail"),
    path(W + "customers/<int:customer_id>/contacts", customers.contact_add, name="contact_add"),
    path(W + "customers/<int:customer_id>/merge", customers.customer_merge, name="customer_merge"),
]
