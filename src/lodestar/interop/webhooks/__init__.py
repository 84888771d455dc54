"""Webhooks: a workspace's subscriptions to its domain events, delivered by the worker as signed
JSON to a receiver's URL (docs/WEBHOOKS.md)."""
