"""Carebook's pages at the root; the plugin's under /clinical/ (their namespaces are the
plugin's own: assessments:..., treatments:...)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("clinical/", include("assessments.urls")),
    path("clinical/", include("treatments.urls")),
    path("", include("carebook.urls")),
]
