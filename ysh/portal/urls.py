from django.contrib.auth import views as auth_views
from django.urls import path

from ysh.portal.views import auth, members, organization

app_name = "portal"

urlpatterns = [
    path("", organization.dashboard, name="dashboard"),
    # visitors
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.password_reset_request, name="password_reset"),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("invitations/<str:token>/", auth.invitation_detail, name="invitation"),
    # organization
    path("organization/", organization.organization_detail, name="organization"),
    path("organization/switch/", organization.organization_switch, name="organization_switch"),
    # team
    path("members/", members.members, name="members"),
    path("members/invite/", members.invitation_create, name="invitation_create"),
    path("members/leave/", members.membership_leave, name="membership_leave"),
    path("members/<int:pk>/role/", members.membership_set_role, name="membership_set_role"),
    path("members/<int:pk>/remove/", members.membership_remove, name="membership_remove"),
    path(
        "members/invitations/<int:pk>/revoke/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
]
