from decimal import Decimal

import pytest

from ysh.portal.formatting import format_brl, format_cep, format_cnpj, format_cpf, format_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), "R$ 1.234,56"),
        (Decimal("0"), "R$ 0,00"),
        ("199.9", "R$ 199,90"),
        (Decimal("1234567.005"), "R$ 1.234.567,01"),
        (Decimal("-10.5"), "-R$ 10,50"),
        (None, ""),
    ],
)
def test_format_brl(value, expected):
    # given a money value / when formatted / then it reads the Brazilian way
    assert format_brl(value) == expected


def test_format_documents_and_phone():
    # given canonical stored values
    # when formatted for display
    # then they get the usual Brazilian masks; malformed values are shown as they are
    assert format_cnpj("11222333000181") == "11.222.333/0001-81"
    assert format_cnpj("12ABC34501DE35") == "12.ABC.345/01DE-35"
    assert format_cnpj("123") == "123"
    assert format_cpf("52998224725") == "529.982.247-25"
    assert format_cep("01310100") == "01310-100"
    assert format_phone("+5511999998888") == "(11) 99999-8888"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-12-28", "28/12/2027"),
        # 02:30 UTC is still the 22nd in São Paulo
        ("2026-11-23T02:30:00+00:00", "22/11/2026"),
        ("2026-11-23T02:30:00", "23/11/2026"),
        ("", ""),
        (None, ""),
        ("not a date", "not a date"),
    ],
)
def test_format_iso_date_in_portuguese(value, expected, settings):
    from django.utils import translation

    from ysh.portal.formatting import format_iso_date

    settings.TIME_ZONE = "America/Sao_Paulo"
    with translation.override("pt-br"):
        assert format_iso_date(value) == expected
