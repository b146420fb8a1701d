from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    label = "leads"
    verbose_name = _("Leads")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from leads.demo import leads_demo_seed
        from ysh.demo import register_seeder

        # After users and organizations (order 0): the demo leads belong to the demo integrator.
        register_seeder("leads", leads_demo_seed, order=60)
