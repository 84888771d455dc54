"""Users and workspaces."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Invalid
from lodestar.core.history import changes_since, snapshot
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.models import (
    Membership,
    Role,
    User,
    Workspace,
)
from lodestar.people.policy import Actor, Permission, require
from lodestar.people.services._common import (
    Action,
    _email,
    _name,
    _record,
    _slug,
)

# -- users and workspaces ----------------------------------------------------------------------


@transaction.atomic
def user_create(*, email: str, password: str, full_name: str = "") -> User:
    """A new user who signs in with ``email``. Users belong to no workspace, so no history."""
    address = _email(email)
    full_name = (full_name or "").strip()
    if len(full_name) > 150:
        raise Invalid.field("full_name", "must be at most 150 characters", code=Code.NAME_INVALID)
    if User.objects.filter(email=address).exists():
        raise Invalid.field(
            "email", "already belongs to a user; sign in instead", code=Code.EMAIL_TAKEN
        )
    try:
        validate_password(password, user=User(email=address, full_name=full_name))
    except ValidationError as exc:
        raise Invalid.field("password", " ".join(exc.messages), code=Code.PASSWORD_INVALID) from exc
    return User.objects.create_user(address, password, full_name=full_name)


@transaction.atomic
def workspace_create(*, slug: str, name: str, owner: User) -> Workspace:
    """A workspace with ``owner`` as its first owner."""
    slug = _slug(slug, Code.WORKSPACE_SLUG_INVALID)
    name = _name(name)
    if Workspace.objects.filter(slug=slug).exists():
        raise Invalid.field("slug", "is taken; choose another", code=Code.WORKSPACE_SLUG_TAKEN)
    workspace = Workspace.objects.create(slug=slug, name=name)
    membership = Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    _record(owner, workspace.pk, workspace, Action.CREATED, {"slug": slug, "name": name})
    _record(owner, workspace.pk, membership, Action.CREATED, {"role": Role.OWNER.value})
    return workspace


# The settings an owner or admin changes (the workspace's name and slug are the owners').
SETTINGS = ["allow_external_images"]


@transaction.atomic
def workspace_settings_update(
    *,
    actor: Actor,
    workspace: Workspace,
    allow_external_images: bool | None = None,
    expected_version: int | None = None,
) -> Workspace:
    """Change the workspace's settings; ``None`` leaves one as it is. Recorded in its history."""
    require(actor, Permission.MANAGE_SETTINGS)
    check_version(workspace, expected_version)
    before = snapshot(workspace, SETTINGS)
    if allow_external_images is not None:
        workspace.allow_external_images = allow_external_images
    changes = changes_since(workspace, before)
    if not changes:
        return workspace
    bump(workspace, list(changes))
    _record(actor.user, workspace.pk, workspace, Action.UPDATED, changes)
    return workspace
