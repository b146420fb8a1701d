from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootView(APIView):
    """Entry point of the API: where the docs and the main resources are."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {
                "name": "YSH — Yello Solar Hub API",
                "version": "v1",
                "schema": reverse("api:schema", request=request),
                "docs": reverse("api:docs", request=request),
                "auth": {
                    "register": reverse("api:auth-register", request=request),
                    "login": reverse("api:auth-login", request=request),
                    "refresh": reverse("api:auth-refresh", request=request),
                    "profile": reverse("api:auth-profile", request=request),
                },
                "organization": reverse("api:organization-current", request=request),
            }
        )
