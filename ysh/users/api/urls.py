from rest_framework.routers import SimpleRouter

from ysh.api.routing import slash_optional
from ysh.users.api import views

router = SimpleRouter()
router.register("organization/members", views.MemberViewSet, basename="member")
router.register("organization/invitations", views.InvitationViewSet, basename="invitation")

# PRODUCT.md writes these paths without a trailing slash; both forms are accepted.
urlpatterns = [
    *slash_optional("auth/register", views.RegisterView.as_view(), name="auth-register"),
    *slash_optional("auth/login", views.LoginView.as_view(), name="auth-login"),
    *slash_optional("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    *slash_optional("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    *slash_optional("auth/profile", views.ProfileView.as_view(), name="auth-profile"),
    *slash_optional("auth/password-reset", views.PasswordResetView.as_view(), name="auth-password-reset"),
    *slash_optional(
        "auth/password-reset/confirm",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    *slash_optional("organization", views.CurrentOrganizationView.as_view(), name="organization-current"),
    *router.urls,
]
