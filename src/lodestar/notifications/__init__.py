"""Mentions, watchers and notifications: who is told what, in the app and by email."""
