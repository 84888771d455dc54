"""The interop context's tables, each part's in its own module."""

from lodestar.interop.exports.models import ExportRun, ExportState, WorkspaceRestore  # noqa: F401
from lodestar.interop.imports.models import ExternalRef, ImportRun, ImportState  # noqa: F401
from lodestar.interop.webhooks.models import Webhook, WebhookDelivery  # noqa: F401
