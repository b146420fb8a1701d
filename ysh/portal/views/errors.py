from django.core.exceptions import ValidationError

from ysh.errors import DomainError


def service_error_text(exc: ValidationError | DomainError) -> str:
    """One readable sentence for a refused service call, for a flash message."""
    if isinstance(exc, DomainError):
        return str(exc.message)
    return " ".join(str(message) for message in exc.messages)
