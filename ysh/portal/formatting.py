"""Brazilian display formats for documents, phones and money. Pure functions, so templates (via
``portal_format`` filters) and e-mails share them."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import phonenumbers

from ysh.users.validators import normalize_cep, normalize_cnpj, normalize_cpf


def format_cnpj(value: str | None) -> str:
    """``11222333000181`` → ``11.222.333/0001-81`` (also the 2026 alphanumeric form)."""
    raw = normalize_cnpj(value or "")
    if len(raw) != 14:
        return value or ""
    return f"{raw[:2]}.{raw[2:5]}.{raw[5:8]}/{raw[8:12]}-{raw[12:]}"


def format_cpf(value: str | None) -> str:
    raw = normalize_cpf(value or "")
    if len(raw) != 11:
        return value or ""
    return f"{raw[:3]}.{raw[3:6]}.{raw[6:9]}-{raw[9:]}"


def format_cep(value: str | None) -> str:
    raw = normalize_cep(value or "")
    if len(raw) != 8:
        return value or ""
    return f"{raw[:5]}-{raw[5:]}"


def format_phone(value: str | None) -> str:
    """E.164 → national form for Brazilian numbers, international form otherwise."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "BR")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 55:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def format_brl(value: Decimal | int | float | str | None) -> str:
    """Money in BRL the Brazilian way, whatever the UI language: ``R$ 1.234,56``."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(amount):,.2f}"  # 1,234.56
    grouped = grouped.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{sign}R$ {grouped}"


def format_iso_date(value: str | None) -> str:
    """An ISO date or date-time from an API payload ("2027-12-28", "2026-11-23T02:00:00-03:00")
    as the active language writes dates (28/12/2027 in pt-BR); anything else as it came."""
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_date, parse_datetime

    if not value:
        return ""
    text = str(value)
    try:
        moment = parse_datetime(text)
        day = timezone.localtime(moment).date() if moment and timezone.is_aware(moment) else None
        day = day or (moment.date() if moment else parse_date(text[:10]))
    except ValueError:
        return text
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else text
