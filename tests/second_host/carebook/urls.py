from django.urls import path

from . import views

app_name = "carebook"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("clients/<int:pk>/", views.client_record, name="client_record"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("sessions/<int:pk>/sign/", views.session_sign, name="session_sign"),
]
