"""Domain errors raised by services. The API layer maps them to HTTP responses
(``ysh.api.exceptions``); the portal shows their message. They carry a stable ``code``."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, extra: dict | None = None):
        self.message = message or self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))

    def as_payload(self) -> dict:
        return {"detail": str(self.message), "code": self.code, **self.extra}


class PlanLimitExceeded(DomainError):
    status_code = 403
    code = "plan_limit_exceeded"

    def __init__(self, *, limit: str, maximum: int, current: int, plan: str):
        message = _(
            "Your plan %(plan)s allows %(maximum)s for %(limit)s and %(current)s are in use. "
            "Upgrade the plan to add more."
        ) % {"plan": plan, "maximum": maximum, "limit": limit, "current": current}
        super().__init__(
            message, extra={"limit": limit, "maximum": maximum, "current": current, "plan": plan}
        )


class OrganizationSuspended(DomainError):
    status_code = 403
    code = "organization_suspended"
    default_message = _(
        "This organization is suspended: you can sign in and read, but not create or change data."
    )


class NotAllowed(DomainError):
    status_code = 403
    code = "permission_denied"
    default_message = _("You do not have permission to perform this action.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidState(DomainError):
    status_code = 400
    code = "invalid_state"


class LoginLocked(DomainError):
    status_code = 429
    code = "login_locked"

    def __init__(self, *, retry_after_seconds: int):
        minutes = max(1, round(retry_after_seconds / 60))
        message = _("Too many failed sign-in attempts. Try again in %(minutes)s minute(s).") % {
            "minutes": minutes
        }
        super().__init__(message, extra={"retry_after": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds
