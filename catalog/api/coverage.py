"""Staff API: the catalog coverage report (``GET /api/v1/catalog/coverage/``)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import catalog_coverage_report
from ysh.api.permissions import IsStaff

_share = serializers.FloatField(help_text="Percentage of products (0–100).")


class CoverageView(APIView):
    """Share of active products with price, warranty, certifications, technical specs, images,
    datasheet and a valid INMETRO registration — overall and per product kind — and the
    distribution of quality scores. Staff only."""

    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="catalog_coverage",
        responses=inline_serializer(
            "CatalogCoverage",
            {
                "generated_at": serializers.DateTimeField(),
                "products": serializers.IntegerField(),
                "overall": inline_serializer(
                    "CatalogCoverageOverall",
                    {
                        "price_analysis": _share,
                        "warranty": _share,
                        "certifications": _share,
                        "technical_specs": _share,
                        "images": _share,
                        "datasheet": _share,
                        "inmetro": _share,
                        "mean_quality": serializers.FloatField(),
                    },
                ),
                "quality_distribution": inline_serializer(
                    "CatalogQualityBucket",
                    {
                        "range": serializers.CharField(),
                        "products": serializers.IntegerField(),
                        "share": _share,
                    },
                    many=True,
                ),
                "kinds": inline_serializer(
                    "CatalogKindCoverage",
                    {
                        "kind": serializers.CharField(),
                        "label": serializers.CharField(),
                        "products": serializers.IntegerField(),
                        "with_price": _share,
                        "with_warranty": _share,
                        "with_certification": serializers.FloatField(allow_null=True),
                        "technical_specs": serializers.FloatField(allow_null=True),
                        "complete_specs": serializers.FloatField(allow_null=True),
                        "with_images": _share,
                        "with_datasheet": _share,
                        "with_inmetro": serializers.FloatField(allow_null=True),
                        "mean_quality": serializers.FloatField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        return Response(catalog_coverage_report())
