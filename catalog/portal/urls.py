"""Portal catalog pages; the project includes them under /portal/catalog/."""

from django.urls import path

from catalog.portal import views

app_name = "catalog_portal"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("<int:pk>/", views.product_page, name="detail"),
]
