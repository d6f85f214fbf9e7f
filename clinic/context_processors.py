from .roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST


def roles(request) -> dict:
    """The user's role names, for the navigation and the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    names = [group.name for group in user.groups.all()]
    return {
        "user_roles": [
            role for role in (PHYSIOTHERAPIST, CLINIC_ADMIN, FRONT_DESK) if role in names
        ]
    }
