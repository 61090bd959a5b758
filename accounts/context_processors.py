"""Template context for every page: what the navigation offers the signed-in user."""

from accounts.selectors import affiliation


def navigation(request) -> dict:
    """``nav_is_organizer``: show the organizer pages (one query per request, shared with the views
    through ``affiliation``'s cache on the user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_organizer": False}
    return {"nav_is_organizer": affiliation(user).is_organizer}
