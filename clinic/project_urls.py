from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from clinic import views_accounts


@login_not_required
def favicon(request):
    # Pages that do not extend base.html (the Django admin's) make browsers ask for this.
    return redirect(static("clinic/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The user's own account; no one sets another user's password (clinic/accounts.py).
    path("account/", views_accounts.account, name="account"),
    path("account/email/", views_accounts.account_email, name="account_email"),
    path("account/password/", views_accounts.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views_accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views_accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("", include("clinic.urls")),
    path("", include("assessments.urls")),
    path("", include("treatments.urls")),
]
