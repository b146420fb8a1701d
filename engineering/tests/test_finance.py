"""Loan math against hand-computed tables, the IOF rule and the BCB worked example of the CET."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from engineering.finance import (
    AmortizationSystem,
    BorrowerKind,
    FinancingError,
    LoanTerms,
    annual_from_monthly,
    cet_compute,
    iof_compute,
    irr,
    loan_simulate,
    monthly_from_annual,
    npv,
    price_table,
    sac_table,
)

D = Decimal
RELEASE = date(2026, 1, 15)


def rows(schedule):
    return [(r.number, r.payment, r.interest, r.amortization, r.balance) for r in schedule]


def test_price_table_matches_hand_computation_and_last_installment_adjusts():
    # given R$ 1.000 at 1% a.m. in 3 months: PMT = 1000·0.01·1.01³/(1.01³−1) = 340.0221 → 340.02
    # when
    table = price_table(principal=D("1000"), monthly_rate=D("0.01"), months=3, release_date=RELEASE)
    # then interest is rounded per month and the last installment takes the residue (340.03)
    assert rows(table) == [
        (1, D("340.02"), D("10.00"), D("330.02"), D("669.98")),
        (2, D("340.02"), D("6.70"), D("333.32"), D("336.66")),
        (3, D("340.03"), D("3.37"), D("336.66"), D("0.00")),
    ]
    assert [r.due_date for r in table] == [date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)]


def test_sac_table_constant_amortization_and_residue_on_the_last():
    # given R$ 1.000 at 2% a.m. in 3 months: amortization 333.33, 333.33, 333.34
    # when
    table = sac_table(principal=D("1000"), monthly_rate=D("0.02"), months=3, release_date=RELEASE)
    # then
    assert rows(table) == [
        (1, D("353.33"), D("20.00"), D("333.33"), D("666.67")),
        (2, D("346.66"), D("13.33"), D("333.33"), D("333.34")),
        (3, D("340.01"), D("6.67"), D("333.34"), D("0.00")),
    ]


def test_sac_payments_fall_and_price_payments_are_flat():
    # given
    kwargs = {"principal": D("30000"), "monthly_rate": D("0.0149"), "months": 60, "release_date": RELEASE}
    # when
    sac, price = sac_table(**kwargs), price_table(**kwargs)
    # then
    assert all(a.payment > b.payment for a, b in itertools.pairwise(sac))
    assert len({r.payment for r in price[:-1]}) == 1
    assert sum(r.amortization for r in sac) == sum(r.amortization for r in price) == D("30000")
    # SAC pays less interest in total than Price for the same loan
    assert sum(r.interest for r in sac) < sum(r.interest for r in price)


def test_zero_rate_price_table_divides_the_principal():
    table = price_table(principal=D("100"), monthly_rate=D("0"), months=3, release_date=RELEASE)
    assert [r.payment for r in table] == [D("33.33"), D("33.33"), D("33.34")]


def test_grace_period_capitalizes_interest_and_shifts_the_first_due_date():
    # given 3 months of grace at 1%: 1000 → 1010.00 → 1020.10 → 1030.30
    # when
    table = sac_table(
        principal=D("1000"), monthly_rate=D("0.01"), months=2, release_date=RELEASE, grace_months=3
    )
    # then
    assert sum(r.amortization for r in table) == D("1030.30")
    assert table[0].due_date == date(2026, 5, 15)


def test_iof_pf_is_daily_rate_on_each_amortization_plus_flat_additional():
    # given SAC 4 × R$ 250 released 15/01/2026: due after 31, 59, 90 and 120 days
    schedule = sac_table(principal=D("1000"), monthly_rate=D("0.01"), months=4, release_date=RELEASE)
    # when
    iof = iof_compute(schedule=schedule, principal=D("1000"), release_date=RELEASE, borrower=BorrowerKind.PF)
    # then 250 × 0.0082% × (31+59+90+120) = 6.15 ; 0.38% × 1000 = 3.80
    assert iof.daily == D("6.15")
    assert iof.additional == D("3.80")
    assert iof.total == D("9.95")


def test_iof_daily_part_is_capped_at_365_days():
    # given a 48-month loan: every portion past a year counts 365 days, so the daily part can
    # never exceed 0.0082% × 365 = 2.993% of the principal
    schedule = sac_table(principal=D("12000"), monthly_rate=D("0.01"), months=48, release_date=RELEASE)
    # when
    iof = iof_compute(schedule=schedule, principal=D("12000"), release_date=RELEASE, borrower=BorrowerKind.PF)
    # then
    assert iof.daily < D("12000") * D("0.000082") * 365
    late = [r for r in schedule if (r.due_date - RELEASE).days > 365]
    assert late  # the cap is exercised
    expected = sum(r.amortization * D("0.000082") * min((r.due_date - RELEASE).days, 365) for r in schedule)
    assert iof.daily == expected.quantize(D("0.01"))


def test_cet_reproduces_the_bcb_worked_example():
    # given R$ 1.000, fees paid upfront R$ 50 + IOF R$ 10 → R$ 940 released, 5 × R$ 205,73
    # when
    cet = cet_compute(net_released=D("940"), payments=[(m, D("205.73")) for m in range(1, 6)])
    # then
    assert cet.monthly_pct == D("3.08")
    assert cet.annual_pct == D("43.93")


def test_irr_and_npv_hand_case():
    # given −1000 then 3 × 500: IRR 23.3752%; NPV at 10% = −1000 + 454.55 + 413.22 + 375.66
    flows = [-1000, 500, 500, 500]
    # then
    assert irr(flows) == pytest.approx(0.233752, abs=1e-6)
    assert npv(0.10, flows) == pytest.approx(243.426, abs=1e-3)
    assert npv(irr(flows), flows) == pytest.approx(0, abs=1e-6)


def test_irr_is_none_without_a_sign_change():
    assert irr([100, 100]) is None
    assert irr([-100, -5]) is None


def test_rate_conversions_round_trip():
    monthly = monthly_from_annual(D("0.12"))
    assert monthly == pytest.approx(D("0.0094887929"), abs=D("1e-9"))
    assert annual_from_monthly(monthly) == pytest.approx(D("0.12"), abs=D("1e-9"))


def test_loan_with_upfront_costs_releases_less_and_cet_exceeds_the_rate():
    # given
    terms = LoanTerms(
        amount=D("20000"),
        monthly_rate=D("0.0149"),
        months=48,
        borrower=BorrowerKind.PF,
        release_date=RELEASE,
        fee_fixed=D("500"),
        costs_financed=False,
    )
    # when
    result = loan_simulate(terms)
    # then
    assert result.principal == D("20000")
    assert result.net_released == D("20000") - D("500") - result.iof.total
    assert result.cet.monthly > D("0.0149")
    assert result.total_paid == sum(r.payment for r in result.schedule)


def test_loan_with_financed_costs_releases_the_whole_amount_and_borrows_the_costs():
    # given
    terms = LoanTerms(
        amount=D("20000"),
        monthly_rate=D("0.0149"),
        months=48,
        system=AmortizationSystem.SAC,
        release_date=RELEASE,
        fee_fixed=D("500"),
    )
    # when
    result = loan_simulate(terms)
    # then principal = amount + fees + IOF computed on that same principal (fixed point)
    assert result.net_released == D("20000")
    assert result.principal == D("20000") + D("500") + result.iof.total
    recomputed = iof_compute(
        schedule=result.schedule, principal=result.principal, release_date=RELEASE, borrower=BorrowerKind.PF
    )
    assert recomputed.total == result.iof.total
    assert result.cet.monthly > D("0.0149")


def test_invalid_loan_parameters_are_field_errors():
    with pytest.raises(FinancingError) as exc:
        price_table(principal=D("-5"), monthly_rate=D("0.5"), months=0, release_date=RELEASE)
    assert set(exc.value.extra) == {"amount", "monthly_rate", "term_months"}
