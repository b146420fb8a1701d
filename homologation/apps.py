from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomologationConfig(AppConfig):
    name = "homologation"
    label = "homologation"
    verbose_name = _("Homologation")
    default_auto_field = "django.db.models.BigAutoField"
