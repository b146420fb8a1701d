from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "ysh.portal"
    label = "portal"
    verbose_name = _("Integrator portal")

    def ready(self) -> None:
        from ysh.portal.nav import NavItem, register_nav

        register_nav(NavItem("dashboard", _("Dashboard"), "portal:dashboard", order=0))
        register_nav(NavItem("members", _("Team"), "portal:members", order=90))
        register_nav(NavItem("organization", _("Organization"), "portal:organization", order=95))
