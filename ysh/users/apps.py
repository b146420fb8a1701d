from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "ysh.users"
    label = "users"
    verbose_name = _("Users and organizations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ysh.demo import register_seeder
        from ysh.users import signals, usage  # noqa: F401
        from ysh.users.demo import seed_users

        register_seeder("users and organizations", seed_users, order=0)
