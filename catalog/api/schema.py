"""OpenAPI parameters derived from a FilterSet, for views whose response is not a plain list
(drf-spectacular's django-filter extension only documents list actions)."""

from __future__ import annotations

import copy

from django import forms
from django_filters import filters as df
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes


def filterset_parameters(filterset_class) -> list[OpenApiParameter]:
    parameters = []
    for name, declared in filterset_class.base_filters.items():
        # The form field carries the real choices and types (never evaluated for model filters:
        # this runs at import time, before any database exists). Built on a copy: a field cached
        # on the declared filter would be deep-copied by every FilterSet instance afterwards.
        field = copy.deepcopy(declared).field
        many = isinstance(declared, df.MultipleChoiceFilter | df.ModelMultipleChoiceFilter)
        enum = None
        model_backed = isinstance(declared, df.ModelChoiceFilter | df.ModelMultipleChoiceFilter)
        if not model_backed and isinstance(declared, df.ChoiceFilter | df.MultipleChoiceFilter):
            enum = [value for value, _label in field.choices if value not in ("", None)]
        if isinstance(field, forms.IntegerField) or (enum and all(isinstance(v, int) for v in enum)):
            kind = OpenApiTypes.INT
        elif isinstance(field, forms.DecimalField):
            kind = OpenApiTypes.NUMBER
        else:
            kind = OpenApiTypes.STR
        parameters.append(
            OpenApiParameter(
                name,
                {"type": "array", "items": {"type": "string", **({"enum": enum} if enum else {})}}
                if many
                else kind,
                enum=None if many else enum,
                description=str(declared.label or ""),
                explode=True if many else None,
                style="form" if many else None,
            )
        )
    return parameters
