"""Who may open the plugin's pages: every view names the permission it needs."""

from django.contrib.auth.decorators import login_required, permission_required


def require(perm: str):
    """Anonymous users are sent to log in; logged-in users without the permission get the
    403 page (never a login loop)."""

    def decorate(view):
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorate
