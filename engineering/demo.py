"""Demo data of the engineering app (E1 part): the ANEEL tariffs snapshot, loaded through the same
parser and import as the weekly refresh. Register in ``EngineeringConfig.ready``:

    register_seeder("engineering tariffs and irradiation", engineering_demo_seed, order=30)

Irradiation needs no seeding: the LABREN Atlas table of the state capitals ships with the code."""

from django.utils.translation import gettext as _


def engineering_demo_seed() -> list[str]:
    from engineering.irradiation import capital_climates
    from engineering.models import Tariff, Utility
    from engineering.tariffs import tariffs_refresh

    result = tariffs_refresh(source="snapshot")
    if result.get("status") != "succeeded":
        return [_("ANEEL snapshot could not be loaded: %(error)s") % {"error": result.get("error")}]
    return [
        _(
            "ANEEL tariffs snapshot: %(records)s rows read, %(created)s new, %(unchanged)s unchanged "
            "(%(utilities)s utilities, %(tariffs)s tariffs stored)."
        )
        % {
            "records": result["records"],
            "created": result["created"],
            "unchanged": result["unchanged"],
            "utilities": Utility.objects.count(),
            "tariffs": Tariff.objects.count(),
        },
        _("Irradiation: LABREN Atlas 2017 monthly GHI for %(n)s state capitals (shipped table).")
        % {"n": len(capital_climates())},
    ]
