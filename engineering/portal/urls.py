"""Portal pages of the engineering app; the project includes them under /portal/engineering/."""

from django.urls import path

from engineering.portal import views

app_name = "engineering_portal"

urlpatterns = [
    path("", views.analysis_list, name="list"),
    path("calculator/", views.calculator, name="calculator"),
    path("pricing/", views.pricing_settings, name="pricing"),
    path("analyses/<int:pk>/", views.analysis_detail, name="detail"),
    path("analyses/<int:pk>/recompute/", views.analysis_recompute, name="recompute"),
    path("analyses/<int:pk>/financing/", views.financing_save, name="financing_save"),
    path("analyses/<int:pk>/proposal/", views.proposal_generate, name="proposal_generate"),
    path("analyses/<int:pk>/proposal.pdf", views.proposal_download, name="proposal_download"),
]
