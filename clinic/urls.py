from django.urls import path

from . import views
from .diary import views as diary

app_name = "clinic"

urlpatterns = [
    path("", views.home, name="home"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_update, name="patient_update"),
    path("patients/<int:pk>/archive/", views.patient_archive, name="patient_archive"),
    path("patients/<int:pk>/unarchive/", views.patient_unarchive, name="patient_unarchive"),
    path("patients/<int:patient_pk>/episodes/new/", views.episode_create, name="episode_create"),
    path("episodes/<int:pk>/discharge/", views.episode_discharge, name="episode_discharge"),
    path("episodes/<int:episode_pk>/visits/new/", views.visit_start, name="visit_start"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/sign/", views.visit_sign, name="visit_sign"),
    path("visits/<int:pk>/addenda/", views.addendum_add, name="addendum_add"),
    path("visits/<int:pk>/take-over/", views.visit_take_over, name="visit_take_over"),
    path("audit/", views.audit_log, name="audit_log"),
    # The diary
    path("diary/", diary.diary_day, name="diary_day"),
    path("diary/physios/<int:practitioner_pk>/", diary.diary_week, name="diary_week"),
    path("diary/appointments/new/", diary.appointment_create, name="appointment_create"),
    path("diary/appointments/<int:pk>/", diary.appointment_detail, name="appointment_detail"),
    path(
        "diary/appointments/<int:pk>/move/",
        diary.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "diary/appointments/<int:pk>/cancel/",
        diary.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "diary/appointments/<int:pk>/arrived/",
        diary.appointment_check_in,
        name="appointment_check_in",
    ),
    path(
        "diary/appointments/<int:pk>/no-show/",
        diary.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "diary/appointments/<int:pk>/no-show/undo/",
        diary.appointment_undo_no_show,
        name="appointment_undo_no_show",
    ),
    path(
        "diary/appointments/<int:pk>/visit/",
        diary.appointment_start_visit,
        name="appointment_start_visit",
    ),
    path("diary/follow-ups/", diary.follow_ups, name="follow_ups"),
    path("diary/follow-ups/contact/", diary.contact_attempt_add, name="contact_attempt_add"),
    path("diary/calendar/", diary.calendar_feed_settings, name="calendar_feed_settings"),
    path(
        "diary/calendar/<int:practitioner_pk>/<str:token>.ics",
        diary.calendar_feed,
        name="calendar_feed",
    ),
]
