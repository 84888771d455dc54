"""The report pages (``app_name = "reports"``): the workspace's products, a product's report
for a period (the last 90 days unless another is chosen; quarter presets), and the same
report as a Markdown file and as a printable, self-contained HTML file."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from lodestar.core.errors import Invalid, error_sentence
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.reports.charts import report_charts
from lodestar.reports.markdown import report_markdown
from lodestar.reports.periods import Period, period_of, presets
from lodestar.reports.printable import content_security_policy, report_html
from lodestar.reports.selectors import Report, stakeholder_report
from lodestar.strategy.access import access_product
from lodestar.strategy.selectors import product_list


@require_GET
@workspace_view
def home(request: WorkspaceRequest) -> HttpResponse:
    """The products to report on (straight to the report when there is one)."""
    products = list(product_list(actor=request.actor))
    if len(products) == 1:
        return redirect(reverse("reports:report", args=[request.workspace.slug, products[0].key]))
    return render(request, "reports/home.html", {"products": products})


def _report(request: WorkspaceRequest, product_key: str) -> tuple[Report, Period]:
    """The report the request asks for: 404 for a product the actor cannot reach, ``Invalid``
    for a period that cannot be."""
    product = access_product(request.actor, product_key)
    period = period_of(
        request.GET.get("since"), request.GET.get("until"), today=timezone.localdate()
    )
    return stakeholder_report(request.actor, product, period.since, period.until), period


def _filename(report: Report, extension: str) -> str:
    return f"{report.product_key}-report-{report.period.slug}.{extension}"


@require_GET
@workspace_view
def report(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The product's report for the period asked (the form again, naming what to fix, when
    the period cannot be)."""
    product = access_product(request.actor, product_key)
    today = timezone.localdate()
    context: dict[str, object] = {
        "product": product,
        "presets": presets(today),
        "since": request.GET.get("since", "")[:40],
        "until": request.GET.get("until", "")[:40],
    }
    try:
        found, period = _report(request, product_key)
    except Invalid as error:
        return render(
            request,
            "reports/report.html",
            {**context, "error": error_sentence(error)},
            status=error.status,
        )
    query = urlencode({"since": period.since.isoformat(), "until": period.until.isoformat()})
    return render(
        request,
        "reports/report.html",
        {
            **context,
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "report": found,
            "period": period,
            "charts": report_charts(found, today=today),
            "query": query,
            "links": True,
        },
    )


@require_GET
@workspace_view
def markdown(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The report as a Markdown file, to download."""
    found, _ = _report(request, product_key)
    response = HttpResponse(report_markdown(found), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "md")}"'
    return response


@require_GET
@workspace_view
def printable(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The report as one self-contained HTML file: shown in the browser (to print), or with
    ``?download=1`` saved as a file."""
    found, _ = _report(request, product_key)
    response = HttpResponse(
        report_html(found, today=timezone.localdate()), content_type="text/html; charset=utf-8"
    )
    how = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f'{how}; filename="{_filename(found, "html")}"'
    response["Content-Security-Policy"] = content_security_policy()
    return response
