"""Stable error codes of the discovery context (customers, feedback, insights, problems)."""

from __future__ import annotations

from enum import StrEnum


class DiscoveryErrorCode(StrEnum):
    CUSTOMER_NOT_FOUND = "customer_not_found"
    CUSTOMER_NAME_INVALID = "customer_name_invalid"
    CUSTOMER_NAME_TAKEN = "customer_name_taken"
    CUSTOMER_EXTERNAL_ID_TAKEN = "customer_external_id_taken"
    CUSTOMER_ARR_INVALID = "customer_arr_invalid"
    CUSTOMER_HAS_FEEDBACK = "customer_has_feedback"
    CUSTOMER_MERGE_INVALID = "customer_merge_invalid"
    CUSTOMER_MERGED = "customer_merged"
    CONTACT_NOT_FOUND = "contact_not_found"
    CONTACT_EMAIL_INVALID = "contact_email_invalid"
    CONTACT_EMAIL_TAKEN = "contact_email_taken"
    FEEDBACK_NOT_FOUND = "feedback_not_found"
    FEEDBACK_TEXT_INVALID = "feedback_text_invalid"
    FEEDBACK_SOURCE_INVALID = "feedback_source_invalid"
    FEEDBACK_STATE_INVALID = "feedback_state_invalid"
    FEEDBACK_DATE_INVALID = "feedback_date_invalid"
    FEEDBACK_TAGS_INVALID = "feedback_tags_invalid"
    INSIGHT_NOT_FOUND = "insight_not_found"
    INSIGHT_QUOTE_INVALID = "insight_quote_invalid"
    INSIGHT_SPAN_INVALID = "insight_span_invalid"
    PROBLEM_NOT_FOUND = "problem_not_found"
    PROBLEM_TITLE_INVALID = "problem_title_invalid"
    PROBLEM_STATUS_INVALID = "problem_status_invalid"
    FORBIDDEN_MERGE_CUSTOMERS = "forbidden_merge_customers"
    # The public portal.
    PORTAL_NOT_FOUND = "portal_not_found"
    PORTAL_SETTINGS_INVALID = "portal_settings_invalid"
    PORTAL_IDEA_NOT_FOUND = "portal_idea_not_found"
    PORTAL_IDEA_INVALID = "portal_idea_invalid"
    PORTAL_IDEA_PRODUCT_MISMATCH = "portal_idea_product_mismatch"
    PORTAL_SUBMISSION_NOT_FOUND = "portal_submission_not_found"
    PORTAL_SUBMISSION_INVALID = "portal_submission_invalid"
    PORTAL_SUBMISSION_DECIDED = "portal_submission_decided"
    PORTAL_LINK_INVALID = "portal_link_invalid"
    PORTAL_LINK_EXPIRED = "portal_link_expired"
    FORBIDDEN_MANAGE_PORTAL = "forbidden_manage_portal"
    FORBIDDEN_MODERATE_PORTAL = "forbidden_moderate_portal"
    # Problems in the backlog.
    REACH_FROM_INVALID = "discovery_reach_from_invalid"
    FORBIDDEN_CHANGE_DISCOVERY_SETTINGS = "forbidden_change_discovery_settings"
    # Importing CSV files.
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_FILE_TOO_LARGE = "import_file_too_large"
    IMPORT_COLUMNS_INVALID = "import_columns_invalid"
    IMPORT_DATE_FORMAT_INVALID = "import_date_format_invalid"
    IMPORT_ROWS_INVALID = "import_rows_invalid"
