"""Engineering API. Views are thin: an input serializer, one service or selector call, an output
serializer. Decisions:

* utilities, tariffs, irradiation and financing products are public reference data (anonymous
  allowed, default throttles);
* ``POST engineering/viability/`` is the public calculator: anonymous callers are throttled with
  ``PublicRateThrottle`` and their analysis is stored WITHOUT an organization, reachable only by its
  unguessable ``uuid`` (``GET engineering/viability/{uuid}/``); members' analyses belong to their
  organization and are read by id or uuid, by members only;
* ``POST engineering/financing/simulate/`` computes for anyone (throttled) and stores the simulation
  only for organization members;
* ``POST engineering/photogrammetry/`` costs money at the provider: members only.
"""

from __future__ import annotations

import uuid as uuid_lib

from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from engineering import selectors, services
from engineering.api import serializers as s
from engineering.financing import LoanRequest, loan_for, loan_summary
from engineering.models import (
    CreditStatus,
    FinancingProduct,
    FinancingSimulation,
    ProposalStatus,
    SolarViabilityAnalysis,
)
from engineering.tariffs import (
    TariffNotFound,
    tariff_for_consumer,
    utility_get,
    utility_list,
    utility_tariffs,
)
from ysh.api.permissions import IsOrganizationMember
from ysh.api.throttling import PublicRateThrottle
from ysh.api.viewsets import OrganizationScopedMixin
from ysh.storage import document_url, documents_storage
from ysh.users.context import request_membership
from ysh.users.services import client_ip


class UtilityListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, description="UF, e.g. SP")],
        responses=s.UtilitySerializer(many=True),
    )
    def get(self, request):
        state = (request.query_params.get("state") or "").strip()
        if state and len(state) != 2:
            raise ValidationError({"state": [_("Use the two-letter UF, e.g. SP.")]})
        return Response(s.UtilitySerializer(utility_list(state=state or None), many=True).data)


class UtilityTariffsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("subgroup", OpenApiTypes.STR, description="B1, B3, A4…")],
        responses=s.UtilityTariffsSerializer,
    )
    def get(self, request, code: str):
        utility = utility_get(code=code)
        subgroup = request.query_params.get("subgroup") or None
        try:
            current, error = tariff_for_consumer(utility=utility), ""
        except TariffNotFound as exc:
            current, error = None, str(exc.message)
        history = utility_tariffs(utility=utility, subgroup=subgroup)[:500]
        data = {"utility": utility, "current": current, "current_error": error, "history": history}
        return Response(s.UtilityTariffsSerializer(data).data)


class IrradiationView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[s.LocationQuerySerializer], responses=s.IrradiationSerializer)
    def get(self, request):
        from engineering.analysis_inputs import site_resolve
        from engineering.irradiation import irradiation_for

        query = s.LocationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        site = site_resolve(**query.validated_data)
        irradiation = irradiation_for(lat=site.lat, lon=site.lon)
        data = {
            "lat": site.lat,
            "lon": site.lon,
            "state": site.state,
            "location_source": site.source,
            **{
                k: getattr(irradiation, k)
                for k in (
                    "monthly_ghi_kwh_m2_day",
                    "annual_ghi_kwh_m2_day",
                    "monthly_temp_c",
                    "source",
                    "nearest_capital",
                    "distance_km",
                    "cached",
                    "note",
                )
            },
        }
        return Response(s.IrradiationSerializer(data).data)


def _is_uuid(value: str) -> bool:
    try:
        uuid_lib.UUID(str(value))
    except ValueError:
        return False
    return True


class ViabilityViewSet(OrganizationScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Solar viability analyses (see the module docstring for who can do what)."""

    queryset = SolarViabilityAnalysis.objects.select_related("utility").order_by("-created_at", "-id")
    serializer_class = s.ViabilityAnalysisSerializer
    lookup_value_regex = r"[0-9]+|[0-9a-fA-F-]{32,36}"

    def get_permissions(self):
        if self.action in ("create", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated(), IsOrganizationMember()]

    def get_throttles(self):
        if self.action == "create":
            return [PublicRateThrottle()]
        return super().get_throttles()

    def get_serializer_class(self):
        if self.action == "list":
            return s.ViabilityListSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset().defer("result", "sizing", "context")
        return super().get_queryset()

    def _analysis(self, pk: str) -> SolarViabilityAnalysis:
        """By uuid: public analyses for anyone, organization ones for members; by id: members."""
        membership = request_membership(self.request)
        if _is_uuid(pk):
            analysis = SolarViabilityAnalysis.objects.select_related("utility").filter(uuid=pk).first()
        elif pk.isdigit() and membership is not None:
            analysis = SolarViabilityAnalysis.objects.select_related("utility").filter(pk=int(pk)).first()
        else:
            analysis = None
        if analysis is None:
            raise NotFound()
        if analysis.organization_id is not None and (
            membership is None or membership.organization_id != analysis.organization_id
        ):
            raise NotFound()
        return analysis

    def _member_analysis(self, pk: str) -> SolarViabilityAnalysis:
        analysis = self._analysis(pk)
        if analysis.organization_id is None:
            raise PermissionDenied(_("Only analyses of your organization can do this."))
        return analysis

    @extend_schema(
        request=s.ViabilityRequestSerializer,
        responses={201: s.ViabilityAnalysisSerializer, 400: OpenApiResponse(description="Field errors.")},
        description=(
            "Size a system with catalog products and analyse its viability. Anonymous callers (the "
            "public calculator, throttled) get an analysis without organization, readable by its uuid; "
            "with `contact` a lead is created through the leads app."
        ),
    )
    def create(self, request):
        payload = s.ViabilityRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        contact = data.pop("contact", None)
        if contact:
            contact["ip"] = client_ip(request)  # the leads app keeps only its HMAC
        membership = request_membership(request)
        analysis = services.viability_analysis_create(
            data=data,
            organization=membership.organization if membership else None,
            user=request.user if request.user.is_authenticated else None,
            contact=contact,
        )
        return Response(s.ViabilityAnalysisSerializer(analysis).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.ViabilityAnalysisSerializer)
    def retrieve(self, request, pk: str):
        return Response(s.ViabilityAnalysisSerializer(self._analysis(pk)).data)

    @extend_schema(request=None, responses=s.ViabilityAnalysisSerializer)
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk: str):
        analysis = services.viability_analysis_recompute(analysis=self._member_analysis(pk))
        return Response(s.ViabilityAnalysisSerializer(analysis).data)

    @extend_schema(
        methods=["POST"],
        request=None,
        responses={202: s.ProposalStatusSerializer},
        description="Queue the proposal PDF (Celery, documents queue).",
    )
    @extend_schema(
        methods=["GET"],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 202: s.ProposalStatusSerializer},
        description="The proposal PDF when ready (a redirect to a signed URL on S3), else its status.",
    )
    @action(detail=True, methods=["get", "post"])
    def proposal(self, request, pk: str):
        analysis = self._member_analysis(pk)
        if request.method == "POST":
            analysis = services.proposal_request(analysis=analysis)
            analysis.refresh_from_db()
            return Response(_proposal_status(analysis), status=status.HTTP_202_ACCEPTED)
        if analysis.proposal_status != ProposalStatus.READY:
            return Response(_proposal_status(analysis), status=status.HTTP_202_ACCEPTED)
        url = document_url(path=analysis.proposal_path)
        if url:
            return HttpResponseRedirect(url)
        return FileResponse(
            documents_storage().open(analysis.proposal_path, "rb"),
            as_attachment=True,
            filename=f"proposta-{analysis.pk}.pdf",
            content_type="application/pdf",
        )


def _proposal_status(analysis: SolarViabilityAnalysis) -> dict:
    return {
        "status": analysis.proposal_status or "none",
        "generated_at": analysis.proposal_generated_at,
        "size": analysis.proposal_size,
        "error": analysis.proposal_error,
        "download_url": f"/api/v1/engineering/viability/{analysis.pk}/proposal/"
        if analysis.proposal_status == ProposalStatus.READY
        else None,
    }


class FinancingProductListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.FinancingProductSerializer(many=True))
    def get(self, request):
        products = FinancingProduct.objects.filter(is_active=True).order_by("monthly_rate_pct", "bank")
        return Response(s.FinancingProductSerializer(products, many=True).data)


class FinancingSimulateView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]

    @extend_schema(
        request=s.FinancingRequestSerializer,
        responses={200: s.FinancingResultSerializer, 201: s.FinancingResultSerializer},
    )
    def post(self, request):
        payload = s.FinancingRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        membership = request_membership(request)
        analysis = None
        if data.get("analysis_id"):
            if membership is None:
                raise ValidationError({"analysis_id": [_("Sign in to finance a stored analysis.")]})
            analysis = SolarViabilityAnalysis.objects.filter(
                pk=data["analysis_id"], organization_id=membership.organization_id
            ).first()
            if analysis is None:
                raise ValidationError({"analysis_id": [_("Unknown analysis.")]})
        product = None
        if data.get("product_id"):
            product = FinancingProduct.objects.filter(pk=data["product_id"], is_active=True).first()
            if product is None:
                raise ValidationError({"product_id": [_("Unknown or inactive financing product.")]})
        system_cost = data.get("system_cost") or analysis.total_investment
        request_ = LoanRequest(
            system_cost=system_cost,
            down_payment=data["down_payment"],
            term_months=data["term_months"],
            borrower_type=data["borrower_type"],
            grace_months=data["grace_months"],
        )
        monthly = data["monthly_rate_pct"] / 100 if data.get("monthly_rate_pct") is not None else None
        annual = data["annual_rate_pct"] / 100 if data.get("annual_rate_pct") is not None else None
        comparison = (
            services.financing_compare(request=request_)
            if data["compare"]
            else {"options": [], "ineligible": []}
        )
        if membership is not None:
            simulation = services.financing_simulation_create(
                request=request_,
                product=product,
                monthly_rate=monthly,
                annual_rate=annual,
                system=data.get("system"),
                organization=membership.organization,
                user=request.user,
                analysis=analysis,
                compare=False,
            )
            simulation.alternatives = comparison["options"]
            simulation.save(update_fields=["alternatives"])
            loan = loan_for(
                request=request_,
                product=product,
                monthly_rate=simulation.monthly_rate,
                system=simulation.amortization_system,
            )
            sim_id, state, code = simulation.pk, simulation.status, status.HTTP_201_CREATED
        else:
            if monthly is None and annual is not None:
                from engineering.finance import monthly_from_annual

                monthly = monthly_from_annual(annual)
            loan = loan_for(
                request=request_, product=product, monthly_rate=monthly, system=data.get("system")
            )
            sim_id, state, code = None, CreditStatus.SIMULATED, status.HTTP_200_OK
        body = {
            "id": sim_id,
            "system_cost": request_.system_cost,
            "down_payment": request_.down_payment,
            "amount": request_.amount,
            "simulation": loan_summary(loan, product=product),
            "schedule": [row.as_dict() for row in loan.schedule],
            "alternatives": comparison["options"],
            "ineligible": comparison["ineligible"],
            "status": state,
        }
        return Response(s.FinancingResultSerializer(body).data, status=code)


class FinancingSimulationViewSet(OrganizationScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = FinancingSimulation.objects.select_related("product").prefetch_related("events__actor")
    serializer_class = s.FinancingSimulationSerializer

    def scope_queryset(self, queryset):
        return queryset.order_by("-created_at", "-id")

    @extend_schema(request=s.CreditTransitionSerializer, responses=s.FinancingSimulationSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Credit workflow. Integrators request or cancel; YSH staff (the bank's side) move it
        through analysis to approved/rejected."""
        simulation = self.get_object()
        payload = s.CreditTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        target = data.pop("to_status")
        if target not in (CreditStatus.REQUESTED, CreditStatus.CANCELLED) and not request.user.is_staff:
            raise PermissionDenied(_("Only YSH staff record the bank's decision."))
        simulation = services.credit_status_transition(
            simulation=simulation, to_status=target, actor=request.user, **data
        )
        return Response(
            s.FinancingSimulationSerializer(selectors.financing_simulation_get(pk=simulation.pk)).data
        )


class PhotogrammetryView(APIView):
    permission_classes = [IsAuthenticated, IsOrganizationMember]

    @extend_schema(
        request=s.PhotogrammetryRequestSerializer,
        responses={
            200: s.PhotogrammetryResultSerializer,
            201: s.PhotogrammetryResultSerializer,
            503: OpenApiResponse(description="Provider down, nothing cached."),
        },
    )
    def post(self, request):
        payload = s.PhotogrammetryRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        manual = {k: v for k, v in (data.get("manual") or {}).items()}
        result = services.photogrammetry_analyze(
            provider=data["provider"],
            address=data.get("address") or "",
            lat=float(data["lat"]) if data.get("lat") is not None else None,
            lon=float(data["lon"]) if data.get("lon") is not None else None,
            manual=manual or None,
            organization=self.membership.organization,
            force_refresh=data["force_refresh"],
            address_parts={k: data.get(k) or "" for k in ("street", "number", "city", "state", "cep")},
        )
        body = {
            "analysis": result.analysis,
            "cache_hit": result.cache_hit,
            "level": result.level,
            "stale": result.stale,
            "note": result.note,
        }
        code = status.HTTP_200_OK if result.cache_hit else status.HTTP_201_CREATED
        return Response(s.PhotogrammetryResultSerializer(body).data, status=code)


def analysis_for_member(*, pk: int, organization_id: int) -> SolarViabilityAnalysis:
    return get_object_or_404(SolarViabilityAnalysis, pk=pk, organization_id=organization_id)
