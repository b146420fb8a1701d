"""Brazilian document and contact validators (CPF, CNPJ incl. the 2026 alphanumeric form,
CEP, E.164 phones). Normalizers return the canonical stored form."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from validate_docbr import CNPJ, CPF

BRAZILIAN_STATES = [
    (uf, uf)
    for uf in (
        [
            "AC",
            "AL",
            "AP",
            "AM",
            "BA",
            "CE",
            "DF",
            "ES",
            "GO",
            "MA",
            "MT",
            "MS",
            "MG",
            "PA",
            "PB",
            "PR",
            "PE",
            "PI",
            "RJ",
            "RN",
            "RS",
            "RO",
            "RR",
            "SC",
            "SP",
            "SE",
            "TO",
        ]
    )
]

_cpf = CPF()
_cnpj = CNPJ()


def normalize_cpf(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def normalize_cnpj(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def normalize_cep(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def validate_cpf(value: str) -> None:
    digits = normalize_cpf(value)
    if not digits:
        return
    if len(digits) != 11 or not _cpf.validate(digits):
        raise ValidationError(_("Enter a valid CPF."), code="invalid_cpf")


def validate_cnpj(value: str) -> None:
    normalized = normalize_cnpj(value)
    if len(normalized) != 14 or not _cnpj.validate(normalized):
        raise ValidationError(_("Enter a valid CNPJ."), code="invalid_cnpj")


def validate_cep(value: str) -> None:
    if value and len(normalize_cep(value)) != 8:
        raise ValidationError(_("Enter a valid CEP (8 digits)."), code="invalid_cep")


def normalize_phone(value: str, region: str = "BR") -> str:
    """Return the E.164 form of a phone number, or raise ValidationError."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164_phone(value: str) -> None:
    if not value:
        return
    if not value.startswith("+") or normalize_phone(value) != value:
        raise ValidationError(
            _("Enter the phone in E.164 format, e.g. +5511999998888."), code="invalid_phone"
        )
