from .roles import Role, role_of
from .scoping import agency_of


def role(request) -> dict:
    """The signed-in user's role and agency, for the layout's menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user_role = role_of(user)
    return {"user_role": user_role, "user_agency": agency_of(user) if user_role == Role.OFFICER else None}
