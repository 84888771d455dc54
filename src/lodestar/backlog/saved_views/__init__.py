"""Saved views: a named backlog filter and column set, personal or shared with the workspace."""
