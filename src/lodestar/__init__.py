"""Lodestar: self-hosted product management and Scrum."""

__version__ = "0.1.0"
