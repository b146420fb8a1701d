from ysh.portal.nav import nav_items
from ysh.users.context import request_membership
from ysh.users.selectors import memberships_of


def portal(request):
    if not request.path.startswith("/portal/"):
        return {}
    authenticated = request.user.is_authenticated
    membership = request_membership(request) if authenticated else None
    items = []
    for item in nav_items():
        if membership is None:
            continue
        if item.module and not membership.organization.has_module(item.module):
            continue
        if item.manager_only and not membership.can_manage:
            continue
        url = item.url()
        if url:
            items.append({"key": item.key, "label": item.label, "url": url, "active": False})
    # The entry whose URL is the longest prefix of the path is the current section.
    matching = [entry for entry in items if request.path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return {
        "current_membership": membership,
        "portal_nav": items,
        # Lazy: only evaluated (one query) when the header renders the organization switcher.
        "portal_memberships": memberships_of(user=request.user).order_by("organization__legal_name")
        if authenticated
        else [],
    }
