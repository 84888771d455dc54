"""One OS process of the cross-process rate-limit test (``test_rate_limit.py``).

    python -m tests.api.rate_limit_process setup        migrates, prints a fresh token
    python -m tests.api.rate_limit_process send TOKEN N  waits for a line on stdin, then sends
                                                         N API requests; prints their answers

The database comes from the environment (``DATABASE_URL`` or ``LODESTAR_DATA_DIR``), so every
process of a test counts in the same one, as the web workers of a deployment do.
"""

from __future__ import annotations

import json
import os
import sys


def _setup() -> None:
    from django.core.management import call_command

    from lodestar.people.models import ApiToken, Membership, Role, User, Workspace
    from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(slug="acme", name="Acme")
    user = User.objects.create_user("admin@acme.test", "correct-horse-battery")
    Membership.objects.create(workspace=workspace, user=user, role=Role.ADMIN)
    secret = new_secret(API_TOKEN_PREFIX)
    ApiToken.objects.create(
        workspace=workspace,
        user=user,
        name="race",
        prefix=secret[:8],
        token_hash=hash_secret(secret),
    )
    print(secret)


def _send(secret: str, count: int) -> None:
    from django.conf import settings
    from django.test import Client

    # A window longer than any run of this test, so no count starts again midway.
    settings.API_RATE_LIMIT_WINDOW_SECONDS = 3600
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    client.get("/api/v1/openapi.json", headers={"Authorization": ""})  # warm up, anonymous
    print("ready", flush=True)
    sys.stdin.readline()
    answers = []
    for _ in range(count):
        response = client.get("/api/v1/workspaces/acme/teams")
        answers.append([response.status_code, response.get("RateLimit-Remaining")])
    print(json.dumps(answers), flush=True)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
    import django

    django.setup()
    if sys.argv[1] == "setup":
        _setup()
    else:
        _send(sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
