"""A discharged episode's working diagnosis, plan and consents change only with a reason,
and each change shows on the discharge summary as added after discharge."""

import datetime
import html

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from assessments import host
from assessments import services as assessment_services
from assessments.models import WorkingDiagnosis
from clinic import services as clinic_services
from clinic.models import LaterAddition
from treatments import services
from treatments.models import Consent, ContraindicationScreen, TreatmentPlan
from treatments.safety import DRY_NEEDLING_RISKS

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ALL_RISKS = [code for code, _ in DRY_NEEDLING_RISKS]
NEEDS_A_REASON = "needs a reason, and is added to the discharge summary"
PLAN = {
    "planned_interventions": ["stretching"],
    "visit_interval_days": 7,
    "planned_visits": 6,
    "next_review_on": None,
    "notes": "",
    "goals": [{"text": "Sit through a film", "measure_code": "", "comparator": ""}],
}


def text(response) -> str:
    return html.unescape(response.content.decode())


def record_consent(episode, physio, **extra):
    return services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind="dry_needling",
        given_on=extra.pop("given_on", TODAY - datetime.timedelta(days=10)),
        method="verbal",
        risks_discussed=ALL_RISKS,
        right_to_withdraw_explained=True,
        **extra,
    )


@pytest.fixture
def discharged(episode, visit, physio):
    """An episode treated and discharged: diagnosis, plan and a consent recorded in care."""
    assessment_services.working_diagnosis_confirm(
        episode=episode, user=physio, source_codes=["piriformis"]
    )
    services.plan_save(episode=episode, user=physio, **PLAN)
    record_consent(episode, physio)
    clinic_services.visit_sign(visit=visit, user=physio)
    return clinic_services.episode_discharge(
        episode=episode, reason="goals_met", closed_on=TODAY - datetime.timedelta(days=1)
    )


def summary(client, episode) -> str:
    return text(client.get(reverse("treatments:discharge_summary", args=[episode.pk])))


def diagnosis_codes(episode) -> list[str]:
    return list(
        WorkingDiagnosis.objects.filter(episode=episode, withdrawn_at__isnull=True).values_list(
            "source_code", flat=True
        )
    )


# --- Through the services ------------------------------------------------------------------


CHANGES = {
    "diagnosis": lambda episode, user, reason: assessment_services.working_diagnosis_confirm(
        episode=episode, user=user, source_codes=["proximal_hamstring_tendinopathy"], reason=reason
    ),
    "plan": lambda episode, user, reason: services.plan_save(
        episode=episode, user=user, **(PLAN | {"planned_visits": 4}), reason=reason
    ),
    "consent recorded": lambda episode, user, reason: services.consent_record(
        episode=episode,
        user=user,
        intervention_kind="spinal_manipulation",
        given_on=TODAY - datetime.timedelta(days=5),
        method="written",
        risks_discussed=[],
        right_to_withdraw_explained=True,
        reason=reason,
    ),
    "consent withdrawn": lambda episode, user, reason: services.consent_withdraw(
        consent=episode.consents.get(intervention_kind="dry_needling"), user=user, reason=reason
    ),
}


def episode_record(episode) -> dict:
    return {
        "diagnosis": diagnosis_codes(episode),
        "plan": TreatmentPlan.objects.filter(episode=episode).values_list(
            "planned_visits", flat=True
        )[0],
        "consents": list(Consent.objects.values_list("intervention_kind", "withdrawn_on")),
    }


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_after_discharge_without_a_reason_is_refused(change, discharged, physio):
    before = episode_record(discharged)
    with pytest.raises(host.AfterDischargeError, match=NEEDS_A_REASON) as refused:
        CHANGES[change](discharged, physio, "  ")
    assert f"discharged on {discharged.closed_on:%-d %b %Y}" in str(refused.value)
    assert episode_record(discharged) == before
    assert not LaterAddition.objects.exists()


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_after_discharge_with_a_reason_is_kept_as_an_addition(
    change, client_for, discharged, physio
):
    before = episode_record(discharged)
    CHANGES[change](discharged, physio, "Consultant's letter of 3 Dec")
    assert episode_record(discharged) != before
    addition = LaterAddition.objects.get()
    assert (addition.episode, addition.author, addition.reason) == (
        discharged,
        physio,
        "Consultant's letter of 3 Dec",
    )
    page = summary(client_for(physio), discharged)
    assert "Added after discharge" in page
    assert addition.change in page and "Reason: Consultant's letter of 3 Dec" in page
    assert LogEntry.objects.get_for_object(addition).filter(action=LogEntry.Action.CREATE).exists()


def test_each_addition_says_what_changed(discharged, physio):
    for change in CHANGES:
        CHANGES[change](discharged, physio, f"Because of {change}")
    changes = {a.reason: (a.what, a.change) for a in LaterAddition.objects.all()}
    assert changes["Because of diagnosis"] == (
        "Working diagnosis",
        "Now Proximal hamstring tendinopathy. Withdrawn: Piriformis.",
    )
    assert changes["Because of plan"] == (
        "Treatment plan",
        "Every 7 days, 4 visits planned. Interventions: stretching. Goals: Sit through a film.",
    )
    what, recorded = changes["Because of consent recorded"]
    assert what == "Consent" and recorded.startswith(
        "Written consent to spinal manipulation recorded"
    )
    what, withdrawn = changes["Because of consent withdrawn"]
    assert what == "Consent" and withdrawn.startswith("Consent to dry needling (given on")


@pytest.mark.parametrize("change", CHANGES)
def test_an_open_episode_needs_no_reason_and_keeps_no_addition(change, episode, visit, physio):
    assessment_services.working_diagnosis_confirm(
        episode=episode, user=physio, source_codes=["piriformis"]
    )
    services.plan_save(episode=episode, user=physio, **PLAN)
    record_consent(episode, physio)
    CHANGES[change](episode, physio, "")
    assert not LaterAddition.objects.exists()


def test_a_late_consent_cannot_be_dated_after_the_discharge(discharged, physio):
    with pytest.raises(services.TreatmentError, match="cannot be after the discharge"):
        services.consent_record(
            episode=discharged,
            user=physio,
            intervention_kind="spinal_manipulation",
            given_on=TODAY,
            method="verbal",
            risks_discussed=[],
            right_to_withdraw_explained=True,
            reason="Recorded late",
        )
    assert not LaterAddition.objects.exists()


def test_a_contraindication_screen_is_refused_outright_after_discharge(
    client_for, discharged, physio
):
    with pytest.raises(services.TreatmentError, match="no treatment follows"):
        services.screen_record(episode=discharged, user=physio, present=[])
    response = client_for(physio).get(
        reverse("treatments:screen_add", args=[discharged.pk]), follow=True
    )
    assert "no treatment follows in it" in text(response)
    assert not ContraindicationScreen.objects.exists()


def test_an_addition_is_never_changed_or_deleted(discharged, physio):
    CHANGES["plan"](discharged, physio, "Goals corrected")
    addition = LaterAddition.objects.get()
    addition.reason = "Something else"
    with pytest.raises(host.SignedRecordError):
        addition.save()
    with pytest.raises(host.RecordDeletionError):
        addition.delete()


# --- Through the pages ---------------------------------------------------------------------


def test_the_diagnosis_page_of_a_discharged_episode_asks_for_a_reason(
    client_for, discharged, physio
):
    client = client_for(physio)
    url = reverse("assessments:working_diagnosis_confirm", args=[discharged.pk])
    page = client.get(url)
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    refused = client.post(url, {"source": ["proximal_hamstring_tendinopathy"], "reason": ""})
    assert refused.status_code == 400
    assert NEEDS_A_REASON in text(refused)
    assert refused.context["form"]["source"].value() == ["proximal_hamstring_tendinopathy"]
    assert diagnosis_codes(discharged) == ["piriformis"]
    saved = client.post(
        url, {"source": ["proximal_hamstring_tendinopathy"], "reason": "MRI report"}
    )
    assert saved.status_code == 302
    assert diagnosis_codes(discharged) == ["proximal_hamstring_tendinopathy"]
    page = summary(client, discharged)
    assert "Proximal hamstring tendinopathy" in page and "Reason: MRI report" in page


def test_the_plan_page_of_a_discharged_episode_asks_for_a_reason(client_for, discharged, physio):
    client = client_for(physio)
    url = reverse("treatments:plan_edit", args=[discharged.pk])
    form = {
        "planned_interventions": ["stretching"],
        "visit_interval_days": "7",
        "planned_visits": "4",
        "goal-0-text": "Sit through a film",
    }
    page = client.get(url)
    assert "reason" in page.context["form"].fields
    form["revision"] = page.context["form"]["revision"].value()
    refused = client.post(url, form)
    assert refused.status_code == 200 and NEEDS_A_REASON in text(refused)
    assert TreatmentPlan.objects.get().planned_visits == 6
    assert client.post(url, form | {"reason": "Visits were miscounted"}).status_code == 302
    assert TreatmentPlan.objects.get().planned_visits == 4
    assert "Reason: Visits were miscounted" in summary(client, discharged)


def test_a_plan_s_notes_changed_after_discharge_are_in_the_later_addition(
    client_for, discharged, physio
):
    services.plan_save(
        episode=discharged,
        user=physio,
        **PLAN | {"notes": "Review with the GP letter in hand"},
        reason="GP letter arrived",
    )

    addition = LaterAddition.objects.get(what="Treatment plan")
    assert "Notes: Review with the GP letter in hand" in addition.change
    assert "Notes: Review with the GP letter in hand" in summary(client_for(physio), discharged)


def test_the_consent_page_of_a_discharged_episode_asks_for_a_reason(client_for, discharged, physio):
    client = client_for(physio)
    url = reverse("treatments:consent_add", args=[discharged.pk]) + "?kind=spinal_manipulation"
    form = {
        "given_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
        "method": "written",
        "right_to_withdraw_explained": "on",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and NEEDS_A_REASON in text(refused)
    assert not Consent.objects.filter(intervention_kind="spinal_manipulation").exists()
    assert client.post(url, form | {"reason": "Signed form found in the notes"}).status_code == 302
    assert Consent.objects.filter(intervention_kind="spinal_manipulation").exists()
    assert "Reason: Signed form found in the notes" in summary(client, discharged)


def test_withdrawing_a_consent_of_a_discharged_episode_asks_for_a_reason(
    client_for, discharged, physio
):
    client = client_for(physio)
    consent = discharged.consents.get()
    url = reverse("treatments:consent_withdraw", args=[consent.pk])
    assert url in summary(client, discharged)
    refused = client.post(url, {"withdrawn_on": TODAY.isoformat()})
    assert refused.status_code == 200 and NEEDS_A_REASON in text(refused)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    response = client.post(url, {"withdrawn_on": TODAY.isoformat(), "reason": "Patient wrote in"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    page = summary(client, discharged)
    assert f"(withdrawn {TODAY.day} {TODAY:%b %Y})" in page and "Reason: Patient wrote in" in page


def test_withdrawing_a_consent_in_care_blocks_what_it_allowed(client_for, episode, visit, physio):
    consent = record_consent(episode, physio)
    assert services.active_consent(episode, "dry_needling") == consent
    client = client_for(physio)
    assert reverse("treatments:consent_withdraw", args=[consent.pk]) in text(
        client.get(visit.get_absolute_url())
    )
    response = client.post(
        reverse("treatments:consent_withdraw", args=[consent.pk]),
        {"withdrawn_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert services.active_consent(episode, "dry_needling") is None
    with pytest.raises(services.SafetyError, match="recorded consent"):
        services.check_preconditions(episode=episode, kind_code="dry_needling")
    assert not LaterAddition.objects.exists()


def test_a_withdrawal_cannot_predate_the_consent_or_be_in_the_future(episode, physio):
    consent = record_consent(episode, physio)
    with pytest.raises(services.TreatmentError, match="before it was given"):
        services.consent_withdraw(
            consent=consent, user=physio, withdrawn_on=consent.given_on - datetime.timedelta(1)
        )
    with pytest.raises(services.TreatmentError, match="future"):
        services.consent_withdraw(
            consent=consent, user=physio, withdrawn_on=TODAY + datetime.timedelta(days=1)
        )
    services.consent_withdraw(consent=consent, user=physio)
    with pytest.raises(services.TreatmentError, match="already withdrawn"):
        services.consent_withdraw(consent=consent, user=physio)


def test_the_summary_offers_corrections_to_physios_only(
    client_for, discharged, physio, clinic_admin
):
    plan_url = reverse("treatments:plan_edit", args=[discharged.pk])
    assert plan_url in summary(client_for(physio), discharged)
    admin_page = summary(client_for(clinic_admin), discharged)
    assert plan_url not in admin_page and "Added after discharge" not in admin_page


def test_a_form_opened_before_discharge_is_asked_for_the_reason(client_for, episode, visit, physio):
    client = client_for(physio)
    url = reverse("treatments:plan_edit", args=[episode.pk])
    assert "reason" not in client.get(url).context["form"].fields
    clinic_services.visit_sign(visit=visit, user=physio)
    clinic_services.episode_discharge(episode=episode, reason="goals_met")
    response = client.post(url, {"visit_interval_days": "7", "planned_visits": "4"})
    assert NEEDS_A_REASON in text(response)
    assert response.context["form"].errors["reason"]
    assert not TreatmentPlan.objects.exists()
