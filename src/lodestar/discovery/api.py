"""The discovery API: customers, contacts, feedback, insights and problems with their
evidence, and the backlog items that solve them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, Limit, PageOut
from lodestar.backlog.access import access_item
from lodestar.backlog.refs import item_refs
from lodestar.core.errors import Invalid, NotFound
from lodestar.core.pagination import paginate
from lodestar.core.trash import trash_move
from lodestar.discovery import services
from lodestar.discovery.access import (
    access_contact,
    access_customer,
    access_feedback,
    access_insight,
    access_problem,
)
from lodestar.discovery.refs import (
    contact_ref_or_none,
    customer_ref,
    customer_ref_or_none,
    participant_refs,
    problem_refs,
)
from lodestar.discovery.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerIn,
    CustomerMergeIn,
    CustomerOut,
    CustomerPatch,
    FeedbackCreatedOut,
    FeedbackIn,
    FeedbackOut,
    FeedbackPatch,
    InsightIn,
    InsightOut,
    InsightPatch,
    LinkedItemOut,
    ProblemIn,
    ProblemItemsIn,
    ProblemPatch,
    ProblemWithEvidenceOut,
    SimilarOut,
    Source,
    State,
)
from lodestar.discovery.schemas import (
    Status as ProblemStatus,
)
from lodestar.discovery.selectors import (
    FeedbackFilters,
    contact_list,
    customer_list,
    feedback_list,
    insight_list,
    item_problems,
    problem_evidence,
    problem_items,
    problem_list,
    similar_to,
)
from lodestar.people.policy import Actor
from lodestar.people.refs import member_ref, member_ref_or_none
from lodestar.strategy.refs import product_ref_or_none

router = Router(tags=["discovery"])

WS = "/{workspace_slug}"


def _currency(actor: Actor) -> str:
    return actor.workspace.currency


def _blank_none(value: str | None) -> str | object | None:
    """A PATCH field: None leaves it, "" clears it (``None``), else the reference."""
    if value is None:
        return ...
    return value if value.strip() else None


# -- customers -----------------------------------------------------------------------------------


@router.get(
    WS + "/customers",
    response={200: PageOut[CustomerOut], **ERRORS},
    operation_id="customer_list",
)
def list_customers(
    request: HttpRequest,
    workspace_slug: str,
    segment: str | None = None,
    q: str = Query("", max_length=200),  # type: ignore[type-arg]
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[CustomerOut]:
    """The workspace's customers by name, with how much feedback each has."""
    actor = request_actor(request, workspace_slug)
    page = paginate(
        customer_list(actor=actor, segment=segment, q=q.strip()),
        order=["name", "id"],
        cursor=cursor,
        limit=limit,
    )
    currency = _currency(actor)
    return PageOut[CustomerOut](
        items=[CustomerOut.of(c, currency) for c in page.items], next_cursor=page.next_cursor
    )


@router.post(
    WS + "/customers", response={201: CustomerOut, **WRITE_ERRORS}, operation_id="customer_create"
)
def create_customer(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: CustomerIn
) -> Status[CustomerOut]:
    actor = request_actor(request, workspace_slug)
    customer = services.customer_create(actor=actor, **payload.model_dump())
    set_etag(response, customer.version)
    return Status(201, CustomerOut.of(customer, _currency(actor)))


@router.get(
    WS + "/customers/{customer_id}",
    response={200: CustomerOut, **ERRORS},
    operation_id="customer_get",
)
def get_customer(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, customer_id: Id
) -> CustomerOut:
    actor = request_actor(request, workspace_slug)
    customer = customer_list(actor=actor).get(pk=access_customer(actor, customer_id).pk)
    set_etag(response, customer.version)
    return CustomerOut.of(customer, _currency(actor))


@router.patch(
    WS + "/customers/{customer_id}",
    response={200: CustomerOut, **WRITE_ERRORS},
    operation_id="customer_update",
    openapi_extra=IF_MATCH,
)
def update_customer(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    customer_id: Id,
    payload: CustomerPatch,
) -> CustomerOut:
    actor = request_actor(request, workspace_slug)
    given = payload.model_dump(exclude_unset=True)
    arr = given.pop("arr", ...)
    customer = services.customer_update(
        actor=actor,
        customer=access_customer(actor, customer_id),
        arr=arr,
        expected_version=if_match(request),
        **{k: v for k, v in given.items() if v is not None},
    )
    set_etag(response, customer.version)
    return CustomerOut.of(customer, _currency(actor))


@router.post(
    WS + "/customers/{customer_id}/merge",
    response={200: CustomerOut, **WRITE_ERRORS},
    operation_id="customer_merge",
)
def merge_customer(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    customer_id: Id,
    payload: CustomerMergeIn,
) -> CustomerOut:
    """Merge this customer into ``into``: its feedback and contacts move there, and this one
    goes to the trash, marked as merged. Answers the customer that remains."""
    actor = request_actor(request, workspace_slug)
    source = access_customer(actor, customer_id)
    target = customer_ref(actor, str(payload.into), field="into")
    merged = services.customer_merge(actor=actor, source=source, target=target)
    set_etag(response, merged.version)
    return CustomerOut.of(customer_list(actor=actor).get(pk=merged.pk), _currency(actor))


@router.delete(
    WS + "/customers/{customer_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="customer_delete",
    openapi_extra=IF_MATCH,
)
def delete_customer(request: HttpRequest, workspace_slug: str, customer_id: Id) -> Status[None]:
    """Move the customer to the trash; refused while feedback names it (merge it instead)."""
    actor = request_actor(request, workspace_slug)
    customer = access_customer(actor, customer_id)
    trash_move(actor=actor, obj=customer, expected_version=if_match(request))
    return Status(204, None)


# -- contacts ------------------------------------------------------------------------------------


@router.get(
    WS + "/contacts", response={200: PageOut[ContactOut], **ERRORS}, operation_id="contact_list"
)
def list_contacts(
    request: HttpRequest,
    workspace_slug: str,
    customer: str | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ContactOut]:
    actor = request_actor(request, workspace_slug)
    of = customer_ref_or_none(actor, customer)
    page = paginate(
        contact_list(actor=actor, customer=of), order=["id"], cursor=cursor, limit=limit
    )
    return PageOut[ContactOut](
        items=[ContactOut.of(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.post(
    WS + "/contacts", response={201: ContactOut, **WRITE_ERRORS}, operation_id="contact_create"
)
def create_contact(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: ContactIn
) -> Status[ContactOut]:
    actor = request_actor(request, workspace_slug)
    contact = services.contact_create(
        actor=actor,
        customer=customer_ref_or_none(actor, payload.customer),
        name=payload.name,
        email=payload.email,
        title=payload.title,
    )
    set_etag(response, contact.version)
    return Status(201, ContactOut.of(contact))


@router.get(
    WS + "/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, operation_id="contact_get"
)
def get_contact(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, contact_id: Id
) -> ContactOut:
    actor = request_actor(request, workspace_slug)
    contact = access_contact(actor, contact_id)
    set_etag(response, contact.version)
    return ContactOut.of(contact)


@router.patch(
    WS + "/contacts/{contact_id}",
    response={200: ContactOut, **WRITE_ERRORS},
    operation_id="contact_update",
    openapi_extra=IF_MATCH,
)
def update_contact(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    contact_id: Id,
    payload: ContactPatch,
) -> ContactOut:
    actor = request_actor(request, workspace_slug)
    customer = _blank_none(payload.customer)
    contact = services.contact_update(
        actor=actor,
        contact=access_contact(actor, contact_id),
        customer=customer if customer in (..., None) else customer_ref(actor, str(customer)),
        name=payload.name,
        email=payload.email,
        title=payload.title,
        expected_version=if_match(request),
    )
    set_etag(response, contact.version)
    return ContactOut.of(access_contact(actor, contact.pk))


# -- feedback ------------------------------------------------------------------------------------


class FeedbackQuery(Schema):
    state: State | None = None
    source: Source | None = None
    customer: str | None = Field(default=None, description="Id, external id or name")
    tag: str | None = Field(default=None, max_length=40)
    product: str | None = Field(default=None, description="A product key")


@router.get(
    WS + "/feedback", response={200: PageOut[FeedbackOut], **ERRORS}, operation_id="feedback_list"
)
def list_feedback(
    request: HttpRequest,
    workspace_slug: str,
    filters: Query[FeedbackQuery],
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[FeedbackOut]:
    """Feedback, newest first (by when it was received)."""
    actor = request_actor(request, workspace_slug)
    customer = customer_ref_or_none(actor, filters.customer)
    product = product_ref_or_none(actor, filters.product)
    rows = feedback_list(
        actor=actor,
        filters=FeedbackFilters(
            state=filters.state,
            source=filters.source,
            customer_id=customer.pk if customer else None,
            tag=filters.tag,
            product_id=product.pk if product else None,
        ),
    )
    page = paginate(rows, order=["-received_at", "-id"], cursor=cursor, limit=limit)
    return PageOut[FeedbackOut](
        items=[FeedbackOut.of(f) for f in page.items], next_cursor=page.next_cursor
    )


@router.post(
    WS + "/feedback",
    response={201: FeedbackCreatedOut, **WRITE_ERRORS},
    operation_id="feedback_create",
)
def create_feedback(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: FeedbackIn
) -> Status[FeedbackCreatedOut]:
    """Record what a customer said; the answer suggests the problems and feedback it most
    resembles (``similar``), as ``GET .../feedback/{id}/similar`` does later."""
    actor = request_actor(request, workspace_slug)
    members, contacts = participant_refs(actor, payload.participants)
    feedback = services.feedback_create(
        actor=actor,
        text=payload.text,
        source=payload.source,
        received_at=payload.received_at,
        customer=customer_ref_or_none(actor, payload.customer),
        contact=contact_ref_or_none(actor, payload.contact),
        tags=payload.tags,
        product=product_ref_or_none(actor, payload.product),
        notes=payload.notes,
        members=members,
        contacts=contacts,
    )
    set_etag(response, feedback.version)
    out = FeedbackOut.of(access_feedback(actor, feedback.pk))
    suggestions = similar_to(actor=actor, text=feedback.text, exclude_feedback=feedback.pk)
    return Status(
        201,
        FeedbackCreatedOut(**out.model_dump(), similar=[SimilarOut.of(s) for s in suggestions]),
    )


@router.get(
    WS + "/feedback/{feedback_id}/similar",
    response={200: list[SimilarOut], **ERRORS},
    operation_id="feedback_similar",
)
def similar_feedback(
    request: HttpRequest,
    workspace_slug: str,
    feedback_id: Id,
    limit: int = Query(6, ge=1, le=20),  # type: ignore[type-arg]
) -> list[SimilarOut]:
    """The problems and feedback this piece most resembles, best first: problems by their
    words and their insights' quotes, feedback by its text; each with its score and the
    words shared."""
    actor = request_actor(request, workspace_slug)
    feedback = access_feedback(actor, feedback_id)
    suggestions = similar_to(
        actor=actor, text=feedback.text, exclude_feedback=feedback.pk, limit=limit
    )
    return [SimilarOut.of(s) for s in suggestions]


@router.get(
    WS + "/feedback/{feedback_id}",
    response={200: FeedbackOut, **ERRORS},
    operation_id="feedback_get",
)
def get_feedback(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, feedback_id: Id
) -> FeedbackOut:
    actor = request_actor(request, workspace_slug)
    feedback = access_feedback(actor, feedback_id)
    set_etag(response, feedback.version)
    return FeedbackOut.of(feedback)


@router.patch(
    WS + "/feedback/{feedback_id}",
    response={200: FeedbackOut, **WRITE_ERRORS},
    operation_id="feedback_update",
    openapi_extra=IF_MATCH,
)
def update_feedback(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    feedback_id: Id,
    payload: FeedbackPatch,
) -> FeedbackOut:
    actor = request_actor(request, workspace_slug)
    customer = _blank_none(payload.customer)
    contact = _blank_none(payload.contact)
    feedback = services.feedback_update(
        actor=actor,
        feedback=access_feedback(actor, feedback_id),
        text=payload.text,
        source=payload.source,
        received_at=payload.received_at,
        customer=customer if customer in (..., None) else customer_ref(actor, str(customer)),
        contact=contact if contact in (..., None) else contact_ref_or_none(actor, str(contact)),
        tags=payload.tags,
        state=payload.state,
        notes=payload.notes,
        expected_version=if_match(request),
    )
    set_etag(response, feedback.version)
    return FeedbackOut.of(access_feedback(actor, feedback.pk))


@router.delete(
    WS + "/feedback/{feedback_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="feedback_delete",
    openapi_extra=IF_MATCH,
)
def delete_feedback(request: HttpRequest, workspace_slug: str, feedback_id: Id) -> Status[None]:
    """Move the feedback to the trash; its insights stop counting as evidence until it is
    restored."""
    actor = request_actor(request, workspace_slug)
    trash_move(
        actor=actor, obj=access_feedback(actor, feedback_id), expected_version=if_match(request)
    )
    return Status(204, None)


# -- insights ------------------------------------------------------------------------------------


@router.get(
    WS + "/insights", response={200: PageOut[InsightOut], **ERRORS}, operation_id="insight_list"
)
def list_insights(
    request: HttpRequest,
    workspace_slug: str,
    feedback: Id | None = None,
    problem: Id | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[InsightOut]:
    """Insights, newest first; of one piece of feedback or one problem when asked."""
    actor = request_actor(request, workspace_slug)
    of_feedback = access_feedback(actor, feedback) if feedback is not None else None
    of_problem = access_problem(actor, problem) if problem is not None else None
    rows = insight_list(actor=actor, feedback=of_feedback, problem=of_problem)
    page = paginate(rows, order=["-id"], cursor=cursor, limit=limit)
    return PageOut[InsightOut](
        items=[InsightOut.of(i) for i in page.items], next_cursor=page.next_cursor
    )


@router.post(
    WS + "/insights", response={201: InsightOut, **WRITE_ERRORS}, operation_id="insight_create"
)
def create_insight(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: InsightIn
) -> Status[InsightOut]:
    """An insight from a piece of feedback: a quote, or the span ``start``..``end`` of its
    text (character offsets into the text as written), linked to problems."""
    actor = request_actor(request, workspace_slug)
    try:
        feedback = access_feedback(actor, payload.feedback)
    except NotFound as exc:  # a body field names it: 422, not 404
        raise Invalid.field(
            "feedback", f"no feedback {payload.feedback} in this workspace"
        ) from exc
    insight = services.insight_create(
        actor=actor,
        feedback=feedback,
        quote=payload.quote,
        start=payload.start,
        end=payload.end,
        problems=problem_refs(actor, payload.problems),
        note=payload.note,
    )
    set_etag(response, insight.version)
    return Status(201, InsightOut.of(access_insight(actor, insight.pk)))


@router.get(
    WS + "/insights/{insight_id}", response={200: InsightOut, **ERRORS}, operation_id="insight_get"
)
def get_insight(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, insight_id: Id
) -> InsightOut:
    actor = request_actor(request, workspace_slug)
    insight = access_insight(actor, insight_id)
    set_etag(response, insight.version)
    return InsightOut.of(insight)


@router.patch(
    WS + "/insights/{insight_id}",
    response={200: InsightOut, **WRITE_ERRORS},
    operation_id="insight_update",
    openapi_extra=IF_MATCH,
)
def update_insight(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    insight_id: Id,
    payload: InsightPatch,
) -> InsightOut:
    """Relink the insight (``problems``: the whole set) or change its note."""
    actor = request_actor(request, workspace_slug)
    insight = services.insight_update(
        actor=actor,
        insight=access_insight(actor, insight_id),
        problems=problem_refs(actor, payload.problems) if payload.problems is not None else None,
        note=payload.note,
        expected_version=if_match(request),
    )
    set_etag(response, insight.version)
    return InsightOut.of(access_insight(actor, insight.pk))


@router.delete(
    WS + "/insights/{insight_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="insight_delete",
    openapi_extra=IF_MATCH,
)
def delete_insight(request: HttpRequest, workspace_slug: str, insight_id: Id) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    trash_move(
        actor=actor, obj=access_insight(actor, insight_id), expected_version=if_match(request)
    )
    return Status(204, None)


# -- problems ------------------------------------------------------------------------------------


@router.get(
    WS + "/problems",
    response={200: PageOut[ProblemWithEvidenceOut], **ERRORS},
    operation_id="problem_list",
)
def list_problems(
    request: HttpRequest,
    workspace_slug: str,
    status: ProblemStatus | None = None,
    product: str | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ProblemWithEvidenceOut]:
    """Problems, newest first, each with its evidence (computed from its insights)."""
    actor = request_actor(request, workspace_slug)
    of_product = product_ref_or_none(actor, product)
    rows = problem_list(
        actor=actor, status=status, product_id=of_product.pk if of_product else None
    )
    page = paginate(rows, order=["-id"], cursor=cursor, limit=limit)
    evidence = problem_evidence([p.pk for p in page.items])
    currency = _currency(actor)
    return PageOut[ProblemWithEvidenceOut](
        items=[ProblemWithEvidenceOut.of(p, evidence[p.pk], currency) for p in page.items],
        next_cursor=page.next_cursor,
    )


def _problem_out(actor: Actor, problem_id: int) -> ProblemWithEvidenceOut:
    problem = access_problem(actor, problem_id)
    return ProblemWithEvidenceOut.of(
        problem, problem_evidence([problem.pk])[problem.pk], _currency(actor)
    )


@router.post(
    WS + "/problems",
    response={201: ProblemWithEvidenceOut, **WRITE_ERRORS},
    operation_id="problem_create",
)
def create_problem(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: ProblemIn
) -> Status[ProblemWithEvidenceOut]:
    actor = request_actor(request, workspace_slug)
    problem = services.problem_create(
        actor=actor,
        title=payload.title,
        description=payload.description,
        status=payload.status,
        owner=member_ref_or_none(actor, payload.owner, field="owner"),
        product=product_ref_or_none(actor, payload.product),
    )
    set_etag(response, problem.version)
    return Status(201, _problem_out(actor, problem.pk))


@router.get(
    WS + "/problems/{problem_id}",
    response={200: ProblemWithEvidenceOut, **ERRORS},
    operation_id="problem_get",
)
def get_problem(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, problem_id: Id
) -> ProblemWithEvidenceOut:
    """The problem with its evidence: distinct customers and contacts behind its insights,
    their ARR (each customer once), the split by segment, the insights and the weekly trend."""
    actor = request_actor(request, workspace_slug)
    out = _problem_out(actor, problem_id)
    set_etag(response, out.version)
    return out


@router.patch(
    WS + "/problems/{problem_id}",
    response={200: ProblemWithEvidenceOut, **WRITE_ERRORS},
    operation_id="problem_update",
    openapi_extra=IF_MATCH,
)
def update_problem(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    problem_id: Id,
    payload: ProblemPatch,
) -> ProblemWithEvidenceOut:
    actor = request_actor(request, workspace_slug)
    owner = _blank_none(payload.owner)
    product = _blank_none(payload.product)
    problem = services.problem_update(
        actor=actor,
        problem=access_problem(actor, problem_id),
        title=payload.title,
        description=payload.description,
        status=payload.status,
        owner=owner if owner in (..., None) else member_ref(actor, str(owner), field="owner"),
        product=product if product in (..., None) else product_ref_or_none(actor, str(product)),
        expected_version=if_match(request),
    )
    set_etag(response, problem.version)
    return _problem_out(actor, problem.pk)


@router.delete(
    WS + "/problems/{problem_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="problem_delete",
    openapi_extra=IF_MATCH,
)
def delete_problem(request: HttpRequest, workspace_slug: str, problem_id: Id) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    trash_move(
        actor=actor, obj=access_problem(actor, problem_id), expected_version=if_match(request)
    )
    return Status(204, None)


def _linked(actor: Actor, problem_id: int) -> list[LinkedItemOut]:
    return [
        LinkedItemOut(key=i.key, title=i.title, status=i.status, product=i.product.key)
        for i in problem_items(access_problem(actor, problem_id))
    ]


@router.get(
    WS + "/problems/{problem_id}/items",
    response={200: list[LinkedItemOut], **ERRORS},
    operation_id="problem_item_list",
)
def list_problem_items(
    request: HttpRequest, workspace_slug: str, problem_id: Id
) -> list[LinkedItemOut]:
    """The backlog items that solve the problem, in backlog order."""
    actor = request_actor(request, workspace_slug)
    return _linked(actor, problem_id)


@router.post(
    WS + "/problems/{problem_id}/items",
    response={200: list[LinkedItemOut], **WRITE_ERRORS},
    operation_id="problem_item_link",
)
def link_problem_items(
    request: HttpRequest, workspace_slug: str, problem_id: Id, payload: ProblemItemsIn
) -> list[LinkedItemOut]:
    """Link backlog items to the problem (linking one twice changes nothing); answers every
    linked item."""
    actor = request_actor(request, workspace_slug)
    problem = access_problem(actor, problem_id)
    services.problem_items_link(actor=actor, problem=problem, items=item_refs(actor, payload.items))
    return _linked(actor, problem_id)


@router.delete(
    WS + "/problems/{problem_id}/items/{item_key}",
    response={204: None, **WRITE_ERRORS},
    operation_id="problem_item_unlink",
)
def unlink_problem_item(
    request: HttpRequest, workspace_slug: str, problem_id: Id, item_key: str
) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    problem = access_problem(actor, problem_id)
    item = access_item(actor, item_key)
    services.problem_item_unlink(actor=actor, problem=problem, item=item)
    return Status(204, None)


@router.get(
    WS + "/items/{item_key}/problems",
    response={200: list[ProblemWithEvidenceOut], **ERRORS},
    operation_id="item_problem_list",
)
def list_item_problems(
    request: HttpRequest, workspace_slug: str, item_key: str
) -> list[ProblemWithEvidenceOut]:
    """The customer problems the backlog item solves, by title, each with its evidence: the
    item's answer (``GET .../items/{item_key}``) is the backlog's and does not list them."""
    actor = request_actor(request, workspace_slug)
    problems = item_problems(access_item(actor, item_key))
    evidence = problem_evidence([p.pk for p in problems])
    currency = _currency(actor)
    return [ProblemWithEvidenceOut.of(p, evidence[p.pk], currency) for p in problems]
