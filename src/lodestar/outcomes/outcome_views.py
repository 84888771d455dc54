"""The outcome pages: setting a success criterion on a release or an epic, a product's outcome
reviews, one review (its verdict, the test, the chart) with the step that concludes it
(learnings, follow-up items, the problem's new status), and evaluating on demand. Thin:
access, a service or a selector, a page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.backlog.models import BacklogItem
from lodestar.core import charts
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import DomainError, Invalid, NotFound, StaleVersion, error_sentence
from lodestar.core.history import describe, history_for
from lodestar.discovery.models import ProblemStatus
from lodestar.discovery.refs import problem_ref
from lodestar.outcomes import selectors, services
from lodestar.outcomes.access import access_criterion, access_metric, access_review
from lodestar.outcomes.models import (
    WINDOW_MAX_DAYS,
    WINDOW_MIN_DAYS,
    OutcomeReview,
    SuccessCriterion,
    TargetKind,
    Verdict,
)
from lodestar.outcomes.page_exports import reviews_csv
from lodestar.outcomes.permissions import OutcomePermission
from lodestar.outcomes.refs import epic_of
from lodestar.people.policy import can, require
from lodestar.people.web import WorkspaceRequest, apply_errors, workspace_view
from lodestar.releases.access import access_release
from lodestar.releases.models import Release
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product

_INPUT = {"class": "input"}
# Reviews a product's outcome page lists.
REVIEWS_SHOWN = 200


class CriterionForm(forms.Form):
    metric = forms.ChoiceField(widget=forms.Select(attrs=_INPUT))
    target_kind = forms.ChoiceField(
        label="The target is",
        choices=TargetKind.choices,
        initial=TargetKind.RELATIVE,
        widget=forms.Select(attrs=_INPUT),
    )
    target = forms.CharField(
        max_length=40,
        help_text="A level (3.2), or a change in percent of the baseline (5 for 5% better "
        "when higher is better; -10 for 10% lower).",
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "decimal", "autocomplete": "off"}),
    )
    baseline = forms.CharField(
        max_length=40,
        required=False,
        help_text="Leave empty to compute it from the days before going live.",
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "decimal", "autocomplete": "off"}),
    )
    baseline_window_days = forms.CharField(
        label="Baseline window (days before going live)",
        initial="28",
        max_length=4,
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "numeric"}),
    )
    evaluation_window_days = forms.CharField(
        label="Evaluation window (days after going live)",
        initial="28",
        max_length=4,
        help_text=f"{WINDOW_MIN_DAYS} to {WINDOW_MAX_DAYS} days.",
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, metrics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metrics  # type: ignore[attr-defined]


class ConcludeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    learnings = forms.CharField(
        required=False,
        help_text="Markdown: what the numbers taught, what changes now.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 5}),
    )
    follow_ups = forms.CharField(
        label="Follow-up items (one title a line)",
        required=False,
        help_text="Each line becomes a backlog item, labelled outcome-follow-up.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )
    problem = forms.ChoiceField(label="Problem", required=False, widget=forms.Select(attrs=_INPUT))
    problem_status = forms.ChoiceField(
        label="Its new status",
        required=False,
        choices=[("", "Keep it as it is"), *ProblemStatus.choices],
        widget=forms.Select(attrs=_INPUT),
    )

    def __init__(self, *args: Any, problems: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = [("", "None"), *problems]  # type: ignore[attr-defined]


def _target(
    request: WorkspaceRequest, product: Product, data: Any
) -> tuple[Release | None, BacklogItem | None]:
    """The release (``release``: its id) or the epic (``item``: its key) a form names."""
    actor = request.actor
    if data.get("release"):
        return access_release(actor, data["release"], product=product), None
    if data.get("item"):
        return None, epic_of(actor, product, str(data["item"]))
    raise NotFound("Open this form from a release or an epic.")


def _target_url(release: Release | None, item: BacklogItem | None, workspace_slug: str) -> str:
    if release is not None:
        return reverse(
            "releases:detail",
            kwargs={
                "workspace_slug": workspace_slug,
                "product_key": release.product.key,
                "release_id": release.pk,
            },
        )
    assert item is not None  # noqa: S101 - _target gives one of them
    return reverse(
        "backlog:item_detail", kwargs={"workspace_slug": workspace_slug, "item_key": item.key}
    )


def _outcomes_url(request: WorkspaceRequest, product: Product) -> str:
    return reverse(
        "outcomes:outcomes",
        kwargs={"workspace_slug": request.workspace.slug, "product_key": product.key},
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def criterion_new(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The form that sets a success criterion on the release or epic the query names."""
    actor = request.actor
    product = access_product(actor, product_key)
    require(actor, OutcomePermission.SET_CRITERIA, product=product)
    data = request.POST if request.method == "POST" else request.GET
    release, item = _target(request, product, data)
    metrics = [
        (m.key, f"{m.name} ({m.key})") for m in selectors.metric_list(actor=actor, product=product)
    ]
    form = CriterionForm(request.POST if request.method == "POST" else None, metrics=metrics)
    back = _target_url(release, item, request.workspace.slug)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.cleaned_data
            try:
                services.criterion_create(
                    actor=actor,
                    product=product,
                    metric=access_metric(actor, product, values["metric"]),
                    release=release,
                    item=item,
                    target=values["target"],
                    target_kind=values["target_kind"],
                    baseline=values["baseline"] or None,
                    baseline_window_days=values["baseline_window_days"],
                    evaluation_window_days=values["evaluation_window_days"],
                )
            except Invalid as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Success criterion set.")
                return redirect(back + "#success-criteria")
        status = 422
    return render(
        request,
        "outcomes/criterion_form.html",
        {
            "product": product,
            "release": release,
            "item": item,
            "form": form,
            "back": back,
            "no_metrics": not metrics,
        },
        status=status,
    )


@require_POST
@workspace_view
def criterion_delete(
    request: WorkspaceRequest, product_key: str, criterion_id: int
) -> HttpResponse:
    actor = request.actor
    product = access_product(actor, product_key)
    criterion = access_criterion(actor, product, criterion_id)
    back = _target_url(criterion.release, criterion.item, request.workspace.slug)
    try:
        services.criterion_delete(actor=actor, criterion=criterion)
    except Invalid as error:
        messages.error(request, error_sentence(error))
    else:
        messages.success(request, "Success criterion removed.")
    return redirect(back + "#success-criteria")


@require_POST
@workspace_view
def evaluate(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """Evaluate now the criteria of the release or epic the form names (else the product's)."""
    actor = request.actor
    product = access_product(actor, product_key)
    release, item, back = None, None, _outcomes_url(request, product)
    if request.POST.get("release") or request.POST.get("item"):
        release, item = _target(request, product, request.POST)
        back = _target_url(release, item, request.workspace.slug) + "#success-criteria"
    try:
        reviews = services.outcomes_evaluate(
            actor=actor, product=product, release=release, item=item
        )
    except Invalid as error:
        messages.error(request, error_sentence(error))
    else:
        verdicts = ", ".join(
            f"{services.criterion_label(r.criterion)}: "
            + (r.get_verdict_display().lower() if r.final else "so far, window open")
            for r in reviews
        )
        messages.success(
            request,
            f"Evaluated {len(reviews)} outcome{'s' if len(reviews) != 1 else ''}. {verdicts}.",
        )
    return redirect(back)


@require_GET
@workspace_view
def outcomes(request: WorkspaceRequest, product_key: str) -> HttpResponse | StreamingHttpResponse:
    """The product's outcome reviews (by verdict), and its criteria still waiting."""
    actor = request.actor
    product = access_product(actor, product_key)
    verdict = request.GET.get("verdict") or None
    if verdict not in (None, *Verdict.values):
        verdict = None
    if wants_csv(request):
        rows = selectors.review_list(actor=actor, product=product, verdict=verdict)
        return reviews_csv(request, product, rows)
    reviews = list(
        selectors.review_list(actor=actor, product=product, verdict=verdict)[:REVIEWS_SHOWN]
    )
    waiting = [
        (criterion, services.criterion_label(criterion))
        for criterion in selectors.criterion_list(product=product).filter(review__isnull=True)
    ]
    counts = {value: 0 for value in Verdict.values}
    for value in selectors.review_list(actor=actor, product=product).values_list(
        "verdict", flat=True
    ):
        counts[value] += 1
    return render(
        request,
        "outcomes/outcomes.html",
        {
            "product": product,
            "reviews": [(review, services.criterion_label(review.criterion)) for review in reviews],
            "waiting": waiting,
            "verdict": verdict,
            "counts": counts,
            "verdicts": Verdict.choices,
            "may_review": can(actor, OutcomePermission.REVIEW_OUTCOMES, product=product),
        },
    )


def review_chart(review: OutcomeReview) -> charts.Chart:
    """The review's chart: the metric's days around going live, windows and levels marked."""
    criterion: SuccessCriterion = review.criterion
    metric = criterion.metric
    days = selectors.review_series(review)
    baseline = (
        (review.baseline_from, review.baseline_until)
        if review.baseline_from and review.baseline_until
        else None
    )
    return charts.outcome_series(
        [charts.DayValue(d.day, d.value) for d in days],
        charts.OutcomeWindows(
            baseline=baseline,
            live=review.started_on,
            observed=(review.observed_from, review.observed_until),
            baseline_value=review.baseline_value,
            observed_value=review.observed_value,
            target_level=review.target_level,
        ),
        id=f"outcome-{review.pk}",
        title=f"{metric.name}{f' ({metric.unit})' if metric.unit else ''} around going live",
        verdict=review.get_verdict_display() if review.final else "So far",
        unit=metric.unit,
    )


def _problem_choices(problems: Any) -> list[tuple[str, str]]:
    return [(str(p.pk), f"#{p.pk} {p.title}") for p in problems]


def _review_page(
    request: WorkspaceRequest,
    review: OutcomeReview,
    form: ConcludeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    criterion = review.criterion
    problems = list(selectors.problems_of_criterion(criterion))
    choices = _problem_choices(problems)
    entries = list(history_for(workspace_id=actor.workspace_id, obj=review)[:20])
    return render(
        request,
        "outcomes/review.html",
        {
            "product": review.product,
            "review": review,
            "criterion": criterion,
            "criterion_text": services.criterion_label(criterion),
            "chart": review_chart(review),
            "follow_ups": list(review.follow_ups.order_by("rank")),
            "problems": problems,
            "form": form
            or ConcludeForm(
                problems=choices,
                initial={
                    "version": review.version,
                    "learnings": review.learnings,
                    "problem": choices[0][0] if len(choices) == 1 else "",
                },
            ),
            "target_url": _target_url(criterion.release, criterion.item, request.workspace.slug),
            "may_review": can(actor, OutcomePermission.REVIEW_OUTCOMES, product=review.product),
            "history": [(entry, describe(entry)) for entry in entries],
        },
        status=status,
    )


@require_GET
@workspace_view
def review(request: WorkspaceRequest, product_key: str, review_id: int) -> HttpResponse:
    product = access_product(request.actor, product_key)
    return _review_page(request, access_review(request.actor, product, review_id))


@require_POST
@workspace_view
def conclude(request: WorkspaceRequest, product_key: str, review_id: int) -> HttpResponse:
    """Learnings, follow-up items and the problem's new status, in one step."""
    actor = request.actor
    product = access_product(actor, product_key)
    found = access_review(actor, product, review_id)
    problems = _problem_choices(selectors.problems_of_criterion(found.criterion))
    form = ConcludeForm(request.POST, problems=problems)
    if not form.is_valid():
        return _review_page(request, found, form, status=422)
    values = form.cleaned_data
    try:
        services.review_conclude(
            actor=actor,
            review=found,
            learnings=values["learnings"],
            follow_ups=values["follow_ups"].splitlines(),
            problem=problem_ref(actor, values["problem"]) if values["problem"] else None,
            problem_status=values["problem_status"] or None,
            expected_version=values["version"],
        )
    except StaleVersion:
        form.add_error(
            None,
            "Someone changed this review while you were writing. Your text is kept below; "
            "reload to see theirs, then save again.",
        )
        return _review_page(request, found, form, status=412)
    except DomainError as error:
        if isinstance(error, Invalid):
            apply_errors(form, error)
        else:
            form.add_error(None, error_sentence(error))
        found.refresh_from_db()
        return _review_page(request, found, form, status=422)
    made = list(found.follow_ups.order_by("-id").values_list("key", flat=True)[:10])
    messages.success(
        request,
        "Saved."
        + (f" Follow-up items: {', '.join(sorted(made))}." if values["follow_ups"].strip() else ""),
    )
    return redirect(
        reverse(
            "outcomes:review",
            kwargs={
                "workspace_slug": request.workspace.slug,
                "product_key": product.key,
                "review_id": found.pk,
            },
        )
    )
