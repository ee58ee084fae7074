from opencsc.ui.navigation import navigation_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    context = {
        "navigation_items": [],
        "section_navigation": None,
        "cspNonce": getattr(request, "csp_nonce", ""),
    }
    if user is not None and user.is_authenticated:
        context.update(navigation_for(user, request.path))
    return context
