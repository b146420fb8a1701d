"""The fixture catalog's data: real manufacturers and model lines sold in Brazil, with their
datasheet figures (modules: Wp, Voc/Isc/Vmp/Imp, temperature coefficients; inverters: AC power,
MPPT window, maximum DC voltage and input current; batteries: kWh, chemistry), the category
tree, brand aliases, and four distributors with warehouses in several states.

``catalog.tests.search_factories.fixture_catalog_build`` writes it to the database.
"""

from decimal import Decimal

from catalog.models.taxonomy import ProductKind

K = ProductKind

CATEGORIES = [
    # slug, name, kind, parent
    ("modulos-fotovoltaicos", "Módulos fotovoltaicos", K.MODULE, None),
    ("modulos-monofaciais", "Módulos monofaciais", K.MODULE, "modulos-fotovoltaicos"),
    ("modulos-bifaciais", "Módulos bifaciais", K.MODULE, "modulos-fotovoltaicos"),
    ("inversores", "Inversores", K.INVERTER, None),
    ("inversores-on-grid", "Inversores on-grid (string)", K.INVERTER, "inversores"),
    ("inversores-hibridos", "Inversores híbridos", K.INVERTER, "inversores"),
    ("microinversores", "Microinversores", K.MICROINVERTER, None),
    ("baterias", "Baterias", K.BATTERY, None),
    ("baterias-litio", "Baterias de lítio", K.BATTERY, "baterias"),
    ("baterias-chumbo", "Baterias estacionárias de chumbo", K.BATTERY, "baterias"),
    ("estruturas", "Estruturas de fixação", K.STRUCTURE, None),
    ("string-box", "String box e proteção", K.STRING_BOX, None),
    ("cabos", "Cabos solares", K.CABLE, None),
    ("conectores", "Conectores", K.CONNECTOR, None),
    ("kits", "Kits geradores", K.KIT, None),
]

BRANDS = {
    "JA Solar": ("JA", "JASolar"),
    "Canadian Solar": ("CanadianSolar", "CSI Solar"),
    "Trina Solar": ("Trina", "Trinasolar"),
    "LONGi": ("Longi Solar", "Longi Green"),
    "Jinko Solar": ("Jinko", "JinkoSolar"),
    "Risen": ("Risen Energy",),
    "DAH Solar": ("DAH",),
    "Astronergy": ("Chint", "Chint Solar"),
    "OSDA": ("OSDA Solar",),
    "Sunova": ("Sunova Solar",),
    "Znshine": ("ZNShine",),
    "Leapton": ("Leapton Energy",),
    "Fronius": ("Fronius do Brasil",),
    "Growatt": ("Growatt New Energy",),
    "Deye": ("Deye Inverter",),
    "Sungrow": ("Sungrow Power",),
    "GoodWe": ("Good We",),
    "Huawei": ("Huawei FusionSolar",),
    "Solis": ("Ginlong",),
    "WEG": ("WEG Solar",),
    "SAJ": ("SAJ Electric",),
    "Hoymiles": ("Hoy Miles",),
    "APsystems": ("AP Systems", "APS"),
    "NEP": ("Northern Electric Power",),
    "Enphase": ("Enphase Energy",),
    "Pylontech": ("Pylon",),
    "BYD": ("BYD Energy",),
    "Dyness": (),
    "Moura": ("Baterias Moura",),
    "Heliar": ("Heliar Freedom",),
    "Romagnole": (),
    "Pratyc": (),
    "K2 Systems": ("K2",),
    "Clamper": (),
    "Prysmian": ("Prysmian Afumex",),
    "Nexans": (),
    "Stäubli": ("Staubli",),
}

# (code, name, state) per distributor.
DISTRIBUTORS = {
    "Fortlev Solar": [("ES1", "CD Serra", "ES"), ("SP1", "CD Guarulhos", "SP")],
    "Neosolar": [("SP", "CD Campinas", "SP"), ("PR", "CD Curitiba", "PR")],
    "Odex": [("GO", "CD Aparecida de Goiânia", "GO"), ("MG", "CD Contagem", "MG")],
    "Solfácil": [("SP", "CD Osasco", "SP"), ("PE", "CD Recife", "PE")],
}


def _module(
    name, brand, code, watts, voc, isc, vmp, imp, *, bifacial=False, cell="mono", tcv=-0.27, tcp=-0.35
):
    return {
        "kind": K.MODULE,
        "category": "modulos-bifaciais" if bifacial else "modulos-monofaciais",
        "name": name,
        "brand": brand,
        "code": code,
        "power_w": watts,
        "specs": {
            "power_w": watts,
            "voc_v": voc,
            "isc_a": isc,
            "vmp_v": vmp,
            "imp_a": imp,
            "temp_coeff_voc_pct": tcv,
            "temp_coeff_pmax_pct": tcp,
            "cell_type": cell,
            "half_cell": True,
            "bifacial": bifacial,
            "efficiency_pct": 17.2 if cell == "poly" else 21.3,
        },
    }


def _inverter(name, brand, code, watts, *, phases=1, volts=220, mppt=2, window=(80, 550), vmax=600,
              current=13.5, kind="string"):  # fmt: skip
    return {
        "kind": K.INVERTER,
        "category": "inversores-hibridos" if kind == "hybrid" else "inversores-on-grid",
        "name": name,
        "brand": brand,
        "code": code,
        "power_w": watts,
        "phases": phases,
        "voltage_v": volts,
        "specs": {
            "ac_power_w": watts,
            "mppt_count": mppt,
            "strings_per_mppt": 1,
            "mppt_min_v": window[0],
            "mppt_max_v": window[1],
            "max_dc_voltage_v": vmax,
            "max_input_current_a": current,
            "phases": phases,
            "grid_voltage_v": volts,
            "efficiency_pct": 97.5,
            "inverter_type": kind,
        },
    }


def _micro(name, brand, code, watts, modules, *, volts=220, current=14.0):
    return {
        "kind": K.MICROINVERTER,
        "category": "microinversores",
        "name": name,
        "brand": brand,
        "code": code,
        "power_w": watts,
        "phases": 1,
        "voltage_v": volts,
        "specs": {
            "ac_power_w": watts,
            "modules_per_unit": modules,
            "mppt_count": modules,
            "mppt_min_v": 16,
            "mppt_max_v": 60,
            "max_dc_voltage_v": 60,
            "max_input_current_a": current,
            "phases": 1,
            "grid_voltage_v": volts,
            "inverter_type": "micro",
        },
    }


def _battery(name, brand, code, kwh, *, chemistry="lfp", volts=48, cycles=6000):
    return {
        "kind": K.BATTERY,
        "category": "baterias-litio" if chemistry in ("lfp", "nmc") else "baterias-chumbo",
        "name": name,
        "brand": brand,
        "code": code,
        "energy_wh": kwh * 1000,
        "specs": {
            "capacity_kwh": float(kwh),
            "chemistry": chemistry,
            "nominal_voltage_v": volts,
            "cycles": cycles,
        },
    }


def _other(kind, category, name, brand, code, specs):
    return {"kind": kind, "category": category, "name": name, "brand": brand, "code": code, "specs": specs}


# fmt: off
CATALOG = [
    # --- modules
    _module("Painel Solar 550W Mono Half Cell JA Solar JAM72S30-550/MR", "JA Solar", "JAM72S30-550/MR",
            550, 49.90, 14.00, 41.96, 13.11),
    _module("Módulo Fotovoltaico JA Solar 545W Bifacial JAM72D30-545/MB", "JA Solar", "JAM72D30-545/MB",
            545, 49.75, 13.93, 41.80, 13.04, bifacial=True),
    _module("Painel Solar JA Solar DeepBlue 4.0 575W Bifacial N-Type JAM72D40-575/LB", "JA Solar",
            "JAM72D40-575/LB", 575, 51.45, 14.18, 42.63, 13.49, bifacial=True, cell="n-type", tcv=-0.25),
    _module("Painel Solar 410W JA Solar JAM54S30-410/MR Mono", "JA Solar", "JAM54S30-410/MR",
            410, 37.23, 13.95, 31.01, 13.23),
    _module("Módulo Canadian Solar HiKu6 CS6W-550MS 550W Mono", "Canadian Solar", "CS6W-550MS",
            550, 49.60, 14.00, 41.70, 13.20),
    _module("Painel Canadian Solar BiHiKu6 550W Bifacial CS6W-550MB-AG", "Canadian Solar", "CS6W-550MB-AG",
            550, 49.60, 14.00, 41.70, 13.20, bifacial=True),
    _module("Módulo Solar Trina Vertex 550W TSM-DE19 Mono", "Trina Solar", "TSM-550DE19",
            550, 49.90, 13.98, 41.90, 13.13, tcv=-0.25, tcp=-0.34),
    _module("Painel Solar Trina Vertex 550W Bifacial TSM-DEG19C.20", "Trina Solar", "TSM-550DEG19C.20",
            550, 50.00, 13.97, 41.90, 13.13, bifacial=True, tcv=-0.25),
    _module("Painel Solar LONGi Hi-MO 5 LR5-72HPH-550M 550W", "LONGi", "LR5-72HPH-550M",
            550, 49.80, 13.94, 41.95, 13.12),
    _module("Módulo LONGi Hi-MO 5m Bifacial 550W LR5-72HBD-550M", "LONGi", "LR5-72HBD-550M",
            550, 49.80, 13.94, 41.95, 13.12, bifacial=True),
    _module("Painel Solar Jinko Tiger Neo 575W Bifacial JKM575N-72HL4-BDV", "Jinko Solar",
            "JKM575N-72HL4-BDV", 575, 51.07, 14.27, 42.08, 13.67, bifacial=True, cell="n-type", tcv=-0.25),
    _module("Painel Jinko Tiger Pro 550W Mono JKM550M-72HL4-V", "Jinko Solar", "JKM550M-72HL4-V",
            550, 49.62, 14.03, 40.90, 13.45, tcv=-0.28),
    _module("Módulo Risen 550W Mono Half Cell RSM144-7-550M", "Risen", "RSM144-7-550M",
            550, 49.80, 14.00, 41.80, 13.16),
    _module("Painel Solar DAH Solar 550W DHM-72X10-550W", "DAH Solar", "DHM-72X10-550W",
            550, 49.90, 13.98, 41.90, 13.13),
    _module("Painel Astronergy ASTRO 5 550W CHSM72M-HC-550", "Astronergy", "CHSM72M-HC-550",
            550, 49.80, 14.01, 41.95, 13.12),
    _module("Módulo OSDA 550W Mono Half Cell ODA550-36V-MH", "OSDA", "ODA550-36V-MH",
            550, 49.65, 14.02, 41.85, 13.15),
    _module("Painel Sunova 550W Mono SS-550-72MDH", "Sunova", "SS-550-72MDH",
            550, 49.80, 14.00, 41.80, 13.16),
    _module("Painel Znshine 550W Bifacial ZXM7-SHLDD144-550", "Znshine", "ZXM7-SHLDD144-550",
            550, 49.90, 14.00, 41.80, 13.16, bifacial=True),
    _module("Painel Solar Leapton 410W Mono LP182-M-54-MH", "Leapton", "LP182-M-54-MH",
            410, 37.50, 13.90, 31.20, 13.14),
    _module("Módulo Canadian Solar 335W Policristalino CS3U-335P", "Canadian Solar", "CS3U-335P",
            335, 46.20, 9.25, 38.10, 8.80, cell="poly", tcv=-0.29, tcp=-0.37),
    # --- inverters
    _inverter("Inversor Fronius Primo 3.0-1 3kW Monofásico 220V", "Fronius", "PRIMO 3.0-1", 3000,
              window=(80, 800), vmax=1000, current=12),
    _inverter("Inversor Fronius Primo 5.0-1 5kW Monofásico 220V", "Fronius", "PRIMO 5.0-1", 5000,
              window=(80, 800), vmax=1000, current=18),
    _inverter("Inversor Fronius Primo 6.0-1 6kW Monofásico 220V", "Fronius", "PRIMO 6.0-1", 6000,
              window=(80, 800), vmax=1000, current=18),
    _inverter("Inversor Fronius Primo 8.2-1 8,2kW Monofásico 220V", "Fronius", "PRIMO 8.2-1", 8200,
              window=(80, 800), vmax=1000, current=18),
    _inverter("Inversor Fronius Symo 10.0-3-M 10kW Trifásico 380V", "Fronius", "SYMO 10.0-3-M", 10000,
              phases=3, volts=380, window=(200, 800), vmax=1000, current=25),
    _inverter("Inv. Growatt MIN 5000TL-X 5kW Mono 220V", "Growatt", "MIN 5000TL-X", 5000),
    _inverter("Inversor Growatt MIN 3000TL-X 3kW Monofásico", "Growatt", "MIN 3000TL-X", 3000,
              mppt=1, window=(65, 500), vmax=550),
    _inverter("Inversor Growatt MID 15KTL3-X 15kW Trifásico 380V", "Growatt", "MID 15KTL3-X", 15000,
              phases=3, volts=380, window=(200, 1000), vmax=1100, current=26),
    _inverter("Inversor Híbrido Growatt SPH 5000 5kW", "Growatt", "SPH 5000", 5000,
              window=(120, 550), vmax=550, kind="hybrid"),
    _inverter("Inversor Híbrido Deye SUN-5K-SG03LP1-EU 5kW Monofásico", "Deye", "SUN-5K-SG03LP1-EU", 5000,
              window=(125, 425), vmax=500, current=13, kind="hybrid"),
    _inverter("Inversor Híbrido Deye SUN-8K-SG01LP1 8kW", "Deye", "SUN-8K-SG01LP1", 8000,
              window=(125, 425), vmax=500, current=26, kind="hybrid"),
    _inverter("Inversor Sungrow SG5.0RS 5kW Monofásico", "Sungrow", "SG5.0RS", 5000,
              window=(40, 560), vmax=600, current=16),
    _inverter("Inversor GoodWe GW5000D-NS 5kW", "GoodWe", "GW5000D-NS", 5000,
              window=(80, 550), vmax=600, current=12.5),
    _inverter("Inversor Huawei SUN2000-5KTL-L1 5kW Monofásico", "Huawei", "SUN2000-5KTL-L1", 5000,
              window=(90, 560), vmax=600, current=12.5, kind="hybrid"),
    _inverter("Inversor Solis S6-GR1P5K 5kW Mono", "Solis", "S6-GR1P5K", 5000,
              window=(90, 520), vmax=600, current=16),
    _inverter("Inversor WEG SIW300H M050 5kW", "WEG", "SIW300H M050", 5000,
              window=(80, 550), vmax=600, current=13.5),
    _inverter("Inversor SAJ R5-5K-S2 5kW Monofásico", "SAJ", "R5-5K-S2", 5000,
              window=(90, 550), vmax=600, current=15),
    # --- micro-inverters
    _micro("Microinversor Hoymiles HMS-2000-4T 2000W 220V", "Hoymiles", "HMS-2000-4T", 2000, 4),
    _micro("Microinversor Hoymiles HMS-1600-4T 1600W", "Hoymiles", "HMS-1600-4T", 1600, 4, current=12.5),
    _micro("Microinversor Hoymiles HMS-800-2T 800W", "Hoymiles", "HMS-800-2T", 800, 2, current=12.5),
    _micro("Microinversor APsystems DS3-H 960W", "APsystems", "DS3-H", 960, 2, current=20),
    _micro("Microinversor NEP BDM-2000 2kW 220V", "NEP", "BDM-2000", 2000, 4),
    _micro("Microinversor Enphase IQ8+ 290W", "Enphase", "IQ8PLUS-72-2-US", 290, 1, current=12),
    _micro("Microinversor Deye SUN2000G3 2kW", "Deye", "SUN2000G3-EU-230", 2000, 4, current=13),
    # --- batteries
    _battery("Bateria de Lítio Pylontech US5000 4,8kWh 48V", "Pylontech", "US5000", Decimal("4.8")),
    _battery("Bateria Pylontech US3000C 3,55kWh LiFePO4", "Pylontech", "US3000C", Decimal("3.55")),
    _battery("Bateria BYD Battery-Box Premium HVS 5.1 5,12kWh", "BYD", "HVS 5.1", Decimal("5.12"),
             volts=204),
    _battery("Bateria Dyness BX51100 5,12kWh 51,2V Lítio", "Dyness", "BX51100", Decimal("5.12")),
    _battery("Bateria Deye SE-G5.1 Pro 5,12kWh LFP", "Deye", "SE-G5.1 PRO", Decimal("5.12")),
    _battery("Bateria BYD Battery-Box HVM 11.0 11kWh", "BYD", "HVM 11.0", Decimal("11.04"), volts=204),
    _battery("Bateria Estacionária Moura Clean 12MF220 220Ah 12V", "Moura", "12MF220", Decimal("2.64"),
             chemistry="lead-acid", volts=12, cycles=800),
    _battery("Bateria Estacionária Heliar Freedom DF4100 240Ah", "Heliar", "DF4100", Decimal("2.88"),
             chemistry="lead-acid", volts=12, cycles=700),
    # --- balance of system
    _other(K.STRUCTURE, "estruturas", "Estrutura Romagnole para Telhado Cerâmico 4 Módulos", "Romagnole",
           "RS-224", {"roof_type": "cerâmico", "modules_supported": 4, "material": "alumínio"}),
    _other(K.STRUCTURE, "estruturas", "Estrutura Pratyc Fibrocimento 4 Painéis", "Pratyc", "PRATYC-FIB-4",
           {"roof_type": "fibrocimento", "modules_supported": 4, "material": "alumínio"}),
    _other(K.STRUCTURE, "estruturas", "Estrutura K2 Systems para Laje 2 Módulos", "K2 Systems", "K2-LAJE-2",
           {"roof_type": "laje", "modules_supported": 2, "material": "alumínio"}),
    _other(K.STRING_BOX, "string-box", "String Box Clamper Solar 1000V 2 Entradas 1 Saída", "Clamper",
           "SB-1000-2E1S", {"inputs": 2, "outputs": 1, "max_voltage_v": 1000, "max_current_a": 25}),
    _other(K.STRING_BOX, "string-box", "String Box Clamper 600V 1 Entrada 1 Saída", "Clamper",
           "SB-600-1E1S", {"inputs": 1, "outputs": 1, "max_voltage_v": 600, "max_current_a": 20}),
    _other(K.CABLE, "cabos", "Cabo Solar Prysmian Afumex 6mm² Preto (metro)", "Prysmian", "AFUMEX-6-PT",
           {"section_mm2": 6, "color": "preto", "voltage_rating_v": 1800}),
    _other(K.CABLE, "cabos", "Cabo Solar Nexans 4mm² Vermelho", "Nexans", "ENERGYFLEX-4-VM",
           {"section_mm2": 4, "color": "vermelho", "voltage_rating_v": 1800}),
    _other(K.CONNECTOR, "conectores", "Conector MC4 Stäubli Par Macho/Fêmea", "Stäubli", "MC4-PV-KBT4", {}),
]

# kit name, code, [(component code, quantity)], kWp
KITS = [
    ("Kit Gerador Fotovoltaico 5,5 kWp Fronius Primo 5.0 + JA Solar 550W", "KIT-FRO-5.5",
     [("JAM72S30-550/MR", 10), ("PRIMO 5.0-1", 1), ("RS-224", 3), ("SB-1000-2E1S", 1)], Decimal("5.5")),
    ("Kit Gerador Solar 4,4 kWp Growatt MIN 5000TL-X + Canadian 550W", "KIT-GRO-4.4",
     [("CS6W-550MS", 8), ("MIN 5000TL-X", 1), ("PRATYC-FIB-4", 2)], Decimal("4.4")),
    ("Kit Energia Solar 2,2 kWp Microinversor Hoymiles + Trina 550W", "KIT-HOY-2.2",
     [("TSM-550DE19", 4), ("HMS-2000-4T", 1), ("RS-224", 1)], Decimal("2.2")),
]
# fmt: on
