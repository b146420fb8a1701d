from ysh.portal.nav import nav_items
from ysh.users.context import request_membership


def portal(request):
    if not request.path.startswith("/portal/"):
        return {}
    membership = request_membership(request) if request.user.is_authenticated else None
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
            items.append({"key": item.key, "label": item.label, "url": url})
    return {"current_membership": membership, "portal_nav": items}
