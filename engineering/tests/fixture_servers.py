"""The external systems engineering talks to, played over real HTTP on 127.0.0.1 in their real
formats (used by ``conftest.py``): a generic threaded server, ANEEL CKAN (datastore + CSV
resource), ViaCEP and PVGIS documents."""

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from engineering.aneel import CSV_COLUMNS

RESOURCE_ID = "fcf2906c-7c32-4b9b-a637-054e7a5234f4"
DATASET_ID = "5a583f3e-1646-4f67-bf0f-69db4203e89e"
CSV_NAME = "tarifas-homologadas-distribuidoras-energia-eletrica.csv"
CSV_PATH = f"/dataset/{DATASET_ID}/resource/{RESOURCE_ID}/download/{CSV_NAME}"


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict
    headers: dict


@dataclass
class FixtureServer:
    host: str = "127.0.0.1"
    routes: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def route(self, path: str, handler) -> None:
        self.routes[path] = handler

    def fail_next(self, count: int, status: int = 500) -> None:
        self.failures.extend([status] * count)

    def count(self, path_prefix: str = "") -> int:
        return sum(1 for r in self.requests if r.path.startswith(path_prefix))

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()
        self.failures.clear()

    def start(self) -> "FixtureServer":
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                return

            def do_GET(self):
                parts = urlsplit(self.path)
                seen = SeenRequest(
                    "GET",
                    parts.path,
                    {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    dict(self.headers),
                )
                outer.requests.append(seen)
                if outer.failures:
                    status = outer.failures.pop(0)
                    return self._send(status, {"Content-Type": "text/plain"}, b"fixture failure")
                handler = outer.routes.get(parts.path)
                if handler is None:
                    handler = next(
                        (
                            h
                            for p, h in outer.routes.items()
                            if p.endswith("*") and parts.path.startswith(p[:-1])
                        ),
                        None,
                    )
                if handler is None:
                    return self._send(404, {"Content-Type": "text/plain"}, b"not found")
                status, headers, body = handler(seen)
                return self._send(status, headers, body)

            def _send(self, status, headers, body):
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def _closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def aneel_row(**values) -> dict:
    """A dataset row, every field text as ANEEL publishes it; defaults: ELETROPAULO B1 2026."""
    row = {
        "DatGeracaoConjuntoDados": "2026-10-02",
        "DscREH": "RESOLUÇÃO HOMOLOGATÓRIA Nº 3.596, DE 1 DE JULHO DE 2026",
        "SigAgente": "ELETROPAULO",
        "NumCNPJDistribuidora": "61695227000193",
        "DatInicioVigencia": "2026-07-04",
        "DatFimVigencia": "2027-07-03",
        "DscBaseTarifaria": "Tarifa de Aplicação",
        "DscSubGrupo": "B1",
        "DscModalidadeTarifaria": "Convencional",
        "DscClasse": "Residencial",
        "DscSubClasse": "Residencial",
        "DscDetalhe": "Não se aplica",
        "NomPostoTarifario": "Não se aplica",
        "DscUnidadeTerciaria": "MWh",
        "SigAgenteAcessante": "Não se aplica",
        "VlrTUSD": "472,42",
        "VlrTE": "316,96",
    }
    row.update(values)
    return row


def ckan_default_rows() -> list[dict]:
    """25 rows: ELETROPAULO B3 as published (REH 3.477/3.339), B1 rows of several utilities, an A4
    Verde post above a thousand (``"1.361,78"``), an empty ``SigAgenteAcessante``, a Base Econômica
    row and the same CNPJ under two SigAgente spellings (RGE / RGE SUL)."""
    reh3477 = "RESOLUÇÃO HOMOLOGATÓRIA Nº 3.477, DE 1 DE JULHO DE 2025"
    reh3339 = "RESOLUÇÃO HOMOLOGATÓRIA Nº 3.339, DE 2 DE JULHO DE 2024"
    b3 = {"DscSubGrupo": "B3", "DscClasse": "Não se aplica", "DscSubClasse": "Não se aplica"}
    rows = [
        aneel_row(
            DscREH=reh3477,
            DatInicioVigencia="2026-01-01",
            DatFimVigencia="2026-07-03",
            VlrTUSD="432,44",
            VlrTE="292,74",
            **b3,
        ),
        aneel_row(
            DscREH=reh3477,
            DatInicioVigencia="2026-01-01",
            DatFimVigencia="2026-07-03",
            DscDetalhe="SCEE",
            VlrTUSD="432,44",
            VlrTE="36,98",
            **b3,
        ),
        aneel_row(
            DscREH=reh3339,
            DatInicioVigencia="2024-07-04",
            DatFimVigencia="2025-07-03",
            VlrTUSD="373,17",
            VlrTE="263,07",
            **b3,
        ),
        aneel_row(
            DscREH=reh3339,
            DatInicioVigencia="2024-07-04",
            DatFimVigencia="2025-07-03",
            DscDetalhe="SCEE",
            VlrTUSD="373,17",
            VlrTE="45,24",
            **b3,
        ),
        aneel_row(),
        aneel_row(DscDetalhe="SCEE", VlrTE="40,03"),
        aneel_row(
            DscREH=reh3477,
            DatInicioVigencia="2025-07-04",
            DatFimVigencia="2026-07-03",
            VlrTUSD="432,44",
            VlrTE="292,74",
        ),
        aneel_row(
            SigAgente="LIGHT SESA",
            NumCNPJDistribuidora="60444437000146",
            DscSubGrupo="A4",
            DscModalidadeTarifaria="Verde",
            DscClasse="Não se aplica",
            DscSubClasse="Não se aplica",
            NomPostoTarifario="Ponta",
            DatInicioVigencia="2026-03-15",
            DatFimVigencia="2027-03-14",
            VlrTUSD="1.361,78",
            VlrTE="612,40",
        ),
        aneel_row(
            SigAgente="LIGHT SESA",
            NumCNPJDistribuidora="60444437000146",
            DscSubGrupo="A4",
            DscModalidadeTarifaria="Verde",
            DscClasse="Não se aplica",
            DscSubClasse="Não se aplica",
            NomPostoTarifario="Fora ponta",
            DatInicioVigencia="2026-03-15",
            DatFimVigencia="2027-03-14",
            VlrTUSD="141,30",
            VlrTE="383,10",
        ),
        aneel_row(
            SigAgente="Neoenergia Brasília",
            NumCNPJDistribuidora="07522669000192",
            DscREH="RESOLUÇÃO HOMOLOGATÓRIA Nº 1.055, DE 24 DE AGOSTO DE 2010",
            DscSubGrupo="A2",
            DscModalidadeTarifaria="Geração",
            DscClasse="Não se aplica",
            DscSubClasse="Não se aplica",
            DscUnidadeTerciaria="kW",
            SigAgenteAcessante="",
            DatInicioVigencia="2010-08-26",
            DatFimVigencia="2011-08-25",
            VlrTUSD="1,92",
            VlrTE=",00",
        ),
        aneel_row(
            SigAgente="RGE",
            NumCNPJDistribuidora="02016440000162",
            DatInicioVigencia="2025-06-19",
            DatFimVigencia="2026-06-18",
            VlrTUSD="455,10",
            VlrTE="301,00",
        ),
        aneel_row(
            SigAgente="RGE SUL",
            NumCNPJDistribuidora="02016440000162",
            DatInicioVigencia="2026-06-19",
            DatFimVigencia="2027-06-18",
            VlrTUSD="468,20",
            VlrTE="310,50",
        ),
        aneel_row(
            SigAgente="CEEE-D",
            NumCNPJDistribuidora="08467115000100",
            DscREH="RESOLUÇÃO HOMOLOGATÓRIA Nº 3.547, DE 18 DE NOVEMBRO DE 2025",
            DatInicioVigencia="2026-01-01",
            DatFimVigencia="2026-11-21",
            VlrTUSD="478,63",
            VlrTE="343,37",
        ),
        aneel_row(DscBaseTarifaria="Base Econômica", VlrTUSD="470,00", VlrTE="315,00"),
    ]
    for index, (sig, cnpj) in enumerate(
        [
            ("COELBA", "15139629000194"),
            ("ENEL CE", "07047251000170"),
            ("COPEL-DIS", "04368898000106"),
            ("CEMIG-D", "06981180000116"),
            ("CELESC", "08336783000190"),
            ("COSERN", "08324196000181"),
            ("EMT", "03467321000199"),
            ("EMS", "15413826000150"),
            ("EPB", "09095183000140"),
            ("ESE", "13017462000163"),
            ("ETO", "25086034000171"),
        ]
    ):
        rows.append(
            aneel_row(
                SigAgente=sig,
                NumCNPJDistribuidora=cnpj,
                DatInicioVigencia="2026-04-22",
                DatFimVigencia="2027-04-21",
                VlrTUSD=f"{450 + index * 7},{index:02d}",
                VlrTE=f"{300 + index},50",
            )
        )
    return rows


def ckan_csv(rows: list[dict]) -> bytes:
    """The CSV resource exactly as published: every field quoted, ``;``, CRLF, UTF-8."""
    lines = [";".join(f'"{c}"' for c in CSV_COLUMNS)]
    for row in rows:
        lines.append(";".join('"' + str(row[c]).replace('"', '""') + '"' for c in CSV_COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@dataclass
class CkanFixture:
    server: FixtureServer
    rows: list

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def datastore_count(self) -> int:
        return self.server.count("/api/3/action/datastore_search")

    def csv_count(self) -> int:
        return self.server.count("/dataset/")


def _datastore_handler(ckan: CkanFixture):
    def handle(request: SeenRequest):
        query = request.query
        if query.get("resource_id") != RESOURCE_ID:
            body = {
                "success": False,
                "error": {"message": "Not found: Resource was not found.", "__type": "Not Found Error"},
            }
            return 404, {"Content-Type": "application/json"}, json.dumps(body)
        filters = json.loads(query.get("filters") or "{}")
        limit = int(query.get("limit", 100))
        offset = int(query.get("offset", 0))

        def keep(row):
            for column, wanted in filters.items():
                allowed = wanted if isinstance(wanted, list) else [wanted]
                if row.get(column) not in allowed:
                    return False
            return True

        matched = [row for row in ckan.rows if keep(row)]
        page = matched[offset : offset + limit]
        records = [{"_id": offset + i + 1, **row} for i, row in enumerate(page)]
        base_query = {k: v for k, v in query.items() if k != "offset"}
        result = {
            "include_total": True,
            "limit": limit,
            "records_format": "objects",
            "resource_id": RESOURCE_ID,
            "filters": filters,
            "records": records,
            "fields": [{"id": "_id", "type": "int"}] + [{"id": c, "type": "text"} for c in CSV_COLUMNS],
            "_links": {
                "start": "/api/3/action/datastore_search?" + urlencode(base_query),
                "next": "/api/3/action/datastore_search?"
                + urlencode({**base_query, "offset": offset + limit}),
            },
            "total": len(matched),
            "total_was_estimated": False,
        }
        body = {
            "help": "https://dadosabertos.aneel.gov.br/api/3/action/help_show?name=datastore_search",
            "success": True,
            "result": result,
        }
        return 200, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body, ensure_ascii=False)

    return handle


VIACEP_SE = {
    "cep": "01001-000",
    "logradouro": "Praça da Sé",
    "complemento": "lado ímpar",
    "unidade": "",
    "bairro": "Sé",
    "localidade": "São Paulo",
    "uf": "SP",
    "estado": "São Paulo",
    "regiao": "Sudeste",
    "ibge": "3550308",
    "gia": "1004",
    "ddd": "11",
    "siafi": "7107",
}


@dataclass
class ViaCepFixture:
    server: FixtureServer
    ceps: dict

    @property
    def base_url(self) -> str:
        return self.server.base_url + "/ws/"

    def lookups(self) -> int:
        return self.server.count("/ws/")


SAO_PAULO = (-23.5339, -46.6403)


def pvgis_tmy_document(lat: float, lon: float) -> dict:
    """A PVGIS 5.3 ``tmy`` JSON answer (layout of the real service: ``inputs``, ``outputs`` with
    ``months_selected`` and ``tmy_hourly`` rows ``time(UTC)``, ``T2m``, ``RH``, ``G(h)``, ``Gb(n)``,
    ``Gd(h)``, ``IR(h)``, ``WS10m``, ``WD10m``, ``SP``; ``meta``). Values are synthesized: a clear-sky
    day shape with a deterministic day-to-day cloudiness, scaled to São Paulo's Atlas means ×1.03."""
    import numpy as np
    import pandas as pd
    from pvlib import irradiance
    from pvlib.location import Location

    monthly = [5.222, 5.479, 4.704, 4.142, 3.422, 3.172, 3.244, 4.196, 4.237, 4.762, 5.135, 5.691]
    temps = [22.9, 23.2, 22.5, 21.1, 18.6, 17.4, 16.9, 18.1, 19.1, 20.4, 21.2, 22.3]
    years = [2018, 2007, 2009, 2013, 2008, 2006, 2011, 2010, 2020, 2006, 2007, 2016]
    rng = np.random.default_rng(20261123)
    site = Location(lat, lon, tz="UTC")
    hourly = []
    for month in range(1, 13):
        year = years[month - 1]
        start = pd.Timestamp(year=year, month=month, day=1, tz="UTC")
        times = pd.date_range(start, start + pd.offsets.MonthBegin(1), freq="h", inclusive="left")
        solpos = site.get_solarposition(times + pd.Timedelta(minutes=30))
        clear = site.get_clearsky(times + pd.Timedelta(minutes=30), solar_position=solpos)["ghi"].to_numpy()
        days = len(times) // 24
        cloud = np.repeat(rng.uniform(0.35, 1.0, size=days), 24)
        shape = clear * cloud
        ghi = shape * (monthly[month - 1] * 1.03 * 1000 * days / shape.sum())
        ghi = np.round(ghi, 0)
        split = irradiance.erbs(ghi, solpos["zenith"].to_numpy(), times.day_of_year.to_numpy())
        diurnal = temps[month - 1] + 4.0 * np.cos(
            2 * np.pi * ((times.hour.to_numpy() + lon / 15.0) % 24 - 15) / 24
        )
        for i, ts in enumerate(times):
            hourly.append(
                {
                    "time(UTC)": ts.strftime("%Y%m%d:%H%M"),
                    "T2m": round(float(diurnal[i]), 2),
                    "RH": 72.5,
                    "G(h)": float(ghi[i]),
                    "Gb(n)": round(float(np.nan_to_num(split["dni"][i])), 2),
                    "Gd(h)": round(float(np.nan_to_num(split["dhi"][i])), 1),
                    "IR(h)": 360.0,
                    "WS10m": 2.1,
                    "WD10m": 135.0,
                    "SP": 92800.0,
                }
            )
    return {
        "inputs": {
            "location": {"latitude": lat, "longitude": lon, "elevation": 760.0},
            "meteo_data": {
                "radiation_db": "PVGIS-SARAH3",
                "meteo_db": "ERA5",
                "year_min": 2005,
                "year_max": 2023,
                "use_horizon": True,
                "horizon_db": "DEM-calculated",
            },
        },
        "outputs": {
            "months_selected": [{"month": m, "year": y} for m, y in zip(range(1, 13), years, strict=True)],
            "tmy_hourly": hourly,
        },
        "meta": {
            "inputs": {
                "location": {"description": "Selected location", "variables": {}},
                "meteo_data": {"description": "Sources of meteorological data", "variables": {}},
            },
            "outputs": {
                "months_selected": {"type": "time series", "timestamp": "monthly"},
                "tmy_hourly": {"type": "time series", "timestamp": "hourly", "variables": {}},
            },
        },
    }


@dataclass
class PvgisFixture:
    server: FixtureServer
    document: dict

    @property
    def base_url(self) -> str:
        return self.server.base_url + "/api/"

    def calls(self) -> int:
        return self.server.count("/api/tmy")
