"""API routes of the leads app, mounted under /api/v1/ (paths fixed by PRODUCT.md):
``POST leads/`` (public capture), ``GET leads/``, ``GET/PATCH leads/{id}/`` (staff)."""

from rest_framework.routers import SimpleRouter

from leads.api import views

router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="leads-lead")

urlpatterns = [*router.urls]
