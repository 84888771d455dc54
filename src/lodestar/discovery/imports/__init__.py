"""Importing customers and feedback from CSV files: the services the CLI, the API and the
upload page call (``customers_import``, ``feedback_import``), and what they share: reading the
file (``csvfile``), finding its columns (``columns``), dates (``dates``), the report."""

from __future__ import annotations

from lodestar.discovery.imports.columns import (
    CUSTOMER_FIELDS,
    FEEDBACK_FIELDS,
    ColumnMap,
    Field,
    parse_pairs,
    resolve,
)
from lodestar.discovery.imports.csvfile import (
    IMPORT_MAX_BYTES,
    headers_of,
    parse,
    read_limited,
    too_large,
)
from lodestar.discovery.imports.customers import customers_import
from lodestar.discovery.imports.feedback import feedback_html, feedback_import
from lodestar.discovery.imports.report import ImportRefused, ImportReport, Progress, RowError

KINDS = {"customers": CUSTOMER_FIELDS, "feedback": FEEDBACK_FIELDS}

__all__ = [
    "CUSTOMER_FIELDS",
    "FEEDBACK_FIELDS",
    "IMPORT_MAX_BYTES",
    "KINDS",
    "ColumnMap",
    "Field",
    "ImportRefused",
    "ImportReport",
    "Progress",
    "RowError",
    "customers_import",
    "feedback_html",
    "feedback_import",
    "headers_of",
    "parse",
    "parse_pairs",
    "read_limited",
    "resolve",
    "too_large",
]
