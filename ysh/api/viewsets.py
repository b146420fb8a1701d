"""The base viewsets every integrator-facing API builds on.

``OrganizationScopedViewSet`` owns organization scoping: its queryset is always filtered to the
caller's organization and creates are stamped with it. Subclasses narrow the queryset in
``scope_queryset``; they never override ``get_queryset`` to widen it."""

from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from ysh.api.permissions import IsOrganizationMember, IsStaff


class OrganizationScopedMixin:
    permission_classes = [IsAuthenticated, IsOrganizationMember]
    #: Path from the model to its Organization (e.g. "project__organization").
    organization_field = "organization"
    #: Roles allowed to write (POST/PUT/PATCH/DELETE); None lets every member write.
    write_roles: frozenset[str] | None = None
    membership = None

    @property
    def organization(self):
        return self.membership.organization if self.membership else None

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        if self.membership is None:
            return queryset.none()
        queryset = queryset.filter(**{self.organization_field: self.membership.organization_id})
        return self.scope_queryset(queryset)

    def scope_queryset(self, queryset):
        return queryset

    def perform_create(self, serializer):
        if self.organization_field == "organization":
            serializer.save(organization=self.organization)
        else:
            serializer.save()


class OrganizationScopedViewSet(OrganizationScopedMixin, viewsets.ModelViewSet):
    pass


class OrganizationScopedReadOnlyViewSet(OrganizationScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class StaffViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, IsStaff]


__all__ = [
    "OrganizationScopedMixin",
    "OrganizationScopedReadOnlyViewSet",
    "OrganizationScopedViewSet",
    "StaffViewSet",
    "mixins",
]
