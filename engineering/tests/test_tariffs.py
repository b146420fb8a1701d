"""Tariff refresh with history (CKAN fixture server and the shipped snapshot) and the tariff a
consumer pays."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from engineering.aneel import AneelClient
from engineering.models import RefreshStatus, Tariff, TariffRefreshRun, TariffSource, Utility
from engineering.tariffs import (
    BRAZILIAN_UFS as UFS,
)
from engineering.tariffs import (
    FieldDomainError,
    TariffNotFound,
    UnknownUtility,
    tariff_for_consumer,
    tariffs_refresh,
    utility_get,
    utility_tariffs,
)
from engineering.tasks import tariffs_refresh as tariffs_refresh_task
from engineering.tests.factories import TariffFactory, UtilityFactory
from engineering.tests.fixture_servers import aneel_row

pytestmark = pytest.mark.django_db

ALL_ROWS = {}  # refresh everything the fixture serves (no subgroup filter)


class _PagedClient(AneelClient):
    """Pages of 10 rows, so a failure can happen after some rows were already imported."""

    def datastore_records(self, *, filters=None, page_size=10):
        return super().datastore_records(filters=filters, page_size=10)


def refresh_ckan(**kwargs):
    return tariffs_refresh(
        source="ckan",
        client=AneelClient(backoff_s=0, retries=1, force_refresh=True),
        filters=ALL_ROWS,
        **kwargs,
    )


def test_refresh_from_ckan_stores_utilities_and_tariffs(ckan_server):
    # given 25 published rows
    # when
    result = refresh_ckan()
    # then
    assert result["status"] == RefreshStatus.SUCCEEDED
    assert result["records"] == 25
    assert result["created"] == 25
    assert Tariff.objects.count() == 25
    eletropaulo = Utility.objects.get(sig_agente="ELETROPAULO")
    assert eletropaulo.cnpj == "61695227000193"
    assert eletropaulo.name == "Enel São Paulo"
    assert eletropaulo.states == ["SP"]
    ponta = Tariff.objects.get(utility__sig_agente="LIGHT SESA", posto="Ponta")
    assert ponta.tusd_rs_mwh == Decimal("1361.78")
    assert ponta.source == TariffSource.CKAN
    run = TariffRefreshRun.objects.get()
    assert run.status == RefreshStatus.SUCCEEDED
    assert run.counts["created"] == 25


def test_same_cnpj_under_two_spellings_is_one_utility_with_an_alias(ckan_server):
    # given RGE and RGE SUL rows with the same CNPJ
    # when
    refresh_ckan()
    # then
    utility = Utility.objects.get(cnpj="02016440000162")
    assert utility.sig_agente == "RGE"
    assert utility.aliases == ["RGE SUL"]
    assert Utility.objects.filter(sig_agente="RGE SUL").count() == 0
    assert utility.tariffs.count() == 2
    assert utility_get(code="rge sul") == utility


def test_refresh_is_idempotent(ckan_server):
    # given a first refresh
    refresh_ckan()
    before = list(Tariff.objects.order_by("pk").values_list("pk", "fingerprint", "tusd_rs_mwh", "te_rs_mwh"))
    # when the same data comes again
    result = refresh_ckan()
    # then nothing new, nothing changed
    assert result["created"] == 0
    assert result["unchanged"] == 25
    assert result["superseded"] == 0
    after = list(Tariff.objects.order_by("pk").values_list("pk", "fingerprint", "tusd_rs_mwh", "te_rs_mwh"))
    assert after == before
    assert Utility.objects.count() == 16


def test_a_changed_value_for_the_same_validity_is_a_new_row_and_the_old_is_kept(ckan_server):
    # given a first refresh, then ANEEL republishes one value of the same validity
    refresh_ckan()
    old = Tariff.objects.get(utility__sig_agente="CEEE-D")
    row = next(r for r in ckan_server.rows if r["SigAgente"] == "CEEE-D")
    row["VlrTE"] = "350,01"
    # when
    result = refresh_ckan()
    # then
    assert result["created"] == 1
    assert result["superseded"] == 1
    rows = list(Tariff.objects.filter(utility__sig_agente="CEEE-D").order_by("pk"))
    assert [t.te_rs_mwh for t in rows] == [Decimal("343.3700"), Decimal("350.0100")]
    old.refresh_from_db()
    assert old.superseded_at is not None
    assert old.te_rs_mwh == Decimal("343.37")
    assert rows[1].superseded_at is None
    tariff = tariff_for_consumer(utility="CEEE-D", on_date=date(2026, 6, 1))
    assert tariff.te_rs_mwh == Decimal("350.01")


def test_a_new_validity_is_a_new_row(ckan_server):
    # given
    refresh_ckan()
    ckan_server.rows.append(
        aneel_row(
            SigAgente="CEEE-D",
            NumCNPJDistribuidora="08467115000100",
            DatInicioVigencia="2026-11-22",
            DatFimVigencia="2027-11-21",
            VlrTUSD="497,78",
            VlrTE="357,10",
        )
    )
    # when
    result = refresh_ckan()
    # then both validities are kept, the older untouched
    assert result["created"] == 1
    assert result["superseded"] == 0
    validities = list(
        Tariff.objects.filter(utility__sig_agente="CEEE-D")
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
    )
    assert validities == [date(2026, 1, 1), date(2026, 11, 22)]


def test_aneel_down_records_the_failure_and_keeps_the_tariffs(ckan_server):
    # given tariffs from a first refresh, then ANEEL answers 500 to everything
    refresh_ckan()
    before = list(Tariff.objects.order_by("pk").values_list("pk", "te_rs_mwh", "last_seen"))
    ckan_server.server.fail_next(50, 500)
    # when
    result = refresh_ckan()
    # then
    assert result["status"] == RefreshStatus.FAILED
    assert "AneelUnavailable" in result["error"]
    run = TariffRefreshRun.objects.order_by("-pk").first()
    assert run.status == RefreshStatus.FAILED
    assert run.finished_at is not None
    assert list(Tariff.objects.order_by("pk").values_list("pk", "te_rs_mwh", "last_seen")) == before


def test_failure_half_way_leaves_nothing_half_written(ckan_server):
    # given the first page is served and the second fails for good
    handler = ckan_server.server.routes["/api/3/action/datastore_search"]

    def flaky(request):
        if int(request.query.get("offset", 0)) >= 10:
            return 503, {"Content-Type": "text/plain"}, "maintenance"
        return handler(request)

    ckan_server.server.route("/api/3/action/datastore_search", flaky)
    client = _PagedClient(backoff_s=0, retries=1, force_refresh=True)
    # when
    result = tariffs_refresh(source="ckan", client=client, filters=ALL_ROWS)
    # then the rows of the first page (already parsed) were rolled back with the run marked failed
    assert result["status"] == RefreshStatus.FAILED
    assert ckan_server.datastore_count() == 3
    assert Tariff.objects.count() == 0
    assert Utility.objects.count() == 0


def test_connection_refused_is_a_failed_run(closed_port_url):
    # given
    client = AneelClient(base_url=closed_port_url, backoff_s=0, retries=0)
    # when
    result = tariffs_refresh(source="ckan", client=client)
    # then
    assert result["status"] == RefreshStatus.FAILED
    assert Tariff.objects.count() == 0


def test_refresh_from_the_csv_resource(ckan_server):
    # given
    client = AneelClient(backoff_s=0, force_refresh=True)
    # when only B1 rows are kept
    result = tariffs_refresh(source="csv", client=client, filters={"DscSubGrupo": ["B1"]})
    # then
    assert result["status"] == RefreshStatus.SUCCEEDED
    assert result["records"] == Tariff.objects.count() == 18
    assert set(Tariff.objects.values_list("source", flat=True)) == {TariffSource.CSV}


def test_snapshot_loads_through_the_same_parser_and_is_idempotent():
    # given / when
    first = tariffs_refresh(source="snapshot")
    second = tariffs_refresh(source="snapshot")
    # then every capital's distributor is there, and the second load adds nothing
    assert first["status"] == RefreshStatus.SUCCEEDED
    assert first["created"] == first["records"] - first["unchanged"]
    assert second["created"] == 0
    assert Utility.objects.count() >= 27
    states = {uf for u in Utility.objects.all() for uf in u.states}
    assert states >= UFS
    for uf in UFS:
        utility = next(
            u for u in Utility.objects.all() if uf in u.states and u.tariffs.filter(subgroup="B1").exists()
        )
        tariff = tariff_for_consumer(utility=utility, on_date=date(2026, 11, 23))
        assert Decimal("0.5") < tariff.base_rs_kwh < Decimal("1.2"), uf


def test_weekly_task_refreshes_and_prunes(ckan_server, settings):
    # given the fixture answers every subgroup the task asks for
    # when the task runs (eagerly in tests)
    result = tariffs_refresh_task.delay(source="csv").get()
    # then
    assert result["status"] == RefreshStatus.SUCCEEDED
    assert result["created"] > 0
    assert result["pruned"] == {"aneel": 0, "pvlib": 0}


# --- tariff for a consumer --------------------------------------------------------------------
def test_eletropaulo_b1_is_the_snapshot_row_with_taxes_applied_por_dentro():
    # given the shipped snapshot
    tariffs_refresh(source="snapshot")
    # when
    tariff = tariff_for_consumer(utility="ELETROPAULO", subgroup="B1", on_date=date(2026, 11, 23))
    # then TUSD/TE as in the snapshot; (472.42 + 316.96) / 1000 = 0.78938 R$/kWh;
    # with ICMS 18% (SP) and PIS/COFINS 5.5%: 0.78938 / (1 − 0.235) = 1.031869 R$/kWh
    assert tariff.utility_code == "ELETROPAULO"
    assert tariff.tusd_rs_mwh == Decimal("472.42")
    assert tariff.te_rs_mwh == Decimal("316.96")
    assert tariff.base_rs_kwh == Decimal("0.789380")
    assert tariff.icms_pct == Decimal("18.0")
    assert tariff.pis_cofins_pct == Decimal("5.5")
    assert tariff.final_rs_kwh == Decimal("1.031869")
    assert tariff.valid_from == date(2026, 7, 4)
    assert tariff.valid_to == date(2027, 7, 3)
    assert tariff.source == "snapshot"
    assert tariff.fio_b_rs_mwh is None
    assert tariff.is_sample is True
    assert "ICMS" in tariff.is_estimate_note


def test_published_b3_row_of_eletropaulo_on_a_past_date():
    # given
    tariffs_refresh(source="snapshot")
    # when
    tariff = tariff_for_consumer(
        utility="ELETROPAULO", subgroup="B3", klass="Comercial", on_date=date(2026, 3, 1)
    )
    # then the REH 3.477 row (class "Não se aplica" in the dataset) is used
    assert tariff.resolution.startswith("RESOLUÇÃO HOMOLOGATÓRIA Nº 3.477")
    assert (tariff.tusd_rs_mwh, tariff.te_rs_mwh) == (Decimal("432.44"), Decimal("292.74"))
    assert tariff.is_sample is False


def test_scee_detail_gives_the_compensated_energy_tariff():
    # given
    tariffs_refresh(source="snapshot")
    # when
    tariff = tariff_for_consumer(
        utility="ELETROPAULO", subgroup="B3", detail="SCEE", on_date=date(2025, 1, 10)
    )
    # then
    assert (tariff.tusd_rs_mwh, tariff.te_rs_mwh) == (Decimal("373.17"), Decimal("45.24"))


def test_latest_validity_covering_the_date_wins_with_overlaps():
    # given two validities that both cover 2026-09-01, and an older revision of the newest one
    utility = UtilityFactory(sig_agente="DIST-X", states=["MG"])
    TariffFactory(
        utility=utility, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), te_rs_mwh=Decimal("100")
    )
    TariffFactory(
        utility=utility,
        valid_from=date(2026, 7, 1),
        valid_to=date(2027, 6, 30),
        te_rs_mwh=Decimal("90"),
        superseded_at=timezone.now(),
    )
    TariffFactory(
        utility=utility, valid_from=date(2026, 7, 1), valid_to=date(2027, 6, 30), te_rs_mwh=Decimal("120")
    )
    # when
    september = tariff_for_consumer(utility=utility, on_date=date(2026, 9, 1))
    march = tariff_for_consumer(utility=utility, on_date=date(2026, 3, 1))
    # then
    assert september.te_rs_mwh == Decimal("120")
    assert march.te_rs_mwh == Decimal("100")
    assert september.icms_pct == Decimal("18.0")  # MG


def test_after_the_last_validity_the_latest_tariff_is_used_and_said_so():
    # given
    utility = UtilityFactory(sig_agente="DIST-Y", states=["RS"])
    TariffFactory(utility=utility, valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    # when
    tariff = tariff_for_consumer(utility=utility, on_date=date(2026, 5, 1))
    # then
    assert tariff.valid_to == date(2025, 12, 31)
    assert "2025-12-31" in tariff.is_estimate_note


def test_pis_cofins_is_a_setting(settings):
    # given
    settings.TARIFF_PIS_COFINS_PCT = "7.0"
    utility = UtilityFactory(sig_agente="DIST-Z", states=["SC"])
    TariffFactory(utility=utility, tusd_rs_mwh=Decimal("500"), te_rs_mwh=Decimal("300"))
    # when
    tariff = tariff_for_consumer(utility="dist-z")
    # then 0.8 / (1 − 0.17 − 0.07) = 1.052632
    assert tariff.pis_cofins_pct == Decimal("7.0")
    assert tariff.final_rs_kwh == Decimal("1.052632")


def test_group_a_defaults_to_the_off_peak_post():
    # given
    tariffs_refresh(source="snapshot")
    # when
    tariff = tariff_for_consumer(
        utility="CEMIG-D", subgroup="A4", modality="Verde", klass="Não se aplica", on_date=date(2026, 11, 23)
    )
    # then the published total of REH 3.589 for "Fora ponta": 0.48077 R$/kWh
    assert tariff.posto == "Fora ponta"
    assert tariff.base_rs_kwh == Decimal("0.480770")


def test_unknown_utility_is_a_400_on_the_utility_field():
    # given / when
    with pytest.raises(UnknownUtility) as info:
        tariff_for_consumer(utility="NOPE-DIS")
    # then
    assert info.value.status_code == 400
    payload = info.value.as_payload()
    assert payload["code"] == "unknown_utility"
    assert "NOPE-DIS" in payload["utility"][0]


def test_no_tariff_for_the_subgroup_is_tariff_not_found():
    # given
    utility = UtilityFactory(sig_agente="DIST-W")
    TariffFactory(utility=utility, subgroup="B1")
    # when / then
    with pytest.raises(TariffNotFound) as info:
        tariff_for_consumer(utility=utility, subgroup="B2", klass="Rural")
    assert "utility" in info.value.as_payload()


def test_invalid_state_is_a_field_error():
    # given
    utility = UtilityFactory(sig_agente="DIST-V")
    TariffFactory(utility=utility)
    # when / then
    with pytest.raises(FieldDomainError) as info:
        tariff_for_consumer(utility=utility, state="XX")
    assert info.value.field == "state"


def test_utility_lookup_by_cnpj_and_case():
    # given
    tariffs_refresh(source="snapshot")
    # when / then
    assert utility_get(code="61.695.227/0001-93").sig_agente == "ELETROPAULO"
    assert utility_get(code="eletropaulo").sig_agente == "ELETROPAULO"
    assert utility_get(code="ambar amazonas").sig_agente == "Âmbar Amazonas"


def test_history_selector_lists_every_validity_newest_first():
    # given
    tariffs_refresh(source="snapshot")
    utility = Utility.objects.get(sig_agente="CEEE-D")
    # when
    rows = list(utility_tariffs(utility=utility, subgroup="B1").filter(detail="Não se aplica"))
    # then
    assert [t.valid_from for t in rows][:4] == [
        date(2026, 11, 22),
        date(2026, 1, 1),
        date(2024, 11, 22),
        date(2020, 11, 22),
    ]
    assert rows[1].te_rs_mwh == Decimal("343.37")
    assert rows[0].valid_from - rows[1].valid_to == timedelta(days=1)


def test_demo_seed_loads_the_snapshot_once():
    # given
    from engineering.demo import engineering_demo_seed

    # when (the seed's report read in English)
    with translation.override("en"):
        first = engineering_demo_seed()
        count = Tariff.objects.count()
        second = engineering_demo_seed()
    # then
    assert count > 200
    assert Tariff.objects.count() == count
    assert "0 new" in second[0]
    assert "27" in first[1]
