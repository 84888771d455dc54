"""People: users, workspaces, memberships, invitations, teams and their hats, API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from lodestar.core.models import BaseModel
from lodestar.people.handles import free_handle, handle_base


class Role(models.TextChoices):
    """A member's role in a workspace."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class TeamRole(models.TextChoices):
    """The hats worn inside a Scrum team. ``product_owner`` has exactly one holder, or none."""

    PRODUCT_OWNER = "product_owner", "Product owner"
    SCRUM_MASTER = "scrum_master", "Scrum master"
    DEVELOPER = "developer", "Developer"
    STAKEHOLDER = "stakeholder", "Stakeholder"


JOB_TITLE_SUGGESTIONS = [
    "Product Manager",
    "Engineer",
    "QA Engineer",
    "Designer",
    "Engineering Manager",
    "Data Analyst",
    "Founder",
]
PRODUCT_MANAGER_TITLES = {
    "product manager",
    "senior product manager",
    "head of product",
    "group product manager",
    "principal product manager",
    "cpo",
    "chief product officer",
    "vp product",
    "product lead",
}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Workspace(BaseModel):
    """The tenant: every row belongs to exactly one workspace, and no query crosses one."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    # Whether pages of this workspace load images from other hosts (in Markdown): off, the
    # Content-Security-Policy refuses them, so an image cannot track who reads an item.
    allow_external_images = models.BooleanField(default=False)
    # The ISO 4217 code of the money amounts the workspace records (customers' ARR).
    currency = models.CharField(max_length=3, default="USD")

    def __str__(self) -> str:
        return self.name


def default_handle(workspace_id: int, email: str) -> str:
    """A new member's handle: their email's local part fitted to the rule, with a number added
    when a member (past ones too: they may come back) or a team of the workspace has it."""
    taken = {
        h.lower()
        for h in Membership.all_objects.filter(workspace_id=workspace_id).values_list(
            "handle", flat=True
        )
    } | set(Team.objects.filter(workspace_id=workspace_id).values_list("slug", flat=True))
    return free_handle(handle_base(email), taken.__contains__)


class CurrentMembershipManager(models.Manager["Membership"]):
    """Members who have not left: everything but the history sees only these."""

    def get_queryset(self) -> models.QuerySet[Membership]:
        return super().get_queryset().filter(removed_at__isnull=True)

    def create(self, **kwargs: Any) -> Membership:
        """A membership; without a ``handle``, the default one for the user's email."""
        if not kwargs.get("handle"):
            workspace = kwargs.get("workspace")
            workspace_id = kwargs.get("workspace_id") or getattr(workspace, "pk", None)
            user = kwargs.get("user")
            email = getattr(user, "email", "") if user is not None else ""
            if user is None and kwargs.get("user_id"):
                email = (
                    User.objects.filter(pk=kwargs["user_id"])
                    .values_list("email", flat=True)
                    .first()
                    or ""
                )
            kwargs["handle"] = default_handle(int(workspace_id or 0), email)
        return super().create(**kwargs)


class Membership(BaseModel):
    """A user in a workspace, with a workspace role and a job title.

    Removing a member keeps the row (``removed_at``) so the hats they wore stay in the teams'
    history; adding them again brings the same row back.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(max_length=100, blank=True)
    # The name the member is mentioned by (``@quinn``): ``people/handles.py`` has the rule.
    handle = models.CharField(max_length=32, default="")
    removed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[CurrentMembershipManager] = CurrentMembershipManager()
    all_objects: ClassVar[models.Manager[Membership]] = models.Manager()

    class Meta:
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            models.UniqueConstraint("workspace", Lower("handle"), name="membership_unique_handle"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace}"

    @property
    def is_product_manager(self) -> bool:
        return self.job_title.strip().lower() in PRODUCT_MANAGER_TITLES


class Invitation(BaseModel):
    """An invitation to join a workspace; its token is single-use, expires, and is stored hashed."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The invitee said no (in the app or through the API); the link stops working.
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The invitee's own list (and the sidebar's count) looks invitations up by address.
        indexes = [models.Index(fields=["email"], name="invitation_email")]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace}"

    @property
    def is_open(self) -> bool:
        """Still waiting for an answer (it may have expired)."""
        return self.accepted_at is None and self.revoked_at is None and self.declined_at is None


class Team(BaseModel):
    """A Scrum team in a workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="team_unique_slug"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """A hat a workspace member wears in a team, from ``started_at`` until ``ended_at``.

    Ending a hat keeps the row, so the history of who wore which hat (and since when) stays.
    The database holds at most one current product owner per team.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="roles")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_roles")
    role = models.CharField(max_length=16, choices=TeamRole.choices)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="product_owner", ended_at__isnull=True),
                name="team_one_current_product_owner",
            ),
            models.UniqueConstraint(
                fields=["team", "member", "role"],
                condition=Q(ended_at__isnull=True),
                name="team_role_unique_current",
            ),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="team_role_valid"),
        ]
        indexes = [models.Index(fields=["team", "role", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.member.user} as {self.role} in {self.team}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class ApiToken(models.Model):
    """A bearer token bound to one user in one workspace; only its SHA-256 is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # None: the token works until it is revoked.
    expires_at = models.DateTimeField(null=True, blank=True)
    # When its holder was told it will soon stop working (once).
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
