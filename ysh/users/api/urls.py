from django.urls import re_path
from rest_framework.routers import SimpleRouter

from ysh.users.api import views

router = SimpleRouter()
router.register("organization/members", views.MemberViewSet, basename="member")
router.register("organization/invitations", views.InvitationViewSet, basename="invitation")

# PRODUCT.md writes these paths without a trailing slash; both forms are accepted.
urlpatterns = [
    re_path(r"^auth/register/?$", views.RegisterView.as_view(), name="auth-register"),
    re_path(r"^auth/login/?$", views.LoginView.as_view(), name="auth-login"),
    re_path(r"^auth/refresh/?$", views.RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^auth/logout/?$", views.LogoutView.as_view(), name="auth-logout"),
    re_path(r"^auth/profile/?$", views.ProfileView.as_view(), name="auth-profile"),
    re_path(r"^auth/password-reset/?$", views.PasswordResetView.as_view(), name="auth-password-reset"),
    re_path(
        r"^auth/password-reset/confirm/?$",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    re_path(r"^organization/?$", views.CurrentOrganizationView.as_view(), name="organization-current"),
    *router.urls,
]
