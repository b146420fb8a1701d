"""Reference data of the catalog: the category tree and the brands sold in Brazil's DG market with
the spellings distributors really use for them.

``catalog.services.reference_data_install`` writes this into Category/Brand/BrandAlias
idempotently (the import run calls it, so a fresh database can import straight away). Staff add
more aliases in the admin; those are never removed by a re-install.
"""

import re
from dataclasses import dataclass, field

from catalog.models.taxonomy import ProductKind
from catalog.pipeline.units import text_fold


@dataclass(frozen=True)
class CategoryRef:
    slug: str
    name: str
    kind: str
    parent: str | None = None
    position: int = 0


@dataclass(frozen=True)
class BrandRef:
    name: str
    country: str = ""
    website: str = ""
    aliases: tuple[str, ...] = ()
    # Words that start a model code and are written apart from the rest of it
    # ("MIN 5000TL-X", "Primo 5.0-1"): the model-code extractor joins them with the next token.
    series: tuple[str, ...] = ()
    # Marketing family names that look like codes but are not the model ("HiKu6", "Hi-MO 5").
    families: tuple[str, ...] = field(default=())


K = ProductKind

CATEGORIES: tuple[CategoryRef, ...] = (
    CategoryRef("kits", "Kits geradores", K.KIT, None, 5),
    CategoryRef("kits-on-grid", "Kits on-grid", K.KIT, "kits", 1),
    CategoryRef("kits-hibridos", "Kits híbridos e off-grid", K.KIT, "kits", 2),
    CategoryRef("modulos-fotovoltaicos", "Módulos fotovoltaicos", K.MODULE, None, 10),
    CategoryRef("modulos-monofaciais", "Módulos monofaciais", K.MODULE, "modulos-fotovoltaicos", 1),
    CategoryRef("modulos-bifaciais", "Módulos bifaciais", K.MODULE, "modulos-fotovoltaicos", 2),
    CategoryRef("inversores", "Inversores", K.INVERTER, None, 20),
    CategoryRef("inversores-on-grid", "Inversores on-grid (string)", K.INVERTER, "inversores", 1),
    CategoryRef("inversores-hibridos", "Inversores híbridos", K.INVERTER, "inversores", 2),
    CategoryRef("inversores-off-grid", "Inversores off-grid", K.INVERTER, "inversores", 3),
    CategoryRef("microinversores", "Microinversores", K.MICROINVERTER, None, 30),
    CategoryRef("baterias", "Baterias", K.BATTERY, None, 40),
    CategoryRef("baterias-litio", "Baterias de lítio", K.BATTERY, "baterias", 1),
    CategoryRef("baterias-chumbo", "Baterias estacionárias de chumbo", K.BATTERY, "baterias", 2),
    CategoryRef("estruturas", "Estruturas de fixação", K.STRUCTURE, None, 50),
    CategoryRef("estruturas-telhado", "Estruturas para telhado", K.STRUCTURE, "estruturas", 1),
    CategoryRef("estruturas-laje-solo", "Estruturas para laje e solo", K.STRUCTURE, "estruturas", 2),
    CategoryRef("string-box", "String box e proteção", K.STRING_BOX, None, 60),
    CategoryRef("cabos", "Cabos solares", K.CABLE, None, 70),
    CategoryRef("conectores", "Conectores", K.CONNECTOR, None, 80),
    CategoryRef("controladores-de-carga", "Controladores de carga", K.CHARGE_CONTROLLER, None, 90),
    CategoryRef("outros", "Outros", K.OTHER, None, 99),
)

#: The default category of each kind (the pipeline may pick a sub-category from the specs).
KIND_DEFAULT_CATEGORY: dict[str, str] = {
    K.KIT: "kits-on-grid",
    K.MODULE: "modulos-monofaciais",
    K.INVERTER: "inversores-on-grid",
    K.MICROINVERTER: "microinversores",
    K.BATTERY: "baterias-litio",
    K.STRUCTURE: "estruturas-telhado",
    K.STRING_BOX: "string-box",
    K.CABLE: "cabos",
    K.CONNECTOR: "conectores",
    K.CHARGE_CONTROLLER: "controladores-de-carga",
    K.OTHER: "outros",
}

BRANDS: tuple[BrandRef, ...] = (
    # --- PV modules
    BrandRef(
        "JA Solar",
        "China",
        "https://www.jasolar.com",
        ("JA", "JASolar", "Ja Solar", "JA Solar Technology", "JA Solar Holdings"),
        families=("DeepBlue", "DeepBlue 3.0", "DeepBlue 4.0"),
    ),
    BrandRef(
        "Canadian Solar",
        "Canadá",
        "https://www.canadiansolar.com",
        ("CANADIAN", "Canadian Solar Inc.", "CanadianSolar", "CSI Solar"),
        families=("HiKu", "HiKu5", "HiKu6", "HiKu7", "BiHiKu", "BiHiKu6", "BiHiKu7", "TOPBiHiKu6"),
    ),
    BrandRef(
        "Trina Solar",
        "China",
        "https://www.trinasolar.com",
        ("TRINA", "Trinasolar", "Trina"),
        families=("Vertex", "Vertex S", "Vertex S+", "Vertex N"),
    ),
    BrandRef(
        "LONGi",
        "China",
        "https://www.longi.com",
        ("LONGI", "Longi Green", "Longi Solar", "LONGi Green Energy", "Longi Green Energy Technology"),
        families=("Hi-MO", "Hi-MO 5", "Hi-MO 6", "Hi-MO X6", "Hi-MO 7"),
    ),
    BrandRef(
        "Jinko Solar",
        "China",
        "https://www.jinkosolar.com",
        ("JINKO", "JinkoSolar", "Jinko"),
        families=("Tiger", "Tiger Pro", "Tiger Neo"),
    ),
    BrandRef(
        "Astronergy",
        "China",
        "https://www.astronergy.com",
        ("Chint", "Chint Solar", "Astronergy/Chint", "CHINT Astronergy", "Astronergy Chint"),
        families=("ASTRO", "ASTRO N", "ASTRO N5", "ASTRO 6"),
    ),
    BrandRef("Risen Energy", "China", "https://www.risenenergy.com", ("Risen", "Risen Solar")),
    BrandRef("DAH Solar", "China", "https://www.dahsolarpv.com", ("DAH", "DAHSolar")),
    BrandRef("OSDA", "China", "https://www.osdasolar.com", ("OSDA Solar", "Osda")),
    BrandRef("Sunova Solar", "China", "https://www.sunova-solar.com", ("Sunova",)),
    BrandRef("Honor Solar", "China", "https://www.honorsolar.com", ("Honor",)),
    BrandRef("Znshine Solar", "China", "https://www.znshinesolar.com", ("Znshine", "ZNShine", "ZN Shine")),
    BrandRef("Leapton Energy", "Japão", "https://www.leapton.com", ("Leapton", "Leapton Solar")),
    BrandRef("BYD", "China", "https://www.byd.com", ("BYD Energy", "BYD Company")),
    BrandRef("Elgin", "Brasil", "https://www.elgin.com.br", ("Elgin Solar",)),
    BrandRef("Intelbras", "Brasil", "https://www.intelbras.com", ("Intelbras Solar",)),
    # --- Inverters and micro-inverters
    BrandRef(
        "Growatt",
        "China",
        "https://www.growatt.com",
        ("Growatt New Energy", "Growatt Inverter"),
        series=("MIN", "MIC", "MID", "MOD", "MAX", "MAC", "SPH", "SPF", "SPA", "MIX", "MOD-XH"),
    ),
    BrandRef(
        "Fronius",
        "Áustria",
        "https://www.fronius.com",
        ("Fronius International", "Fronius do Brasil"),
        series=("Primo", "Symo", "Eco", "Tauro", "Galvo"),
    ),
    BrandRef("Deye", "China", "https://www.deyeinverter.com", ("Deye Inverter", "Ningbo Deye")),
    BrandRef("Hoymiles", "China", "https://www.hoymiles.com", ("Hoy Miles", "Hoymiles Power")),
    BrandRef("APsystems", "EUA/China", "https://usa.apsystems.com", ("APS", "AP Systems", "APSystems")),
    BrandRef("Sungrow", "China", "https://www.sungrowpower.com", ("Sungrow Power",)),
    BrandRef("GoodWe", "China", "https://www.goodwe.com", ("Goodwe", "Good We")),
    BrandRef("Huawei", "China", "https://solar.huawei.com", ("Huawei FusionSolar", "Huawei Solar")),
    BrandRef(
        "Solis", "China", "https://www.solisinverters.com", ("Ginlong", "Ginlong Solis", "Solis Ginlong")
    ),
    BrandRef("Sofar", "China", "https://www.sofarsolar.com", ("Sofar Solar", "Sofarsolar")),
    BrandRef("WEG", "Brasil", "https://www.weg.net", ("WEG Solar", "Weg S.A."), series=("SIW",)),
    BrandRef("Enphase", "EUA", "https://enphase.com", ("Enphase Energy",)),
    BrandRef("SolarEdge", "Israel", "https://www.solaredge.com", ("Solar Edge",)),
    BrandRef("SAJ", "China", "https://www.saj-electric.com", ("SAJ Electric",)),
    BrandRef("NEP", "China", "https://www.northernep.com", ("Northern Electric Power", "NEP Micro")),
    BrandRef("FoxESS", "China", "https://www.fox-ess.com", ("Fox ESS", "Fox-ESS")),
    # --- Batteries and charge controllers
    BrandRef("Pylontech", "China", "https://www.pylontech.com.cn", ("Pylon", "Pylon Technologies")),
    BrandRef("Dyness", "China", "https://www.dyness.com", ("Dyness Digital Energy",)),
    BrandRef("Moura", "Brasil", "https://www.moura.com.br", ("Baterias Moura", "Moura Clean")),
    BrandRef("Unipower", "Brasil", "https://www.unipower.com.br", ()),
    BrandRef("Heliar", "Brasil", "https://www.heliar.com.br", ("Heliar Freedom", "Freedom")),
    BrandRef("Epever", "China", "https://www.epever.com", ("EPsolar", "EP Solar", "Epever EPsolar")),
    BrandRef("Victron Energy", "Holanda", "https://www.victronenergy.com", ("Victron",)),
    # --- Mounting structures
    BrandRef(
        "Romagnole",
        "Brasil",
        "https://www.romagnole.com.br",
        ("Romagnole Solar", "Romagnole Produtos Elétricos"),
    ),
    BrandRef("Pratyc", "Brasil", "https://www.pratyc.com.br", ("Pratyc Solar", "Pratyc Estruturas")),
    BrandRef("SolarGroup", "Brasil", "https://www.solargroup.com.br", ("Solar Group",)),
    BrandRef("K2 Systems", "Alemanha", "https://k2-systems.com", ("K2", "K2 System", "K2Systems")),
    # --- Protection, cables and connectors
    BrandRef("Clamper", "Brasil", "https://www.clamper.com.br", ("Clamper Solar",)),
    BrandRef("Ecosolys", "Brasil", "https://www.ecosolys.com.br", ()),
    BrandRef("Steck", "Brasil", "https://www.steck.com.br", ()),
    BrandRef("Schneider Electric", "França", "https://www.se.com", ("Schneider",)),
    BrandRef("ABB", "Suíça", "https://global.abb", ()),
    BrandRef("Soprano", "Brasil", "https://www.soprano.com.br", ()),
    BrandRef("Prysmian", "Itália", "https://www.prysmian.com.br", ("Prysmian Group", "Prysmian Afumex")),
    BrandRef("Nexans", "França", "https://www.nexans.com.br", ("Nexans Ficap",)),
    BrandRef("Cobrecom", "Brasil", "https://www.cobrecom.com.br", ()),
    BrandRef("Conduspar", "Brasil", "https://www.conduspar.com.br", ()),
    BrandRef("Induscabos", "Brasil", "https://www.induscabos.com.br", ("Indus Cabos",)),
    BrandRef(
        "Stäubli",
        "Suíça",
        "https://www.staubli.com",
        ("Staubli", "Multi-Contact", "Staubli MC4", "Stäubli Electrical Connectors"),
    ),
    BrandRef("Amphenol", "EUA", "https://www.amphenol.com", ("Amphenol Industrial",)),
)

#: Words that are never a brand, whatever a feed puts in its brand column.
NOT_BRANDS: frozenset[str] = frozenset(
    # in alias_normalize() form
    {
        "",
        "generico",
        "generica",
        "diversos",
        "diversas",
        "outros",
        "outras",
        "semmarca",
        "naoinformado",
        "na",
        "nd",
        "null",
        "none",
        "solar",
        "importado",
        "nacional",
        "marca",
        "oem",
        "kit",
    }
)


def alias_normalize(text: str) -> str:
    """The form aliases are stored and looked up in: lower case, no accents, letters and
    digits only ("JA Solar", "JASolar", "Ja-Solar" → "jasolar")."""
    return re.sub(r"[^a-z0-9]", "", text_fold(text))


def brand_refs_by_name() -> dict[str, BrandRef]:
    return {ref.name: ref for ref in BRANDS}
