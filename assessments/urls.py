from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path(
        "visits/<int:visit_pk>/assessments/<slug:template_code>/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(
        "visits/<int:visit_pk>/assessments/<slug:template_code>/reasoning/",
        views.reasoning_panel,
        name="reasoning_panel",
    ),
    path(
        "visits/<int:visit_pk>/assessments/<slug:template_code>/autosave/",
        views.assessment_autosave,
        name="assessment_autosave",
    ),
    path(
        "episodes/<int:episode_pk>/working-diagnosis/",
        views.working_diagnosis_confirm,
        name="working_diagnosis_confirm",
    ),
    path("red-flags/<int:pk>/clear/", views.red_flag_clear, name="red_flag_clear"),
    path(
        "red-flags/<int:alert_pk>/referrals/new/",
        views.red_flag_referral_add,
        name="red_flag_referral_add",
    ),
    path(
        "red-flag-referrals/<int:pk>/", views.red_flag_referral_edit, name="red_flag_referral_edit"
    ),
    path(
        "templates/<slug:template_code>/v<int:version>/questionnaire.json",
        views.questionnaire,
        name="questionnaire",
    ),
]
