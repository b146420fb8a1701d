"""Leads API. Decisions:

* ``POST leads/`` is public (the storefront's forms, AllowAny, ``PublicRateThrottle`` per hashed
  IP): it captures through ``lead_create`` and answers only a reference and ``"received"`` — the same
  whether the person was new or already had an open lead, so nobody learns anything about another
  person's data. An anonymous capture belongs to YSH's storefront (no organization); a signed-in
  integrator member captures for their organization. Nobody can file a lead into another
  organization.
* ``GET leads/``, ``GET/PATCH leads/{id}/`` are for YSH staff (the back office), with filters and
  search; a PATCH changes status, interest, name or location through ``lead_update``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from leads import selectors, services
from leads.api import serializers as s
from leads.api.filters import LeadFilterSet
from ysh.api.permissions import IsStaff
from ysh.api.throttling import PublicRateThrottle
from ysh.users.context import request_membership
from ysh.users.services import client_ip

_FIELD_ERRORS = OpenApiResponse(description='Field errors, e.g. {"phone": ["…"]}.')


@extend_schema_view(
    list=extend_schema(
        summary="List leads (staff)", description="Filters, `search=` on name, e-mail and phone."
    ),
    retrieve=extend_schema(summary="A lead (staff)"),
)
class LeadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.LeadSerializer
    filterset_class = LeadFilterSet
    search_fields = ["name", "email", "phone"]
    ordering_fields = ["created_at", "updated_at", "last_captured_at"]
    ordering = ["-created_at", "-id"]
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.lead_list()

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return [IsAuthenticated(), IsStaff()]

    def get_throttles(self):
        if self.action == "create":
            return [PublicRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        summary="Leave contact details (public, throttled)",
        description=(
            "Creates a lead, or updates the person's open lead (same e-mail or phone), through "
            "`leads.services.lead_create`. `consent` must be true (LGPD): without it nothing is stored. "
            "The answer is the same for a new and a known person."
        ),
        request=s.LeadCaptureSerializer,
        responses={
            201: s.LeadReceiptSerializer,
            400: _FIELD_ERRORS,
            403: OpenApiResponse(description="The caller's organization is suspended."),
            429: OpenApiResponse(description="Too many requests from this address."),
        },
    )
    def create(self, request):
        payload = s.LeadCaptureSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = request_membership(request)
        lead = services.lead_create(
            **payload.service_kwargs(),
            organization=membership.organization if membership else None,
            ip=client_ip(request),
        )
        receipt = s.LeadReceiptSerializer({"id": lead.uuid, "status": "received"})
        return Response(receipt.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a lead's status, interest, name or location (staff)",
        request=s.LeadUpdateSerializer,
        responses={
            200: s.LeadSerializer,
            400: _FIELD_ERRORS,
            409: OpenApiResponse(description="Re-opening it would duplicate another open lead."),
        },
    )
    def partial_update(self, request, pk=None):
        lead = self.get_object()
        payload = s.LeadUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        lead = services.lead_update(lead=lead, data=dict(payload.validated_data))
        return Response(s.LeadSerializer(lead).data)
