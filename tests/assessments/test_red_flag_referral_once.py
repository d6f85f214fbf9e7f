"""The same red-flag referral posted twice (a double click, the back button and
resubmit) is recorded once; the physio is told it is already recorded and given the
one to change. A different referral for the same flag stays allowed."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import RedFlagReferral
from tests.concurrency import at_once


def fields(**changes):
    return {
        "referred_to": "emergency_department",
        "referred_to_name": "",
        "urgency": "emergency",
        "referred_at": timezone.now().replace(second=0, microsecond=0),
        "method": "phone",
        "note": "",
    } | changes


@pytest.mark.django_db
def test_the_same_referral_posted_twice_is_recorded_once(client_for, physio, alert, visit):
    client = client_for(physio)
    url = reverse("assessments:red_flag_referral_add", args=[alert.pk])
    url += f"?next={visit.get_absolute_url()}"
    form = {
        "referred_to": "emergency_department",
        "urgency": "emergency",
        "referred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "method": "phone",
    }
    assert client.post(url, form).status_code == 302
    referral = RedFlagReferral.objects.get()
    # The page for another one shows it first.
    page = client.get(url).content.decode()
    assert "Already recorded for this red flag:" in page
    assert "Referral recorded: Emergency department, emergency: same day, by phone" in page

    response = client.post(url, form)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This referral is already recorded: Emergency department, emergency: same day" in page
    edit = reverse("assessments:red_flag_referral_edit", args=[referral.pk])
    assert f'href="{edit}?next=' in page
    assert RedFlagReferral.objects.count() == 1
    visit_page = client.get(visit.get_absolute_url()).content.decode()
    assert visit_page.count("Referral recorded: ") == 1


@pytest.mark.django_db
def test_the_service_refuses_an_identical_referral_and_names_the_recorded_one(physio, alert):
    first = services.red_flag_referral_record(alert=alert, user=physio, **fields())
    with pytest.raises(services.DuplicateReferral, match="already recorded") as refused:
        services.red_flag_referral_record(alert=alert, user=physio, **fields(note="Again"))
    assert refused.value.referral == first
    # A different referral (the GP as well) is recorded.
    services.red_flag_referral_record(alert=alert, user=physio, **fields(referred_to="gp"))
    assert RedFlagReferral.objects.count() == 2
    # Correcting one into a copy of the other is refused too; saving it unchanged is not.
    gp = RedFlagReferral.objects.get(referred_to="gp")
    with pytest.raises(services.DuplicateReferral):
        services.red_flag_referral_record(alert=alert, user=physio, referral=gp, **fields())
    services.red_flag_referral_record(
        alert=alert, user=physio, referral=first, **fields(note="Rang at once.")
    )


@pytest.mark.django_db
def test_the_database_refuses_an_identical_referral(physio, alert):
    first = services.red_flag_referral_record(alert=alert, user=physio, **fields())
    copy = RedFlagReferral.objects.get(pk=first.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_submissions_at_once_record_one(migrated_data_restored, physio, alert):
    same = fields()

    def attempt():
        services.red_flag_referral_record(alert=alert, user=physio, **same)
        return "recorded"

    outcomes = at_once([attempt, attempt])

    assert outcomes.count("recorded") == 1, outcomes
    (refusal,) = [outcome for outcome in outcomes if outcome != "recorded"]
    assert isinstance(refusal, services.DuplicateReferral), refusal
    assert refusal.referral == RedFlagReferral.objects.get()
