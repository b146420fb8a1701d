"""Engineer assignment: coverage (state/utility), capacity left this month, availability, rating,
load, idempotency per work reference, and the reason when nobody fits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from engineering.engineers import (
    NoEngineerAvailable,
    engineer_assign,
    engineer_assignment_finish,
    engineers_ranked,
)
from engineering.models import AssignmentStatus, EngineerAssignment
from engineering.tests.factories import (
    EngineerAssignmentFactory,
    EngineerFactory,
    EngineerUnavailabilityFactory,
    UtilityFactory,
)

pytestmark = pytest.mark.django_db


def test_only_engineers_covering_the_state_are_candidates():
    # given
    sp = EngineerFactory(states=["SP"])
    EngineerFactory(states=["RJ"])
    # when
    ranked, excluded = engineers_ranked(state="sp")
    # then
    assert [c.engineer_id for c in ranked] == [sp.pk]
    assert excluded["state"] == 1


def test_engineer_listing_the_utility_ranks_above_state_only_coverage():
    # given two engineers alike except that one lists ELETROPAULO explicitly
    utility = UtilityFactory(sig_agente="ELETROPAULO")
    other = UtilityFactory(sig_agente="CPFL-PAULISTA")
    by_state = EngineerFactory()
    specialist = EngineerFactory()
    specialist.utilities.add(utility)
    elsewhere = EngineerFactory()
    elsewhere.utilities.add(other)
    # when
    ranked, excluded = engineers_ranked(state="SP", utility=utility)
    # then the CPFL-only engineer is out; the specialist first (40 vs 30 coverage points)
    assert [c.engineer_id for c in ranked] == [specialist.pk, by_state.pk]
    assert ranked[0].coverage == "utility"
    assert ranked[0].score - ranked[1].score == pytest.approx(10)
    assert excluded["utility"] == 1


def test_rating_capacity_and_load_order_the_candidates():
    # given
    good = EngineerFactory(rating=Decimal("5.0"))
    busy = EngineerFactory(rating=Decimal("5.0"))
    EngineerAssignmentFactory.create_batch(5, engineer=busy)
    weak = EngineerFactory(rating=Decimal("2.0"))
    # when
    ranked, _excluded = engineers_ranked(state="SP")
    # then busy has half its capacity used (−12.5) and half its capacity as load (−5): 17.5 points
    # less, more than the 15 the weak rating costs
    scores = {c.engineer_id: c.score for c in ranked}
    assert scores[good.pk] == pytest.approx(30 + 25 + 25 + 10)
    assert scores[busy.pk] == pytest.approx(30 + 12.5 + 25 + 5)
    assert scores[weak.pk] == pytest.approx(30 + 25 + 10 + 10)
    assert [c.engineer_id for c in ranked] == [good.pk, weak.pk, busy.pk]


def test_full_capacity_this_month_and_leave_exclude():
    # given one engineer at capacity (2 of 2 this month) and one on leave today
    full = EngineerFactory(monthly_capacity=2)
    EngineerAssignmentFactory.create_batch(2, engineer=full, status=AssignmentStatus.COMPLETED)
    away = EngineerFactory()
    EngineerUnavailabilityFactory(
        engineer=away, start=date.today() - timedelta(days=1), end=date.today() + timedelta(days=1)
    )
    # when
    ranked, excluded = engineers_ranked(state="SP")
    # then
    assert ranked == []
    assert excluded["capacity"] == 1
    assert excluded["unavailable"] == 1


def test_cancelled_assignments_free_capacity():
    engineer = EngineerFactory(monthly_capacity=1)
    EngineerAssignmentFactory(engineer=engineer, status=AssignmentStatus.CANCELLED)
    ranked, _excluded = engineers_ranked(state="SP")
    assert [c.capacity_left for c in ranked] == [1]


def test_assign_records_the_assignment_and_is_idempotent_per_reference():
    # given
    engineer = EngineerFactory()
    # when
    first = engineer_assign(state="SP", reference="homologation.project:7")
    again = engineer_assign(state="SP", reference="homologation.project:7")
    # then
    assert first == again == engineer
    assignment = EngineerAssignment.objects.get(reference="homologation.project:7")
    assert assignment.status == AssignmentStatus.ACTIVE
    assert assignment.score["chosen"]["engineer_id"] == engineer.pk


def test_assign_spreads_work_as_capacity_runs_out():
    # given two equal engineers with capacity 1
    a = EngineerFactory(monthly_capacity=1)
    b = EngineerFactory(monthly_capacity=1)
    # when
    first = engineer_assign(state="SP", reference="p:1")
    second = engineer_assign(state="SP", reference="p:2")
    # then
    assert {first, second} == {a, b}
    with pytest.raises(NoEngineerAvailable) as exc:
        engineer_assign(state="SP", reference="p:3")
    assert exc.value.status_code == 409
    assert exc.value.extra["excluded"]["capacity"] == 2


def test_finishing_an_assignment_lowers_the_load():
    engineer = EngineerFactory()
    engineer_assign(state="SP", reference="p:9")
    finished = engineer_assignment_finish(reference="p:9")
    assert finished.status == AssignmentStatus.COMPLETED
    ranked, _ = engineers_ranked(state="SP")
    assert ranked[0].engineer_id == engineer.pk
    assert ranked[0].active_load == 0
    assert ranked[0].capacity_left == 9  # completed work still counts for this month


def test_discipline_filter():
    EngineerFactory(disciplines=["civil"])
    with pytest.raises(NoEngineerAvailable) as exc:
        engineer_assign(state="SP", reference="p:1", discipline="electrical")
    assert exc.value.extra["excluded"]["discipline"] == 1
