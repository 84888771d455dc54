"""The discovery routes' rows of the permission matrix (see ``tests/api/matrix_support.py``):
everyone in the workspace reads; every member who may write records; viewers never write."""

from __future__ import annotations

from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.discovery import risk_services, services
from lodestar.discovery.portal_models import PortalSubmission, SubmissionState
from lodestar.discovery.portal_moderation import idea_create
from lodestar.discovery.portal_services import portal_update
from lodestar.strategy import services as strategy
from lodestar.strategy.models import ProductOwnerHat
from tests.api.matrix_support import ADMIN, OWNER, PO, WRITERS, World, read, row

W = "/workspaces/{workspace_slug}"
CUSTOMER = W + "/customers/{customer_id}"
CONTACT = W + "/contacts/{contact_id}"
FEEDBACK = W + "/feedback/{feedback_id}"
INSIGHT = W + "/insights/{insight_id}"
PROBLEM = W + "/problems/{problem_id}"
PORTAL = W + "/products/{product_key}/portal"

ROWS: dict[str, dict[str, int]] = {
    f"GET {W}/customers": read(),
    f"POST {W}/customers": row(201, WRITERS),
    f"GET {CUSTOMER}": read(),
    f"PATCH {CUSTOMER}": row(200, WRITERS),
    f"DELETE {CUSTOMER}": row(204, WRITERS),
    f"POST {CUSTOMER}/merge": row(200, WRITERS),
    f"GET {W}/contacts": read(),
    f"POST {W}/contacts": row(201, WRITERS),
    f"GET {CONTACT}": read(),
    f"PATCH {CONTACT}": row(200, WRITERS),
    f"GET {W}/feedback": read(),
    f"POST {W}/feedback": row(201, WRITERS),
    f"GET {FEEDBACK}": read(),
    f"PATCH {FEEDBACK}": row(200, WRITERS),
    f"DELETE {FEEDBACK}": row(204, WRITERS),
    f"GET {FEEDBACK}/similar": read(),
    f"GET {W}/insights": read(),
    f"POST {W}/insights": row(201, WRITERS),
    f"GET {INSIGHT}": read(),
    f"PATCH {INSIGHT}": row(200, WRITERS),
    f"DELETE {INSIGHT}": row(204, WRITERS),
    f"GET {W}/problems": read(),
    f"POST {W}/problems": row(201, WRITERS),
    f"GET {PROBLEM}": read(),
    f"PATCH {PROBLEM}": row(200, WRITERS),
    f"DELETE {PROBLEM}": row(204, WRITERS),
    f"GET {PROBLEM}/items": read(),
    f"POST {PROBLEM}/items": row(200, WRITERS),
    f"DELETE {PROBLEM}/items/{{item_key}}": row(204, WRITERS),
    # The public portal's setting: read by everyone, changed by the product's owner or admins.
    f"GET {PORTAL}": read(),
    f"PUT {PORTAL}": row(200, {OWNER, ADMIN, PO}),
    # The moderation of the portal: read by everyone, done by every writer.
    f"GET {PORTAL}/submissions": read(),
    f"POST {PORTAL}/submissions/{{submission_id}}/accept": row(201, WRITERS),
    f"POST {PORTAL}/submissions/{{submission_id}}/reject": row(200, WRITERS),
    f"GET {PORTAL}/ideas": read(),
    f"GET {PORTAL}/ideas/{{idea_id}}": read(),
    f"POST {PORTAL}/ideas/{{idea_id}}/publish": row(200, WRITERS),
    f"POST {PORTAL}/ideas/{{idea_id}}/unpublish": row(200, WRITERS),
    f"PUT {PORTAL}/ideas/{{idea_id}}/status": row(200, WRITERS),
    f"GET {PROBLEM}/portal-ideas": read(),
    f"PUT {PROBLEM}/portal-ideas/{{idea_id}}": row(200, WRITERS),
    f"DELETE {PROBLEM}/portal-ideas/{{idea_id}}": row(204, WRITERS),
    # The problems a backlog item solves (the item's own answer is the backlog's).
    f"GET {W}/items/{{item_key}}/problems": read(),
    f"POST {W}/customers/import": row(200, WRITERS),
    f"POST {W}/feedback/import": row(200, WRITERS),
}

BODIES: dict[str, object] = {
    f"POST {W}/customers": {"name": "Umbrella", "segment": "SMB", "arr": "5000"},
    f"PATCH {CUSTOMER}": {"arr": "7000.50"},
    f"POST {CUSTOMER}/merge": {"into": 0},  # set by setup, below
    f"POST {W}/contacts": {"customer": "Globex", "email": "new@globex.test"},
    f"PATCH {CONTACT}": {"title": "CTO"},
    f"POST {W}/feedback": {"text": "Exports are slow", "customer": "Globex", "tags": ["export"]},
    f"PATCH {FEEDBACK}": {"state": "triaged"},
    f"POST {W}/insights": {"feedback": 0, "quote": "slow", "problems": []},
    f"PATCH {INSIGHT}": {"note": "Said twice"},
    f"POST {W}/problems": {"title": "Exports take too long"},
    f"PATCH {PROBLEM}": {"status": "validated"},
    f"POST {PROBLEM}/items": {"items": ["ACME-1"]},
    f"PUT {PORTAL}": {"enabled": True, "title": "Acme ideas"},
    f"POST {PORTAL}/submissions/{{submission_id}}/accept": {"title": "Dark mode", "problem": 0},
    f"PUT {PORTAL}/ideas/{{idea_id}}/status": {"status": "planned"},
    # Uploads: the file itself is the body (CONTENT_TYPES).
    f"POST {W}/customers/import": "name,segment\nUmbrella,SMB\n",
    f"POST {W}/feedback/import": "text,customer\nExports are slow,Umbrella\n",
}
CONTENT_TYPES = {
    f"POST {W}/customers/import": "text/csv",
    f"POST {W}/feedback/import": "text/csv",
}


def setup(world: World) -> dict[str, str]:
    actor = world.owner.actor
    product = strategy.product_create(actor=actor, key="ACME", name="Acme Analytics")
    item = backlog.item_create(actor=actor, product=product, title="Faster export")
    globex = services.customer_create(actor=actor, name="Globex", segment="Enterprise", arr=1000)
    initech = services.customer_create(actor=actor, name="Initech")
    contact = services.contact_create(actor=actor, customer=globex, email="ana@globex.test")
    feedback = services.feedback_create(actor=actor, text="Exports are slow", customer=globex)
    problem = services.problem_create(actor=actor, title="Exports are slow")
    insight = services.insight_create(
        actor=actor, feedback=feedback, quote="slow", problems=[problem]
    )
    services.problem_items_link(actor=actor, problem=problem, items=[item])
    # ``po`` is the product owner of ACME (the portal's setting is theirs to change).
    ProductOwnerHat.objects.create(product=product, member=world.po.membership)
    BODIES[f"POST {CUSTOMER}/merge"] = {"into": globex.pk}
    BODIES[f"POST {W}/insights"] = {"feedback": feedback.pk, "quote": "slow"}
    # The portal: open, one confirmed submission waiting, one idea (linked to the problem).
    portal_update(actor=actor, product=product, enabled=True)
    submission = PortalSubmission.objects.create(
        workspace=world.workspace,
        product=product,
        title="Dark mode",
        email="visitor@example.com",
        state=SubmissionState.QUEUED,
        confirmed_at=timezone.now(),
    )
    idea = idea_create(actor=actor, product=product, title="Scheduled reports", problem=problem)
    BODIES[f"POST {PORTAL}/submissions/{{submission_id}}/accept"] = {
        "title": "Dark mode",
        "problem": problem.pk,
    }
    # Product risks and experiments: an epic (ACME-2) and an experiment on the problem and it.
    epic = backlog.item_create(actor=actor, product=product, title="Exports", kind="epic")
    experiment = risk_services.experiment_create(
        actor=actor, product=product, title="Export survey", problems=[problem], items=[epic]
    )
    return {
        "experiment_id": str(experiment.pk),
        # Initech has no feedback: it may be trashed, and merged into Globex.
        "customer_id": str(initech.pk),
        "contact_id": str(contact.pk),
        "feedback_id": str(feedback.pk),
        "insight_id": str(insight.pk),
        "problem_id": str(problem.pk),
        "item_key": item.key,
        "product_key": product.key,
        "submission_id": str(submission.pk),
        "idea_id": str(idea.pk),
    }


# -- a product's discovery settings: read by everyone, chosen by its product owner or an admin.

PRODUCT = W + "/products/{product_key}"
ROWS[f"GET {PRODUCT}/discovery"] = read()
ROWS[f"PUT {PRODUCT}/discovery"] = row(200, {OWNER, ADMIN, PO})
BODIES[f"PUT {PRODUCT}/discovery"] = {"reach_from": "contacts"}


# -- product risks (on problems and epics) and experiments: everyone reads, writers write.

EXPERIMENT = W + "/experiments/{experiment_id}"
EPIC = {"item_key": "ACME-2"}  # the epic ``setup`` makes (risks are on epics only)
ROWS |= {
    f"GET {PROBLEM}/risks": read(),
    f"PUT {PROBLEM}/risks/{{kind}}": row(200, WRITERS),
    f"GET {W}/items/{{item_key}}/risks": read(),
    f"PUT {W}/items/{{item_key}}/risks/{{kind}}": row(200, WRITERS),
    f"GET {W}/experiments": read(),
    f"POST {W}/experiments": row(201, WRITERS),
    f"GET {EXPERIMENT}": read(),
    f"PATCH {EXPERIMENT}": row(200, WRITERS),
    f"DELETE {EXPERIMENT}": row(204, WRITERS),
    f"POST {EXPERIMENT}/links": row(200, WRITERS),
    f"DELETE {EXPERIMENT}/problems/{{problem_id}}": row(204, WRITERS),
    f"DELETE {EXPERIMENT}/items/{{item_key}}": row(204, WRITERS),
}
BODIES |= {
    f"PUT {PROBLEM}/risks/{{kind}}": {"status": "testing", "note": "Five interviews booked"},
    f"PUT {W}/items/{{item_key}}/risks/{{kind}}": {"status": "addressed", "note": "Fake door: 9%"},
    f"POST {W}/experiments": {
        "product": "ACME",
        "title": "Pricing page fake door",
        "method": "fake_door",
        "success_signal": "5% click through",
    },
    f"PATCH {EXPERIMENT}": {"status": "concluded", "result": "validated"},
    f"POST {EXPERIMENT}/links": {"items": ["ACME-1"]},
}
PARAMS = {
    f"PUT {PROBLEM}/risks/{{kind}}": {"kind": "value"},
    f"GET {W}/items/{{item_key}}/risks": EPIC,
    f"PUT {W}/items/{{item_key}}/risks/{{kind}}": {**EPIC, "kind": "usability"},
    f"DELETE {EXPERIMENT}/items/{{item_key}}": EPIC,
}
