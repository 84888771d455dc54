"""Commands for users, workspaces and API tokens.

The command line is the server operator's: it creates users and workspaces (which have no
actor), and acts as a given user for anything inside a workspace, through the same services
as the API, so the same rules hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption

if TYPE_CHECKING:
    from lodestar.people.models import User, Workspace
    from lodestar.people.policy import Actor

user_app = typer.Typer(help="Create users.", no_args_is_help=True)
workspace_app = typer.Typer(help="Create and list workspaces.", no_args_is_help=True)
token_app = typer.Typer(help="Create and list API tokens.", no_args_is_help=True)
member_app = typer.Typer(help="Add people to a workspace directly.", no_args_is_help=True)

WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="The workspace's slug.")]


def find_user(email: str) -> User:
    """The active user with ``email``, or a CLI error naming it."""
    from lodestar.people.models import User

    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        raise CliError(f"no user with email {email}; create one with 'lodestar user create'.")
    return user


def find_workspace(slug: str) -> Workspace:
    """The workspace with ``slug``, or a CLI error naming it."""
    from lodestar.people.models import Workspace

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise CliError(f"no workspace '{slug}'; see 'lodestar workspace list'.")
    return workspace


def actor_for(email: str, workspace_slug: str) -> Actor:
    """The user with ``email`` acting in the workspace ``workspace_slug`` (a CLI error if not a
    member), for commands that act as someone: ``--as EMAIL --workspace SLUG``."""
    from lodestar.core.errors import NotFound
    from lodestar.people.access import access_workspace

    find_workspace(workspace_slug)
    try:
        return access_workspace(find_user(email), workspace_slug)
    except NotFound as exc:
        raise CliError(f"{email} is not a member of workspace '{workspace_slug}'.") from exc


def _operator(workspace: Workspace) -> Actor:
    """An owner of ``workspace``: the operator reads a workspace with an owner's eyes."""
    from lodestar.people.policy import Actor
    from lodestar.people.selectors import workspace_owners

    owner = workspace_owners(workspace=workspace).first()
    if owner is None:
        raise CliError(f"workspace '{workspace.slug}' has no owner.")
    return Actor(user=owner.user, membership=owner)


def _new_password(email: str) -> str:
    """Ask twice, hidden, until the two agree; the service then checks the password rules."""
    from django.contrib.auth.password_validation import password_validators_help_texts

    output.err_console.print(" ".join(password_validators_help_texts()))
    password: str = typer.prompt(
        f"Password for {email}", hide_input=True, confirmation_prompt=True, err=True
    )
    return password


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The address the user signs in with.")],
    password: Annotated[
        str | None,
        typer.Option(help="The password; asked for (twice, hidden) when not given."),
    ] = None,
    name: Annotated[str, typer.Option("--name", help="The user's full name.")] = "",
) -> None:
    """Create a user who signs in with EMAIL."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from lodestar.people import services
    from lodestar.people.models import User

    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise CliError(f"'{email}' is not an email address (like ada@example.com).") from exc
    if User.objects.filter(email=address).exists():
        raise CliError(f"a user with email {address} already exists.")
    if password is None:
        password = _new_password(address)
    user = services.user_create(email=address, password=password, full_name=name)
    output.console.print(f"Created user {user.email}.")


@workspace_app.command("create")
def workspace_create(
    slug: Annotated[str, typer.Argument(help="Short name used in addresses, e.g. 'acme'.")],
    name: Annotated[str, typer.Option("--name", help="The workspace's display name.")],
    owner: Annotated[str, typer.Option("--owner", help="Email of the first owner.")],
) -> None:
    """Create the workspace SLUG, owned by an existing user."""
    setup_django()
    from lodestar.people import services

    workspace = services.workspace_create(slug=slug, name=name, owner=find_user(owner))
    output.console.print(
        f"Created workspace {workspace.slug} ({workspace.name}), owned by {owner.lower()}."
    )


@workspace_app.command("list")
def workspace_list(as_json: JsonOption = False) -> None:
    """List every workspace on this server."""
    setup_django()
    from django.db.models import Count

    from lodestar.people.models import Workspace

    rows = [
        {
            "slug": workspace.slug,
            "name": workspace.name,
            "members": workspace.member_count,
            "created_at": workspace.created_at,
        }
        for workspace in Workspace.objects.annotate(member_count=Count("memberships")).order_by(
            "slug"
        )
    ]
    output.print_listing(
        rows,
        [("slug", "Slug"), ("name", "Name"), ("members", "Members"), ("created_at", "Created")],
        as_json=as_json,
        empty="No workspaces yet; create one with 'lodestar workspace create'.",
    )


@member_app.command("add")
def member_add(
    email: Annotated[str, typer.Argument(help="The user to add (they need an account).")],
    workspace: WorkspaceOption,
    role: Annotated[str, typer.Option("--role", help="owner, admin, member or viewer.")] = "member",
    job_title: Annotated[str, typer.Option("--job-title", help="Their job title.")] = "",
) -> None:
    """Add the user EMAIL to a workspace at once, without an invitation.

    For scripts and set-up by whoever runs this server: only someone with the server's data can
    run it. In the app and the API, people join by accepting an invitation.
    """
    setup_django()
    from lodestar.people import services

    target = find_workspace(workspace)
    member = services.member_add_by_operator(
        workspace=target, email=email, role=role, job_title=job_title
    )
    output.console.print(
        f"Added {output.visible(member.user.email)} to {target.slug} as "
        f"{member.get_role_display().lower()}."
    )


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    workspace: WorkspaceOption,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
    expires_in_days: Annotated[
        int | None,
        typer.Option(
            "--expires-in-days",
            help="Days until it stops working (1 to 366); left out, it works until revoked.",
        ),
    ] = None,
) -> None:
    """Create an API token for a member of a workspace; prints the token alone."""
    setup_django()
    from lodestar.people import services

    _, secret = services.token_create(
        actor=actor_for(email, workspace), name=name, expires_in_days=expires_in_days
    )
    typer.echo(secret)


@token_app.command("list")
def token_list(workspace: WorkspaceOption, as_json: JsonOption = False) -> None:
    """List the API tokens of a workspace (never their secrets)."""
    setup_django()
    from lodestar.people import selectors

    rows: list[dict[str, Any]] = [
        {
            "name": token.name,
            "prefix": token.prefix,
            "user": token.user.email,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at,
            "expires_at": token.expires_at,
        }
        for token in selectors.token_list(actor=_operator(find_workspace(workspace)))
    ]
    output.print_listing(
        rows,
        [
            ("name", "Name"),
            ("prefix", "Starts with"),
            ("user", "User"),
            ("created_at", "Created"),
            ("last_used_at", "Last used"),
            ("revoked_at", "Revoked"),
            ("expires_at", "Expires"),
        ],
        as_json=as_json,
        empty=f"No API tokens in {workspace}.",
    )


def register(app: typer.Typer) -> None:
    """Add the people commands (user, workspace, member, token) to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(workspace_app, name="workspace")
    app.add_typer(member_app, name="member")
    app.add_typer(token_app, name="token")
