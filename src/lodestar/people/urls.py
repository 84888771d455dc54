"""The people pages: signing in, invitations, and each workspace's home, members and teams."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from lodestar.people import account_pages, pages, search_pages, settings_pages, views

app_name = "people"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("signin", views.sign_in, name="login"),
    path("signout", views.sign_out, name="logout"),
    path("account", account_pages.account, name="account"),
    path("account/password", views.password_change, name="password_change"),
    path("account/email", account_pages.email_change, name="email_change"),
    path(
        "account/email/confirm/<str:token>",
        account_pages.email_change_confirm,
        name="email_change_confirm",
    ),
    path("account/reset", account_pages.password_reset, name="password_reset"),
    path(
        "account/reset/<str:uidb64>/<str:token>",
        account_pages.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("account/invitations", views.my_invitations, name="my_invitations"),
    path(
        "account/invitations/<int:invitation_id>/accept",
        views.my_invitation_answer,
        {"answer": "accept"},
        name="my_invitation_accept",
    ),
    path(
        "account/invitations/<int:invitation_id>/decline",
        views.my_invitation_answer,
        {"answer": "decline"},
        name="my_invitation_decline",
    ),
    path("invitations/<str:token>", views.invitation, name="invitation"),
    path("w/<slug:workspace_slug>/", pages.workspace_home, name="workspace_home"),
    path("w/<slug:workspace_slug>/members", pages.member_list, name="member_list"),
    path("w/<slug:workspace_slug>/members/invite", pages.member_invite, name="member_invite"),
    path("w/<slug:workspace_slug>/members/me/handle", pages.my_handle, name="my_handle"),
    path("w/<slug:workspace_slug>/members/<str:email>", pages.member_update, name="member_update"),
    path(
        "w/<slug:workspace_slug>/members/<str:email>/remove",
        pages.member_remove,
        name="member_remove",
    ),
    path(
        "w/<slug:workspace_slug>/invitations/<int:invitation_id>/revoke",
        pages.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "w/<slug:workspace_slug>/invitations/<int:invitation_id>/resend",
        pages.invitation_resend,
        name="invitation_resend",
    ),
    path("w/<slug:workspace_slug>/tokens", account_pages.token_page, name="token_page"),
    path(
        "w/<slug:workspace_slug>/tokens/<int:token_id>/revoke",
        account_pages.token_revoke,
        name="token_revoke",
    ),
    path("w/<slug:workspace_slug>/teams", pages.team_list, name="team_list"),
    path("w/<slug:workspace_slug>/teams/<slug:team_slug>", pages.team_detail, name="team_detail"),
    path(
        "w/<slug:workspace_slug>/teams/<slug:team_slug>/hats",
        pages.team_hat_add,
        name="team_hat_add",
    ),
    path(
        "w/<slug:workspace_slug>/teams/<slug:team_slug>/hats/end",
        pages.team_hat_end,
        name="team_hat_end",
    ),
    path("w/<slug:workspace_slug>/who", pages.who_does_what, name="who_does_what"),
    path("w/<slug:workspace_slug>/search", search_pages.search_page, name="search"),
    path(
        "w/<slug:workspace_slug>/settings",
        settings_pages.workspace_settings,
        name="workspace_settings",
    ),
]
