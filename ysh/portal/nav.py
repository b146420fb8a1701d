"""The portal's navigation registry. Each app adds its entries in its AppConfig.ready(), e.g.
``register_nav(NavItem("catalog", _("Catalog"), "catalog_portal:list", order=20, module="catalog"))``
with ``from ysh.portal.nav import NavItem, register_nav``.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    order: int = 100
    module: str | None = None  # shown only when the organization has this module enabled
    manager_only: bool = False

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


_items: dict[str, NavItem] = {}


def register_nav(item: NavItem) -> None:
    _items[item.key] = item


def nav_items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda item: (item.order, item.key))
