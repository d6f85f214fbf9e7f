from django.urls import path

from . import views, views_outcomes

app_name = "treatments"

urlpatterns = [
    path(
        "visits/<int:visit_pk>/interventions/<slug:kind_code>/new/",
        views.intervention_add,
        name="intervention_add",
    ),
    path("interventions/<int:pk>/edit/", views.intervention_edit, name="intervention_edit"),
    path("interventions/<int:pk>/remove/", views.intervention_remove, name="intervention_remove"),
    path("interventions/<int:pk>/handout/", views.exercise_handout, name="exercise_handout"),
    path(
        "interventions/<int:intervention_pk>/adverse-events/new/",
        views.adverse_event_add,
        name="adverse_event_add",
    ),
    path("adverse-events/", views.adverse_event_list, name="adverse_event_list"),
    path(
        "patients/<int:patient_pk>/fhir.json", views.patient_fhir_export, name="patient_fhir_export"
    ),
    path("visits/<int:visit_pk>/note/", views.visit_note_save, name="visit_note_save"),
    path("episodes/<int:episode_pk>/consents/new/", views.consent_add, name="consent_add"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("episodes/<int:episode_pk>/screens/new/", views.screen_add, name="screen_add"),
    path("episodes/<int:episode_pk>/plan/", views.plan_edit, name="plan_edit"),
    path(
        "episodes/<int:episode_pk>/discharge-summary/",
        views.discharge_summary,
        name="discharge_summary",
    ),
    path("outcomes/", views_outcomes.outcome_report_page, name="outcome_report"),
    path("outcomes/report.csv", views_outcomes.outcome_report_csv, name="outcome_report_csv"),
    path("outcomes/episodes/", views_outcomes.outcome_group_episodes, name="outcome_episodes"),
]
