from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngineeringConfig(AppConfig):
    name = "engineering"
    label = "engineering"
    verbose_name = _("Engineering")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from engineering.demo import engineering_demo_seed
        from engineering.demo_network import engineering_network_demo_seed
        from ysh.demo import register_seeder
        from ysh.portal.nav import NavItem, register_nav

        register_seeder("engineering tariffs and irradiation", engineering_demo_seed, order=30)
        # After the catalog (20) and the tariffs (30): the demo analyses size with both.
        register_seeder(
            "engineering financing, engineers and analyses", engineering_network_demo_seed, order=40
        )
        register_nav(
            NavItem(
                "engineering",
                _("Solar calculator"),
                "engineering_portal:list",
                order=30,
                module="engineering",
            )
        )
        register_nav(
            NavItem(
                "engineering_pricing",
                _("Pricing settings"),
                "engineering_portal:pricing",
                order=31,
                module="engineering",
            )
        )
