"""Month-by-month energy balance of the compensation system (SCEE) over the analysis horizon.

For each month:

1. the generator's output (degraded by year) splits into **self-consumed** energy — the part
   used at the moment it is produced (``simultaneity`` × generation, at most the unit's
   consumption) — which avoids the FULL tariff, and **injected** energy;
2. the generator's own unit compensates first: its compensable need is what it drew from the grid
   minus the minimum billing (never compensated); it uses this month's injection, then banked
   credits, oldest first;
3. the surplus goes to the beneficiary units (autoconsumo remoto / geração compartilhada) either by
   **percent** (each gets its share; what is not allocated stays with the generator) or by
   **priority** (each in order takes what it can compensate; the rest moves on, and the final rest
   stays with the generator); each beneficiary compensates from what it received plus its bank;
4. every compensated kWh pays the year's Fio B share (``rules.fio_b_pct``) of the unit's Fio B;
5. credits older than 60 months expire.

Bills use each unit's own final tariff and minimum billing, inflated by ``tariff_inflation``.
Plain floats: this is a projection, the money leaves as Decimal at the boundary.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date

from engineering.viability.rules import CREDIT_LIFETIME_MONTHS, fio_b_pct


class Allocation:
    PERCENT = "percent"
    PRIORITY = "priority"
    CHOICES = (PERCENT, PRIORITY)


@dataclass
class ConsumerUnit:
    """One consumer unit (UC) in the compensation system. The first unit is the generator's."""

    name: str
    monthly_kwh: list[float]
    min_kwh: int
    tariff_rs_kwh: float  # final, with taxes
    fio_b_rs_kwh: float  # with taxes
    share_pct: float = 0.0  # percent allocation of the surplus (beneficiaries)
    priority: int = 0  # priority allocation (1 first)


@dataclass
class UnitYear:
    """One unit's totals for one year."""

    name: str
    consumption_kwh: float = 0.0
    self_consumed_kwh: float = 0.0
    credits_received_kwh: float = 0.0
    compensated_kwh: float = 0.0
    billed_kwh: float = 0.0
    credits_expired_kwh: float = 0.0
    credit_balance_kwh: float = 0.0  # at year end
    bill_without_rs: float = 0.0
    bill_with_rs: float = 0.0
    fio_b_rs: float = 0.0

    @property
    def savings_rs(self) -> float:
        return self.bill_without_rs - self.bill_with_rs


@dataclass
class UnitMonth:
    month: int
    consumption_kwh: float
    self_consumed_kwh: float
    credits_received_kwh: float
    compensated_kwh: float
    billed_kwh: float
    bill_without_rs: float
    bill_with_rs: float
    fio_b_rs: float


@dataclass
class EnergyYear:
    year: int  # 1-based
    calendar_year: int
    fio_b_pct: float
    generation_kwh: float
    injected_kwh: float
    units: list[UnitYear]
    months: list[list[UnitMonth]] = field(default_factory=list)  # year 1 only: [unit][month]

    @property
    def savings_rs(self) -> float:
        return sum(u.savings_rs for u in self.units)

    @property
    def compensated_kwh(self) -> float:
        return sum(u.compensated_kwh for u in self.units)

    @property
    def self_consumed_kwh(self) -> float:
        return sum(u.self_consumed_kwh for u in self.units)


class _Bank:
    """Credits in kWh with their month of origin, used oldest first."""

    def __init__(self) -> None:
        self.lots: deque[list[float]] = deque()

    def add(self, month_index: int, kwh: float) -> None:
        if kwh > 1e-9:
            self.lots.append([month_index, kwh])

    def expire(self, month_index: int) -> float:
        expired = 0.0
        while self.lots and self.lots[0][0] <= month_index - CREDIT_LIFETIME_MONTHS:
            expired += self.lots.popleft()[1]
        return expired

    def take(self, kwh: float) -> float:
        taken = 0.0
        while kwh - taken > 1e-9 and self.lots:
            lot = self.lots[0]
            use = min(lot[1], kwh - taken)
            lot[1] -= use
            taken += use
            if lot[1] <= 1e-9:
                self.lots.popleft()
        return taken

    @property
    def balance(self) -> float:
        return sum(lot[1] for lot in self.lots)


def degradation_factor(year: int, *, first_year_pct: float, annual_pct: float) -> float:
    """Output of year ``year`` (1-based) relative to nameplate: the first year loses
    ``first_year_pct`` (light-induced degradation), later years ``annual_pct`` each."""
    if year <= 1:
        return 1 - first_year_pct / 100
    return (1 - first_year_pct / 100) * (1 - annual_pct / 100) ** (year - 1)


def scee_simulate(
    *,
    generation_monthly_kwh: list[float],
    units: list[ConsumerUnit],
    simultaneity: float,
    years: int,
    start: date,
    protocol_date: date,
    tariff_inflation: float,
    allocation: str = Allocation.PERCENT,
    first_year_degradation_pct: float = 0.0,
    annual_degradation_pct: float = 0.5,
    after_transition_pct: float = 100.0,
) -> list[EnergyYear]:
    """Simulate ``years`` years of operation starting in ``start``'s year (months run Jan–Dec of
    each calendar year, using the 12 monthly profiles). ``units[0]`` hosts the generator."""
    if len(generation_monthly_kwh) != 12 or any(len(u.monthly_kwh) != 12 for u in units):
        raise ValueError("monthly profiles need 12 values")
    if not units:
        raise ValueError("at least the generator's unit is needed")
    banks = [_Bank() for _unit in units]
    beneficiaries = list(range(1, len(units)))
    if allocation == Allocation.PRIORITY:
        beneficiaries.sort(key=lambda i: (units[i].priority or 10**6, i))
    result: list[EnergyYear] = []
    for year in range(1, years + 1):
        calendar_year = start.year + year - 1
        pct = float(
            fio_b_pct(
                year=calendar_year, protocol_date=protocol_date, after_transition_pct=after_transition_pct
            )
        )
        factor = degradation_factor(
            year, first_year_pct=first_year_degradation_pct, annual_pct=annual_degradation_pct
        )
        escalation = (1 + tariff_inflation) ** (year - 1)
        totals = [UnitYear(name=u.name) for u in units]
        months: list[list[UnitMonth]] = [[] for _unit in units]
        year_generation = year_injected = 0.0
        for month in range(12):
            index = (year - 1) * 12 + month
            generation = generation_monthly_kwh[month] * factor
            year_generation += generation
            for i, bank in enumerate(banks):
                totals[i].credits_expired_kwh += bank.expire(index)
            received = [0.0] * len(units)
            self_used = [0.0] * len(units)
            compensated = [0.0] * len(units)
            generator = units[0]
            self_used[0] = min(generation * simultaneity, generator.monthly_kwh[month])
            injected = generation - self_used[0]
            year_injected += injected
            # 1. the generator's unit
            need = max(0.0, generator.monthly_kwh[month] - self_used[0] - generator.min_kwh)
            from_injection = min(need, injected)
            compensated[0] = from_injection + banks[0].take(need - from_injection)
            surplus = injected - from_injection
            received[0] = from_injection
            # 2. the beneficiaries
            for i in beneficiaries:
                unit = units[i]
                unit_need = max(0.0, unit.monthly_kwh[month] - unit.min_kwh)
                if allocation == Allocation.PRIORITY:
                    share = min(surplus, max(0.0, unit_need - banks[i].balance))
                else:
                    share = (injected - from_injection) * unit.share_pct / 100
                share = min(share, surplus)
                surplus -= share
                received[i] = share
                banks[i].add(index, share)
                compensated[i] = banks[i].take(unit_need)
            banks[0].add(index, surplus)
            received[0] += surplus
            # 3. the bills
            for i, unit in enumerate(units):
                tariff = unit.tariff_rs_kwh * escalation
                fio_b = unit.fio_b_rs_kwh * escalation * pct / 100
                consumption = unit.monthly_kwh[month]
                grid = consumption - self_used[i]
                billed = max(grid - compensated[i], unit.min_kwh)
                without = max(consumption, unit.min_kwh) * tariff
                fio_cost = compensated[i] * fio_b
                with_solar = billed * tariff + fio_cost
                t = totals[i]
                t.consumption_kwh += consumption
                t.self_consumed_kwh += self_used[i]
                t.credits_received_kwh += received[i]
                t.compensated_kwh += compensated[i]
                t.billed_kwh += billed
                t.bill_without_rs += without
                t.bill_with_rs += with_solar
                t.fio_b_rs += fio_cost
                if year == 1:
                    months[i].append(
                        UnitMonth(
                            month=month + 1,
                            consumption_kwh=consumption,
                            self_consumed_kwh=self_used[i],
                            credits_received_kwh=received[i],
                            compensated_kwh=compensated[i],
                            billed_kwh=billed,
                            bill_without_rs=without,
                            bill_with_rs=with_solar,
                            fio_b_rs=fio_cost,
                        )
                    )
        for i, bank in enumerate(banks):
            totals[i].credit_balance_kwh = bank.balance
        result.append(
            EnergyYear(
                year=year,
                calendar_year=calendar_year,
                fio_b_pct=pct,
                generation_kwh=year_generation,
                injected_kwh=year_injected,
                units=totals,
                months=months if year == 1 else [],
            )
        )
    return result
