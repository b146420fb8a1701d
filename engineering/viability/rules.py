"""Regulatory rules of the compensation system (SCEE) used by the viability math.

* **Lei 14.300/2022 art. 26 — direito adquirido (GD I)**: units existing on the law's publication
  (07/01/2022) or whose access request was filed within 12 months of it (up to 07/01/2023) keep the
  old rule — no Fio B on compensated energy — until 31/12/2045. From 2046 the art. 17 rule applies.
* **Art. 27 — transition (GD II)**: everyone else pays a growing share of the TUSD Fio B on all
  compensated energy: 15% in 2023, 30% 2024, 45% 2025, 60% 2026, 75% 2027, 90% 2028, and from 2029
  "a regra disposta no art. 17". Requests filed in the 13th–18th month after publication (up to
  07/07/2023) follow the schedule but get the art. 17 rule only from 2031 (secondary source; they
  stay at 90% in 2029–2030).
* **Art. 17** (the ANEEL valuation of the benefits of DG) was not published when this was written:
  like most calculators in the market we ASSUME 100% of Fio B (``ART17_ASSUMED_FIO_B_PCT``), a
  conservative choice that the caller can change (``after_transition_pct``).
* **Minimum billing (custo de disponibilidade, REN 1.000/2021 art. 291)**: 30 kWh monofásico,
  50 kWh bifásico, 100 kWh trifásico. Credits never compensate it: a unit with 1,000 kWh drawn and
  1,000 kWh of credits on a three-phase connection compensates 900 kWh and keeps 100 kWh of credit.
* Credits expire 60 months after they are generated (Lei 14.300 art. 13 / REN 1.059).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

LAW_PUBLISHED = date(2022, 1, 7)
GRANDFATHER_DEADLINE = date(2023, 1, 7)  # "em até 12 meses contados da publicação" (inclusive)
LATE_TRANSITION_DEADLINE = date(2023, 7, 7)  # 13th–18th month after publication
GRANDFATHER_UNTIL_YEAR = 2045
FIO_B_SCHEDULE_PCT: dict[int, int] = {2023: 15, 2024: 30, 2025: 45, 2026: 60, 2027: 75, 2028: 90}
ART17_ASSUMED_FIO_B_PCT = Decimal(100)
CREDIT_LIFETIME_MONTHS = 60


class ConnectionType:
    MONO = "mono"
    BI = "bi"
    TRI = "tri"
    CHOICES = (
        (MONO, _("single-phase (monofásico)")),
        (BI, _("two-phase (bifásico)")),
        (TRI, _("three-phase (trifásico)")),
    )


MINIMUM_BILLING_KWH: dict[str, int] = {
    ConnectionType.MONO: 30,
    ConnectionType.BI: 50,
    ConnectionType.TRI: 100,
}


class GdRegime:
    GD1 = "gd1"  # direito adquirido until 2045
    GD2_LATE = "gd2_late"  # protocol in the 13th–18th month: art. 17 only from 2031
    GD2 = "gd2"
    LABELS = {
        GD1: _("GD I — acquired right (no Fio B until 2045)"),
        GD2_LATE: _("GD II — transition, art. 17 rule from 2031"),
        GD2: _("GD II — Lei 14.300 transition"),
    }


def minimum_billing_kwh(connection_type: str) -> int:
    try:
        return MINIMUM_BILLING_KWH[connection_type]
    except KeyError:
        raise ValueError(f"unknown connection type {connection_type!r}") from None


def gd_regime(protocol_date: date) -> str:
    if protocol_date <= GRANDFATHER_DEADLINE:
        return GdRegime.GD1
    if protocol_date <= LATE_TRANSITION_DEADLINE:
        return GdRegime.GD2_LATE
    return GdRegime.GD2


def fio_b_pct(
    *, year: int, protocol_date: date, after_transition_pct: Decimal = ART17_ASSUMED_FIO_B_PCT
) -> Decimal:
    """Share (0–100) of the TUSD Fio B charged on compensated energy in calendar ``year`` for a
    system whose access request was filed on ``protocol_date``."""
    regime = gd_regime(protocol_date)
    if regime == GdRegime.GD1:
        return Decimal(after_transition_pct) if year > GRANDFATHER_UNTIL_YEAR else Decimal(0)
    if year < 2023:
        return Decimal(0)
    if year in FIO_B_SCHEDULE_PCT:
        return Decimal(FIO_B_SCHEDULE_PCT[year])
    if regime == GdRegime.GD2_LATE and year < 2031:
        return Decimal(FIO_B_SCHEDULE_PCT[2028])
    return Decimal(after_transition_pct)
