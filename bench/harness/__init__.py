"""The backlog benchmark: seeding, measuring through the API, and reporting (see bench/run.py)."""
