"""Configuration lookup shared by the engineering clients (ANEEL, ViaCEP, PVGIS, Google Solar)."""

import os

from django.conf import settings


def client_setting(name: str, default: str = "") -> str:
    """A client's setting: Django settings first (tests override them there), then the
    environment, then the default. Empty values count as unset."""
    return str(getattr(settings, name, "") or os.environ.get(name, "") or default)
