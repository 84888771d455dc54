"""The portal's moderation through the API: the queue of confirmed submissions (accept as a
new idea or into an existing one, reject), the ideas (publish, unpublish, set the public
status) and their links to customer problems. The same services as the moderation page."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, InSchema, Limit, PageOut
from lodestar.core.errors import FieldError, Invalid, NotFound
from lodestar.core.pagination import paginate
from lodestar.discovery.access import access_problem
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.portal_access import access_portal_idea, access_portal_submission
from lodestar.discovery.portal_links import (
    idea_problem_link,
    idea_problem_unlink,
    idea_status_set,
)
from lodestar.discovery.portal_models import PortalIdea, PortalSubmission
from lodestar.discovery.portal_moderation import (
    idea_update,
    submission_merge,
    submission_publish,
    submission_reject,
)
from lodestar.discovery.portal_selectors import (
    portal_idea_list,
    problem_portal_ideas,
    submission_list,
)
from lodestar.discovery.refs import problem_ref
from lodestar.people.policy import Actor
from lodestar.strategy.access import access_product

router = Router(tags=["discovery"])

WS = "/{workspace_slug}"
PORTAL = WS + "/products/{product_key}/portal"
SUBMISSION = PORTAL + "/submissions/{submission_id}"
IDEA = PORTAL + "/ideas/{idea_id}"
PROBLEM_IDEAS = WS + "/problems/{problem_id}/portal-ideas"

IdeaStatusName = Literal["under_review", "planned", "in_progress", "released", "closed"]
SubmissionStateName = Literal["queued", "published", "merged", "rejected"]


class PortalIdeaOut(Schema):
    id: int
    product: str
    title: str
    description: str
    status: IdeaStatusName
    status_by_hand: bool = Field(
        description="True when the team set the status by hand: it no longer follows the "
        "linked problem's status"
    )
    published: bool
    problem: int | None = Field(description="The customer problem it is linked to")
    votes: int = Field(description="Confirmed votes (one per email address)")
    submissions: int = Field(description="Submissions published as or merged into it")
    address: str | None = Field(description="Its public page's path, when published")
    created_at: dt.datetime
    version: int

    @staticmethod
    def of(actor: Actor, idea: PortalIdea) -> PortalIdeaOut:
        key = idea.product.key
        return PortalIdeaOut(
            id=idea.pk,
            product=key,
            title=idea.title,
            description=idea.description,
            status=idea.status,  # type: ignore[arg-type]
            status_by_hand=idea.status_by_hand,
            published=idea.published,
            problem=idea.problem_id,
            votes=getattr(idea, "vote_count", 0),
            submissions=getattr(idea, "submission_count", 0),
            address=reverse(
                "portal:idea",
                kwargs={
                    "workspace_slug": actor.workspace.slug,
                    "product_key": key,
                    "idea_id": idea.pk,
                },
            )
            if idea.published
            else None,
            created_at=idea.created_at,
            version=idea.version,
        )


class PortalSubmissionOut(Schema):
    id: int
    product: str
    title: str
    description: str
    email: str = Field(description="The visitor's address (never shown on the portal)")
    state: SubmissionStateName
    confirmed_at: dt.datetime | None
    feedback: int | None = Field(description="The feedback it became (source portal)")
    customer: str | None = Field(description="The customer of the visitor's contact, if known")
    idea: int | None = Field(description="The idea it was published as or merged into")
    decided_by: str | None
    decided_at: dt.datetime | None
    version: int

    @staticmethod
    def of(submission: PortalSubmission) -> PortalSubmissionOut:
        feedback = submission.feedback
        return PortalSubmissionOut(
            id=submission.pk,
            product=submission.product.key,
            title=submission.title,
            description=submission.description,
            email=submission.email,
            state=submission.state,  # type: ignore[arg-type]
            confirmed_at=submission.confirmed_at,
            feedback=submission.feedback_id,
            customer=feedback.customer.name if feedback and feedback.customer else None,
            idea=submission.idea_id,
            decided_by=submission.decided_by.email if submission.decided_by else None,
            decided_at=submission.decided_at,
            version=submission.version,
        )


class SubmissionAcceptIn(InSchema):
    idea: Id | None = Field(
        default=None,
        description="Merge into this idea of the product's portal; leave out to publish the "
        "submission as a new idea",
    )
    title: str | None = Field(
        default=None, description="A new idea's public title (the visitor's by default)"
    )
    description: str | None = Field(
        default=None, description="A new idea's public description (the visitor's by default)"
    )
    status: IdeaStatusName | None = Field(
        default=None,
        description="A new idea's public status; with a problem, given means set by hand, "
        "left out means it follows the problem (under review without one)",
    )
    problem: Id | None = Field(
        default=None, description="Link the idea (new or merged into) to this customer problem"
    )


class IdeaStatusIn(InSchema):
    status: IdeaStatusName | None = Field(
        description="The public status, set by hand; null lets it follow its linked problem"
    )


def _idea_out(actor: Actor, response: HttpResponse | None, idea_id: int) -> PortalIdeaOut:
    found = portal_idea_list(actor=actor).get(pk=idea_id)
    if response is not None:
        set_etag(response, found.version)
    return PortalIdeaOut.of(actor, found)


def _submission(actor: Actor, product_key: str, submission_id: int) -> PortalSubmission:
    return access_portal_submission(
        actor, submission_id, product=access_product(actor, product_key)
    )


def _idea(actor: Actor, product_key: str, idea_id: int) -> PortalIdea:
    return access_portal_idea(actor, idea_id, product=access_product(actor, product_key))


# -- the queue -----------------------------------------------------------------------------------


@router.get(
    PORTAL + "/submissions",
    response={200: PageOut[PortalSubmissionOut], **ERRORS},
    operation_id="portal_submission_list",
)
def list_submissions(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    state: SubmissionStateName = "queued",
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[PortalSubmissionOut]:
    """The product's confirmed submissions in ``state`` (the moderation queue by default),
    oldest first. Submissions still waiting for their email confirmation are never listed."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    rows = submission_list(actor=actor, product_id=product.pk, state=state)
    page = paginate(rows, order=["id"], cursor=cursor, limit=limit)
    return PageOut[PortalSubmissionOut](
        items=[PortalSubmissionOut.of(s) for s in page.items], next_cursor=page.next_cursor
    )


def _accept_fields(payload: SubmissionAcceptIn) -> None:
    if payload.idea is None:
        return
    words = [name for name in ("title", "description", "status") if getattr(payload, name)]
    if words:
        raise Invalid.fields(
            [
                FieldError(name, "is for publishing a new idea; a merge keeps the idea's own")
                for name in words
            ],
            code=Code.PORTAL_SUBMISSION_INVALID,
        )


@router.post(
    SUBMISSION + "/accept",
    response={200: PortalIdeaOut, 201: PortalIdeaOut, **WRITE_ERRORS},
    operation_id="portal_submission_accept",
)
def accept_submission(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    submission_id: Id,
    payload: SubmissionAcceptIn,
) -> Status[PortalIdeaOut]:
    """Accept a queued submission: published as a new idea (201), or merged into ``idea``
    (200); either way linked to ``problem`` when given. Answers the idea."""
    actor = request_actor(request, workspace_slug)
    submission = _submission(actor, product_key, submission_id)
    _accept_fields(payload)
    problem = None if payload.problem is None else problem_ref(actor, payload.problem)
    if payload.idea is None:
        idea = submission_publish(
            actor=actor,
            submission=submission,
            title=payload.title,
            description=payload.description,
            status=payload.status,
            problem=problem,
        )
        return Status(201, _idea_out(actor, response, idea.pk))
    try:
        target = access_portal_idea(actor, payload.idea, product=submission.product)
    except NotFound as missing:
        raise Invalid.field(
            "idea",
            f"no idea {payload.idea} on {submission.product.key}'s portal",
            code=Code.PORTAL_IDEA_INVALID,
        ) from missing
    submission_merge(actor=actor, submission=submission, idea=target, problem=problem)
    return Status(200, _idea_out(actor, response, target.pk))


@router.post(
    SUBMISSION + "/reject",
    response={200: PortalSubmissionOut, **WRITE_ERRORS},
    operation_id="portal_submission_reject",
)
def reject_submission(
    request: HttpRequest, workspace_slug: str, product_key: str, submission_id: Id
) -> PortalSubmissionOut:
    """Reject a queued submission: never shown; its feedback is archived."""
    actor = request_actor(request, workspace_slug)
    submission = submission_reject(
        actor=actor, submission=_submission(actor, product_key, submission_id)
    )
    fresh = submission_list(actor=actor, product_id=submission.product_id, state=submission.state)
    return PortalSubmissionOut.of(fresh.get(pk=submission.pk))


# -- the ideas -------------------------------------------------------------------------------------


@router.get(
    PORTAL + "/ideas",
    response={200: PageOut[PortalIdeaOut], **ERRORS},
    operation_id="portal_idea_list",
)
def list_ideas(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[PortalIdeaOut]:
    """Every idea of the product's portal, published or hidden, newest first, with its votes."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    page = paginate(
        portal_idea_list(actor=actor, product_id=product.pk),
        order=["-id"],
        cursor=cursor,
        limit=limit,
    )
    return PageOut[PortalIdeaOut](
        items=[PortalIdeaOut.of(actor, idea) for idea in page.items], next_cursor=page.next_cursor
    )


@router.get(IDEA, response={200: PortalIdeaOut, **ERRORS}, operation_id="portal_idea_get")
def get_idea(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str, idea_id: Id
) -> PortalIdeaOut:
    actor = request_actor(request, workspace_slug)
    return _idea_out(actor, response, _idea(actor, product_key, idea_id).pk)


def _shown(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    idea_id: int,
    *,
    published: bool,
    expected_version: int | None,
) -> PortalIdeaOut:
    actor = request_actor(request, workspace_slug)
    idea = idea_update(
        actor=actor,
        idea=_idea(actor, product_key, idea_id),
        published=published,
        expected_version=expected_version,
    )
    return _idea_out(actor, response, idea.pk)


@router.post(
    IDEA + "/publish",
    response={200: PortalIdeaOut, **WRITE_ERRORS},
    operation_id="portal_idea_publish",
    openapi_extra=IF_MATCH,
)
def publish_idea(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str, idea_id: Id
) -> PortalIdeaOut:
    """Show the idea on the portal (again)."""
    return _shown(
        request,
        response,
        workspace_slug,
        product_key,
        idea_id,
        published=True,
        expected_version=if_match(request),
    )


@router.post(
    IDEA + "/unpublish",
    response={200: PortalIdeaOut, **WRITE_ERRORS},
    operation_id="portal_idea_unpublish",
    openapi_extra=IF_MATCH,
)
def unpublish_idea(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str, idea_id: Id
) -> PortalIdeaOut:
    """Hide the idea from the portal; its votes stay, and count again when it is shown."""
    return _shown(
        request,
        response,
        workspace_slug,
        product_key,
        idea_id,
        published=False,
        expected_version=if_match(request),
    )


@router.put(
    IDEA + "/status",
    response={200: PortalIdeaOut, **WRITE_ERRORS},
    operation_id="portal_idea_status_set",
    openapi_extra=IF_MATCH,
)
def set_idea_status(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    idea_id: Id,
    payload: IdeaStatusIn,
) -> PortalIdeaOut:
    """Set the idea's public status by hand (it then stays whatever its problem does), or
    ``null`` to let it follow its linked problem's status again."""
    actor = request_actor(request, workspace_slug)
    idea = idea_status_set(
        actor=actor,
        idea=_idea(actor, product_key, idea_id),
        status=payload.status,
        expected_version=if_match(request),
    )
    return _idea_out(actor, response, idea.pk)


# -- ideas linked to problems ---------------------------------------------------------------------


@router.get(
    PROBLEM_IDEAS,
    response={200: list[PortalIdeaOut], **ERRORS},
    operation_id="problem_portal_idea_list",
)
def list_problem_ideas(
    request: HttpRequest, workspace_slug: str, problem_id: Id
) -> list[PortalIdeaOut]:
    """The portal ideas linked to the problem, most voted first, with their votes."""
    actor = request_actor(request, workspace_slug)
    problem = access_problem(actor, problem_id)
    return [
        PortalIdeaOut.of(actor, idea)
        for idea in problem_portal_ideas(actor=actor, problem_id=problem.pk)
    ]


@router.put(
    PROBLEM_IDEAS + "/{idea_id}",
    response={200: PortalIdeaOut, **WRITE_ERRORS},
    operation_id="problem_portal_idea_link",
    openapi_extra=IF_MATCH,
)
def link_problem_idea(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, problem_id: Id, idea_id: Id
) -> PortalIdeaOut:
    """Link the portal idea to the problem (moving it from another problem it was linked to;
    linking it twice changes nothing). Its votes count in the problem's evidence, and its
    public status follows the problem's unless it was set by hand. If-Match: the idea's."""
    actor = request_actor(request, workspace_slug)
    problem = access_problem(actor, problem_id)
    idea = access_portal_idea(actor, idea_id)
    idea_problem_link(actor=actor, idea=idea, problem=problem, expected_version=if_match(request))
    return _idea_out(actor, response, idea.pk)


@router.delete(
    PROBLEM_IDEAS + "/{idea_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="problem_portal_idea_unlink",
    openapi_extra=IF_MATCH,
)
def unlink_problem_idea(
    request: HttpRequest, workspace_slug: str, problem_id: Id, idea_id: Id
) -> Status[None]:
    """Unlink the portal idea from the problem (an idea not linked to it stays as it is); its
    public status stays as it is."""
    actor = request_actor(request, workspace_slug)
    problem = access_problem(actor, problem_id)
    idea = access_portal_idea(actor, idea_id)
    idea_problem_unlink(actor=actor, idea=idea, problem=problem, expected_version=if_match(request))
    return Status(204, None)
