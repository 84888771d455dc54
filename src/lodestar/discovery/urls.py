"""The discovery pages (``app_name = "discovery"``): each part of the context keeps its routes in
its own views module and lists them here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.discovery.views import backlog, customers, feedback, imports, portal, problems, risks

app_name = "discovery"

W = "w/<slug:workspace_slug>/"
ITEM_PROBLEMS = W + "items/<str:item_key>/problems"
# The portal of a product, as the team sees it (the public pages are in ``portal_urls``).
PORTAL = "w/<slug:workspace_slug>/products/<str:product_key>/portal"

urlpatterns: list[URLPattern | URLResolver] = [
    # importing customers and feedback from CSV files
    path(W + "import", imports.import_page, name="import"),
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
    # product risks (on problems and epics) and experiments
    path(
        W + "problems/<str:ref>/risks/<str:kind>",
        risks.risk_set,
        {"subject_kind": "problem"},
        name="problem_risk_set",
    ),
    path(
        W + "items/<str:ref>/risks/<str:kind>",
        risks.risk_set,
        {"subject_kind": "item"},
        name="item_risk_set",
    ),
    path(W + "experiments", risks.experiment_list_page, name="experiment_list"),
    path(W + "experiments/new", risks.experiment_new, name="experiment_new"),
    path(W + "experiments/<int:experiment_id>", risks.experiment_detail, name="experiment_detail"),
    path(
        W + "experiments/<int:experiment_id>/links", risks.experiment_link, name="experiment_link"
    ),
    path(
        W + "experiments/<int:experiment_id>/problems/<str:ref>/unlink",
        risks.experiment_unlink,
        {"subject_kind": "problem"},
        name="experiment_problem_unlink",
    ),
    path(
        W + "experiments/<int:experiment_id>/items/<str:ref>/unlink",
        risks.experiment_unlink,
        {"subject_kind": "item"},
        name="experiment_item_unlink",
    ),
    # customers
    path(W + "customers", customers.customer_list_page, name="customer_list"),
    path(W + "customers/<int:customer_id>", customers.customer_detail, name="customer_detail"),
    path(W + "customers/<int:customer_id>/contacts", customers.contact_add, name="contact_add"),
    path(W + "customers/<int:customer_id>/merge", customers.customer_merge, name="customer_merge"),
    # the portal: its setting and moderation queue
    path(PORTAL, portal.portal_settings, name="portal_settings"),
    path(PORTAL + "/queue", portal.portal_queue, name="portal_queue"),
    path(
        PORTAL + "/submissions/<int:submission_id>/publish",
        portal.submission_decide,
        {"decision": "publish"},
        name="portal_publish",
    ),
    path(
        PORTAL + "/submissions/<int:submission_id>/merge",
        portal.submission_decide,
        {"decision": "merge"},
        name="portal_merge",
    ),
    path(
        PORTAL + "/submissions/<int:submission_id>/reject",
        portal.submission_decide,
        {"decision": "reject"},
        name="portal_reject",
    ),
    path(PORTAL + "/ideas", portal.idea_post, name="portal_idea_post"),
    path(PORTAL + "/ideas/<int:idea_id>", portal.idea_change, name="portal_idea"),
    path(PORTAL + "/ideas/<int:idea_id>/problem", portal.idea_problem, name="portal_idea_problem"),
    # Problems in the backlog: an item's problems, and what a product's reach counts.
    path(ITEM_PROBLEMS + "/search", backlog.item_problem_search, name="item_problem_search"),
    path(ITEM_PROBLEMS + "/link", backlog.item_problem_link, name="item_problem_link"),
    path(
        ITEM_PROBLEMS + "/<int:problem_id>/unlink",
        backlog.item_problem_unlink,
        name="item_problem_unlink",
    ),
    path(
        W + "products/<str:product_key>/discovery",
        backlog.product_discovery,
        name="product_discovery",
    ),
]
