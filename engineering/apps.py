from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngineeringConfig(AppConfig):
    name = "engineering"
    label = "engineering"
    verbose_name = _("Engineering")
    default_auto_field = "django.db.models.BigAutoField"
