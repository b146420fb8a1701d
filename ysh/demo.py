"""Demo data registry. ``manage.py seed_demo`` runs every registered seeder in order.

Each app adds its own seeder in ``AppConfig.ready`` (catalog imports the sample feeds through
the real pipeline, engineering loads the ANEEL snapshot, …). A seeder must be idempotent and
return lines to print (log-in details, counts)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Seeder:
    name: str
    run: Callable[[], list[str]]
    order: int = 100


_seeders: dict[str, Seeder] = {}


def register_seeder(name: str, run: Callable[[], list[str]], *, order: int = 100) -> None:
    _seeders[name] = Seeder(name=name, run=run, order=order)


def seeders() -> list[Seeder]:
    return sorted(_seeders.values(), key=lambda s: (s.order, s.name))
