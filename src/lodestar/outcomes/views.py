"""The metric pages: the workspace's metrics, a product's metrics with the form that defines
one, and a metric's page (its daily series as a chart, its definition, a CSV upload whose bad
lines are listed one by one). Thin: access, a service or a selector, a page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core import charts
from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import Invalid, StaleVersion, error_sentence
from lodestar.core.history import describe, history_for
from lodestar.outcomes import selectors, services
from lodestar.outcomes.access import access_metric
from lodestar.outcomes.extensions import METRIC_SECTIONS
from lodestar.outcomes.models import Aggregation, Direction, Metric
from lodestar.outcomes.page_exports import metrics_csv
from lodestar.outcomes.permissions import OutcomePermission
from lodestar.outcomes.samples import MAX_FILE_BYTES, row_sentence
from lodestar.people.policy import can
from lodestar.people.web import WorkspaceRequest, apply_errors, workspace_view
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product

_INPUT = {"class": "input"}
# Days the metric's page charts, ending with its last sample.
CHART_DAYS = 180


class MetricForm(forms.Form):
    key = forms.CharField(
        max_length=40,
        help_text="Lower-case letters, digits, - and _ (scripts push to it: it stays).",
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs=_INPUT))
    unit = forms.CharField(
        max_length=20,
        required=False,
        help_text="Such as %, users, ms.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    direction = forms.ChoiceField(choices=Direction.choices, widget=forms.Select(attrs=_INPUT))
    aggregation = forms.ChoiceField(
        choices=Aggregation.choices,
        label="Each day is the",
        widget=forms.Select(attrs=_INPUT),
    )
    time_zone = forms.CharField(
        max_length=64,
        initial="UTC",
        help_text="The zone its days are counted in.",
        widget=forms.TextInput(attrs=_INPUT),
    )
    description = forms.CharField(
        required=False,
        help_text="Markdown: what it counts, where the numbers come from.",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
    )


class MetricEditForm(MetricForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)
        del self.fields["key"]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="A header line naming at and value, then one sample a line."
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB; split it."
            )
        return file


def _metric_url(metric: Metric) -> str:
    return reverse(
        "outcomes:metric",
        kwargs={
            "workspace_slug": metric.workspace.slug,
            "product_key": metric.product.key,
            "metric_key": metric.key,
        },
    )


@require_GET
@workspace_view
def metrics_home(request: WorkspaceRequest) -> HttpResponse:
    """Every metric of the workspace, by product, with the products to add one to."""
    from lodestar.strategy.selectors import product_list

    actor = request.actor
    metrics = list(selectors.workspace_metrics(actor=actor))
    products = [
        (product, [m for m in metrics if m.product_id == product.pk])
        for product in product_list(actor=actor, owners=False)
    ]
    return render(request, "outcomes/home.html", {"products": products})


def _product_page(
    request: WorkspaceRequest, product: Product, form: MetricForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "outcomes/product.html",
        {
            "product": product,
            "metrics": list(selectors.metric_list(actor=actor, product=product)),
            "defines": can(actor, OutcomePermission.DEFINE_METRICS, product=product),
            "form": form or MetricForm(initial={"time_zone": "UTC"}),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workspace_view
def product_metrics(
    request: WorkspaceRequest, product_key: str
) -> HttpResponse | StreamingHttpResponse:
    """A product's metrics; writers define one by posting here."""
    product = access_product(request.actor, product_key)
    if wants_csv(request):
        rows = selectors.metric_list(actor=request.actor, product=product)
        return metrics_csv(request, product, rows)
    if request.method != "POST":
        return _product_page(request, product)
    form = MetricForm(request.POST)
    if not form.is_valid():
        return _product_page(request, product, form, status=422)
    try:
        metric = services.metric_create(actor=request.actor, product=product, **form.cleaned_data)
    except Invalid as error:
        apply_errors(form, error)
        return _product_page(request, product, form, status=422)
    messages.success(request, f"Metric {metric.name} defined. Push or upload its samples.")
    return redirect(_metric_url(metric))


def _metric_page(
    request: WorkspaceRequest,
    metric: Metric,
    *,
    form: MetricEditForm | None = None,
    upload: UploadForm | None = None,
    upload_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    days = selectors.daily_series(metric=metric)[-CHART_DAYS:]
    unit = f" ({metric.unit})" if metric.unit else ""
    chart = charts.daily_series(
        [charts.DayValue(day.day, day.value) for day in days],
        id="metric-daily",
        title=f"{metric.name}{unit}, per day ({metric.get_aggregation_display().lower()})",
        unit=metric.unit,
        higher_is_better=metric.direction == Direction.HIGHER,
    )
    entries = list(history_for(workspace_id=actor.workspace_id, obj=metric)[:20])
    return render(
        request,
        "outcomes/metric.html",
        {
            "product": metric.product,
            "metric": metric,
            "chart": chart,
            "history": [(entry, describe(entry)) for entry in entries],
            "defines": can(actor, OutcomePermission.DEFINE_METRICS, product=metric.product),
            "pushes": can(actor, OutcomePermission.PUSH_SAMPLES, product=metric.product),
            "form": form
            or MetricEditForm(
                initial={
                    field: getattr(metric, field)
                    for field in (
                        "name",
                        "unit",
                        "direction",
                        "aggregation",
                        "time_zone",
                        "description",
                        "version",
                    )
                }
            ),
            "upload": upload or UploadForm(),
            "upload_errors": upload_errors or [],
            # What later contexts add to the page (``extensions.METRIC_SECTIONS``).
            "metric_sections": [
                html
                for section in METRIC_SECTIONS.providers()
                if (html := section.render(request, metric))
            ],
        },
        status=status,
    )


@require_GET
@workspace_view
def metric_page(request: WorkspaceRequest, product_key: str, metric_key: str) -> HttpResponse:
    """A metric: its daily series as a chart (and a table), its definition, its history."""
    product = access_product(request.actor, product_key)
    return _metric_page(request, access_metric(request.actor, product, metric_key))


@require_POST
@workspace_view
def metric_edit(request: WorkspaceRequest, product_key: str, metric_key: str) -> HttpResponse:
    """Change the metric's definition."""
    actor = request.actor
    metric = access_metric(actor, access_product(actor, product_key), metric_key)
    form = MetricEditForm(request.POST)
    if not form.is_valid():
        return _metric_page(request, metric, form=form, status=422)
    values = dict(form.cleaned_data)
    version = values.pop("version")
    try:
        services.metric_update(actor=actor, metric=metric, expected_version=version, **values)
    except StaleVersion as error:
        form.add_error(None, error_sentence(error))
        return _metric_page(request, metric, form=form, status=412)
    except Invalid as error:
        apply_errors(form, error)
        return _metric_page(request, metric, form=form, status=422)
    messages.success(request, f"Metric {metric.name} saved.")
    return redirect(_metric_url(metric))


@require_POST
@workspace_view
def metric_upload(request: WorkspaceRequest, product_key: str, metric_key: str) -> HttpResponse:
    """Import a CSV file of samples: all of it, or nothing and each bad line listed."""
    actor = request.actor
    metric = access_metric(actor, access_product(actor, product_key), metric_key)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _metric_page(request, metric, upload=form, status=422)
    try:
        data = form.cleaned_data["file"].read()
        result = services.samples_import(actor=actor, metric=metric, data=data)
    except Invalid as error:
        lines = [row_sentence(e) for e in error.errors] or [error.detail]
        more = error.detail.rsplit("; and ", 1)
        if len(more) == 2 and more[1].endswith(" more"):
            lines.append(f"And {more[1]}.")
        return _metric_page(request, metric, upload=form, upload_errors=lines, status=422)
    messages.success(
        request,
        f"Imported {result.received:,} samples ({result.created:,} new, "
        f"{result.replaced:,} replaced).",
    )
    return redirect(_metric_url(metric))
