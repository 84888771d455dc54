"""The interop context's pages (``app_name = "interop"``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.interop.exports import views as exports
from lodestar.interop.imports import views as imports
from lodestar.interop.webhooks import views as webhooks

app_name = "interop"

W = "w/<slug:workspace_slug>/"
HOOK = W + "settings/webhooks/<int:webhook_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W + "settings/webhooks", webhooks.webhook_list, name="webhook_list"),
    path(W + "settings/webhooks/new", webhooks.webhook_new, name="webhook_new"),
    path(HOOK, webhooks.webhook_detail, name="webhook_detail"),
    path(HOOK + "/edit", webhooks.webhook_edit, name="webhook_edit"),
    path(HOOK + "/enable", webhooks.webhook_enable, name="webhook_enable"),
    path(HOOK + "/disable", webhooks.webhook_disable, name="webhook_disable"),
    path(HOOK + "/test", webhooks.webhook_test, name="webhook_test"),
    path(HOOK + "/secret", webhooks.webhook_rotate_secret, name="webhook_rotate_secret"),
    path(HOOK + "/delete", webhooks.webhook_delete, name="webhook_delete"),
    path(
        HOOK + "/deliveries/<int:delivery_id>/redeliver",
        webhooks.delivery_redeliver,
        name="webhook_redeliver",
    ),
    path(W + "imports", imports.imports_page, name="imports"),
    path(W + "imports/<int:run_id>", imports.import_run_page, name="import_run"),
    path(W + "imports/<int:run_id>/status", imports.import_run_status, name="import_run_status"),
    path(W + "exports", exports.export_list, name="export_list"),
    path(W + "exports/new", exports.export_create, name="export_create"),
    path(W + "exports/<int:run_id>/download", exports.export_download, name="export_download"),
]
