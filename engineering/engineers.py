"""The engineer network's services: ranking candidates for a piece of work and assigning it.

``engineers_ranked`` scores every active engineer who covers the state (and the utility, when the
engineer lists utilities; an empty list means every utility of their states), has the discipline,
is not on leave on the date, and has capacity left this month:

* coverage (40): 40 when the engineer lists the utility explicitly, 30 when they cover it through
  the state only;
* capacity left this month (25): share of the monthly capacity still free;
* rating (25): rating / 5;
* load (10): fewer active assignments is better (10 with none, 0 at the monthly capacity).

``engineer_assign`` (what homologation calls) locks the candidates, re-checks capacity, records an
``EngineerAssignment`` with the ranking and returns the engineer; a reference already assigned
returns its current engineer (idempotent). ``NoEngineerAvailable`` (409) says why nobody fits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engineering.models import AssignmentStatus, Engineer, EngineerAssignment, EngineerUnavailability
from ysh.errors import Conflict

WEIGHTS = {"coverage": 40.0, "capacity": 25.0, "rating": 25.0, "load": 10.0}


class NoEngineerAvailable(Conflict):
    code = "no_engineer_available"
    default_message = gettext_lazy("No engineer covers this work with capacity left.")


@dataclass(frozen=True)
class Candidate:
    engineer_id: int
    name: str
    score: float
    coverage: str  # "utility" | "state"
    capacity_left: int
    active_load: int
    rating: float

    def as_dict(self) -> dict:
        return asdict(self)


def _month_start(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, 1))


def engineers_ranked(
    *,
    state: str,
    utility=None,
    discipline: str | None = "electrical",
    on_date: date | None = None,
    exclude_ids=(),
) -> tuple[list[Candidate], dict[str, int]]:
    """Candidates best first, and how many engineers each filter excluded (to explain a miss)."""
    on_date = on_date or timezone.localdate()
    uf = (state or "").upper()
    month_start = _month_start(on_date)
    engineers = (
        Engineer.objects.filter(active=True)
        .exclude(pk__in=list(exclude_ids))
        .annotate(
            month_count=Count(
                "assignments",
                filter=Q(assignments__assigned_at__gte=month_start)
                & ~Q(assignments__status=AssignmentStatus.CANCELLED),
                distinct=True,
            ),
            active_count=Count(
                "assignments", filter=Q(assignments__status=AssignmentStatus.ACTIVE), distinct=True
            ),
        )
        .prefetch_related("utilities")
    )
    on_leave = set(
        EngineerUnavailability.objects.filter(start__lte=on_date, end__gte=on_date).values_list(
            "engineer_id", flat=True
        )
    )
    excluded = {"state": 0, "utility": 0, "discipline": 0, "unavailable": 0, "capacity": 0}
    ranked = []
    for engineer in engineers:
        if uf not in [s.upper() for s in engineer.states or []]:
            excluded["state"] += 1
            continue
        listed = [u.pk for u in engineer.utilities.all()]
        if utility is not None and listed and utility.pk not in listed:
            excluded["utility"] += 1
            continue
        if discipline and discipline not in (engineer.disciplines or []):
            excluded["discipline"] += 1
            continue
        if engineer.pk in on_leave:
            excluded["unavailable"] += 1
            continue
        left = engineer.monthly_capacity - engineer.month_count
        if left <= 0:
            excluded["capacity"] += 1
            continue
        coverage = "utility" if utility is not None and utility.pk in listed else "state"
        capacity = max(engineer.monthly_capacity, 1)
        score = (
            WEIGHTS["coverage"] * (1.0 if coverage == "utility" else 0.75)
            + WEIGHTS["capacity"] * left / capacity
            + WEIGHTS["rating"] * float(engineer.rating) / 5
            + WEIGHTS["load"] * max(0.0, 1 - engineer.active_count / capacity)
        )
        ranked.append(
            Candidate(
                engineer_id=engineer.pk,
                name=engineer.name,
                score=round(score, 2),
                coverage=coverage,
                capacity_left=left,
                active_load=engineer.active_count,
                rating=float(engineer.rating),
            )
        )
    ranked.sort(key=lambda c: (-c.score, c.active_load, c.engineer_id))
    return ranked, excluded


def engineer_assign(
    *,
    state: str,
    utility=None,
    reference: str,
    discipline: str | None = "electrical",
    on_date: date | None = None,
    exclude_ids=(),
) -> Engineer:
    """Assign the best engineer to the work ``reference`` (e.g. ``homologation.project:42``)."""
    existing = (
        EngineerAssignment.objects.filter(reference=reference, status=AssignmentStatus.ACTIVE)
        .select_related("engineer")
        .first()
    )
    if existing is not None:
        return existing.engineer
    with transaction.atomic():
        ranked, excluded = engineers_ranked(
            state=state, utility=utility, discipline=discipline, on_date=on_date, exclude_ids=exclude_ids
        )
        if not ranked:
            reasons = ", ".join(f"{k}: {v}" for k, v in excluded.items() if v) or _("no engineer registered")
            raise NoEngineerAvailable(
                _("No engineer covers %(state)s with capacity left (excluded — %(reasons)s).")
                % {"state": state, "reasons": reasons},
                extra={"excluded": excluded},
            )
        # Lock the chosen engineer and re-count this month's work: two assignments racing for the
        # last slot must not both get it.
        for candidate in ranked:
            engineer = Engineer.objects.select_for_update().get(pk=candidate.engineer_id)
            used = (
                engineer.assignments.filter(assigned_at__gte=_month_start(on_date or timezone.localdate()))
                .exclude(status=AssignmentStatus.CANCELLED)
                .count()
            )
            if used >= engineer.monthly_capacity:
                continue
            try:
                with transaction.atomic():
                    EngineerAssignment.objects.create(
                        engineer=engineer,
                        reference=reference,
                        state=(state or "").upper(),
                        utility_code=getattr(utility, "sig_agente", "") or "",
                        discipline=discipline or "",
                        score={"chosen": candidate.as_dict(), "ranking": [c.as_dict() for c in ranked[:5]]},
                    )
            except IntegrityError:  # the same reference was assigned concurrently
                return EngineerAssignment.objects.get(
                    reference=reference, status=AssignmentStatus.ACTIVE
                ).engineer
            return engineer
    raise NoEngineerAvailable(_("Every candidate engineer ran out of capacity this month."))


def engineer_assignment_finish(*, reference: str, cancelled: bool = False) -> EngineerAssignment | None:
    """Close the active assignment of ``reference`` (completed, or cancelled to free the slot)."""
    with transaction.atomic():
        assignment = (
            EngineerAssignment.objects.select_for_update()
            .filter(reference=reference, status=AssignmentStatus.ACTIVE)
            .first()
        )
        if assignment is None:
            return None
        assignment.status = AssignmentStatus.CANCELLED if cancelled else AssignmentStatus.COMPLETED
        assignment.finished_at = timezone.now()
        assignment.save(update_fields=["status", "finished_at"])
    return assignment
