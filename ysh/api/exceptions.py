"""One error format for the whole API: ``{"detail": ..., "code": ...}`` for request-level errors
and ``{field: [messages]}`` for validation errors. Django ValidationErrors and our domain
errors raised by services become 4xx here, never 500."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ysh.errors import DomainError, LoginLocked


def _django_validation_payload(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        response = Response(exc.as_payload(), status=exc.status_code)
        if isinstance(exc, LoginLocked):
            response["Retry-After"] = str(exc.retry_after_seconds)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_payload(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, dict) and "detail" in response.data:
        response.data.setdefault("code", getattr(exc, "default_code", "error"))
        detail = getattr(exc, "detail", None)
        if hasattr(detail, "code") and detail.code:
            response.data["code"] = detail.code
    elif isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    if response.status_code == status.HTTP_400_BAD_REQUEST and "detail" in (response.data or {}):
        response.data.setdefault("code", "invalid")
    return response
