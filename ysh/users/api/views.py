from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenBlacklistSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.views import TokenViewBase

from ysh.api.authentication import AnonymousBearer
from ysh.api.throttling import AuthRateThrottle
from ysh.api.viewsets import OrganizationScopedMixin
from ysh.users import services
from ysh.users.api import serializers as s
from ysh.users.models import MANAGER_ROLES, Invitation, Membership

AUTH_TAG = ["auth"]
ORG_TAG = ["organization"]


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = [AnonymousBearer]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=s.RegisterSerializer,
        responses={201: s.RegisterResponseSerializer},
        summary="Create an account and its organization (the caller becomes owner)",
        auth=[],
    )
    def post(self, request):
        serializer = s.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user, organization = services.organization_register(
            email=data["email"],
            password=data["password"],
            full_name=data["full_name"],
            cpf=data.get("cpf", ""),
            whatsapp=data.get("whatsapp", ""),
            organization=data["organization"],
        )
        membership = user.memberships.select_related("organization").get(organization=organization)
        return Response(
            {"user": s.ProfileSerializer(user).data, "tokens": s.tokens_for(user, membership)},
            status=status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=AUTH_TAG,
    responses={200: s.LoginResponseSerializer, 429: OpenApiResponse(description="Locked out")},
    summary="Sign in with e-mail and password",
)
class LoginView(TokenViewBase):
    serializer_class = s.LoginSerializer
    throttle_classes = [AuthRateThrottle]


@extend_schema(tags=AUTH_TAG, summary="Exchange a refresh token (rotated; the old one is blacklisted)")
class RefreshView(TokenViewBase):
    serializer_class = TokenRefreshSerializer
    throttle_classes = [AuthRateThrottle]


class LogoutView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = [AnonymousBearer]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=s.LogoutSerializer,
        responses={200: s.DetailSerializer},
        summary="Blacklist the refresh token",
        auth=[],
    )
    def post(self, request):
        serializer = TokenBlacklistSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return Response({"detail": _("Signed out.")})


@extend_schema_view(
    get=extend_schema(tags=AUTH_TAG, summary="The signed-in user"),
    patch=extend_schema(tags=AUTH_TAG, summary="Update the signed-in user"),
)
class ProfileView(generics.RetrieveUpdateAPIView):
    serializer_class = s.ProfileSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.prefetch_related("memberships__organization")
            .get(pk=self.request.user.pk)
        )

    def perform_update(self, serializer):
        serializer.instance = services.user_update_profile(
            user=serializer.instance, data=serializer.validated_data
        )


class PasswordResetView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = [AnonymousBearer]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=s.PasswordResetSerializer,
        responses={202: s.DetailSerializer},
        summary="E-mail a password-reset link (same answer whether or not the account exists)",
        auth=[],
    )
    def post(self, request):
        serializer = s.PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(email=serializer.validated_data["email"])
        return Response(
            {"detail": _("If the account exists, we sent an e-mail with instructions.")},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = [AnonymousBearer]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=s.PasswordResetConfirmSerializer,
        responses={200: s.DetailSerializer},
        summary="Set a new password with the e-mailed uid and token",
        auth=[],
    )
    def post(self, request):
        serializer = s.PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response({"detail": _("Password changed. Sign in again.")})


# --- Organization ----------------------------------------------------------------------


class CurrentOrganizationView(OrganizationScopedMixin, generics.GenericAPIView):
    serializer_class = s.OrganizationSerializer

    @extend_schema(tags=ORG_TAG, summary="The organization the caller acts for, with plan usage")
    def get(self, request):
        return Response(s.OrganizationSerializer(self.organization).data)

    @extend_schema(tags=ORG_TAG, summary="Update the organization (owners and admins)")
    def patch(self, request):
        serializer = s.OrganizationSerializer(self.organization, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organization = services.organization_update(
            organization=self.organization, actor=request.user, data=serializer.validated_data
        )
        return Response(s.OrganizationSerializer(organization).data)


@extend_schema_view(
    list=extend_schema(tags=ORG_TAG, summary="Members of the organization"),
    retrieve=extend_schema(tags=ORG_TAG),
    partial_update=extend_schema(tags=ORG_TAG, summary="Change a member's role"),
    destroy=extend_schema(tags=ORG_TAG, summary="Remove a member (or leave)"),
)
class MemberViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Membership.objects.select_related("user").order_by("created_at", "id")
    serializer_class = s.MemberSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    ordering_fields = ["created_at", "role"]
    search_fields = ["user__email", "user__full_name"]

    def perform_update(self, serializer):
        serializer.instance = services.membership_set_role(
            membership=serializer.instance,
            role=serializer.validated_data.get("role", serializer.instance.role),
            actor=self.request.user,
        )

    def perform_destroy(self, instance):
        services.membership_remove(membership=instance, actor=self.request.user)


@extend_schema_view(
    list=extend_schema(tags=ORG_TAG, summary="Invitations of the organization"),
    retrieve=extend_schema(tags=ORG_TAG),
    create=extend_schema(tags=ORG_TAG, summary="Invite someone by e-mail (counts against max users)"),
    destroy=extend_schema(tags=ORG_TAG, summary="Revoke a pending invitation"),
)
class InvitationViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Invitation.objects.order_by("-created_at")
    serializer_class = s.InvitationSerializer
    write_roles = MANAGER_ROLES
    filterset_fields = ["status"]

    def perform_create(self, serializer):
        serializer.instance = services.invitation_create(
            organization=self.organization,
            actor=self.request.user,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
        )

    def perform_destroy(self, instance):
        services.invitation_revoke(invitation=instance, actor=self.request.user)
