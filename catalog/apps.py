from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    label = "catalog"
    verbose_name = _("Catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.services import catalog_demo_seed
        from ysh.demo import register_seeder
        from ysh.portal.nav import NavItem, register_nav

        register_nav(NavItem("catalog", _("Catalog"), "catalog_portal:list", order=20, module="catalog"))

        # After users/organizations (order 0): imports the sample feeds through the pipeline.
        register_seeder("catalog", catalog_demo_seed, order=20)
