"""Each kind's consent explains its own risks and checks, never another's (spec section 5,
"Consent, kind by kind"; issue 11)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from treatments import services
from treatments.kinds import CONSENT, kinds

pytestmark = pytest.mark.django_db

NEEDLING = ["Bruising", "Bleeding", "Nerve injury", "Pneumothorax"]
MANUAL = ["More pain or stiffness", "Headache", "Tiredness", "Serious events are rare"]
MANIPULATION_ONLY = ["Worsening of a disc prolapse", "Cauda equina syndrome (very rare)"]
ELECTRO = ["Skin irritation under the electrodes", "mild burn", "Ultrasound can heat"]

OWN = {
    "dry_needling": NEEDLING,
    "spinal_mobilization": MANUAL,
    "spinal_manipulation": MANUAL + MANIPULATION_ONLY,
    "electrotherapy": ELECTRO,
}
CHECKS = {
    "dry_needling": ["Lymphoedema of the limb", "Bleeding disorder or anticoagulants"],
    "spinal_mobilization": ["Fracture", "Spondylolisthesis at the level", "red-flag screen"],
    "spinal_manipulation": ["Osteoporosis", "Inflammatory arthritis", "red-flag screen"],
    "electrotherapy": ["pacemaker", "carotid sinus", "pregnant abdomen", "Caution: epilepsy"],
}


def form_page(client, episode, kind) -> str:
    url = reverse("treatments:consent_add", args=[episode.pk])
    return client.get(url, {"kind": kind}).content.decode()


def _form(page: str) -> str:
    return page[page.index("<h1") :]


def _risks(page: str) -> str:
    """What the page says of the risks: the sentence above the form and the ticks."""
    sentence = page[page.index('class="consent-risks"') :]
    sentence = sentence[: sentence.index("</p>")]
    ticks = page[page.index('id="div_id_risks_discussed"') :]
    ticks = ticks[: ticks.index("right_to_withdraw")]
    return sentence + ticks


@pytest.mark.parametrize("kind", list(OWN))
def test_each_kinds_consent_form_lists_its_own_risks_only(client_for, physio, episode, kind):
    page = _risks(form_page(client_for(physio), episode, kind))
    for risk in OWN[kind]:
        assert risk.lower() in page.lower(), (kind, risk)
    others = {risk for other, risks in OWN.items() if other != kind for risk in risks}
    for risk in others - set(OWN[kind]):
        assert risk.lower() not in page.lower(), (kind, risk)


def test_mobilization_consent_names_no_needling_risk(client_for, physio, episode):
    page = _form(form_page(client_for(physio), episode, "spinal_mobilization")).lower()
    for needling in ("bruising", "pneumothorax", "nerve injury", "needl"):
        assert needling not in page


@pytest.mark.parametrize("kind", list(CHECKS))
def test_each_kinds_consent_form_lists_what_to_check(client_for, physio, episode, kind):
    page = _form(form_page(client_for(physio), episode, kind))
    for check in CHECKS[kind]:
        assert check in page, (kind, check)


def test_every_kind_needing_consent_has_risks_to_explain():
    needing = [kind for kind in kinds if CONSENT in kind.preconditions]
    assert {kind.code for kind in needing} == {
        "spinal_mobilization",
        "spinal_manipulation",
        "dry_needling",
    }
    assert all(kind.consent_terms.risks and kind.consent_terms.checks for kind in needing)


def _record(episode, physio, kind, risks):
    return services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind=kind,
        given_on=timezone.localdate(),
        method="verbal",
        risks_discussed=risks,
        right_to_withdraw_explained=True,
    )


def test_another_kinds_risk_is_refused(physio, episode):
    with pytest.raises(services.TreatmentError, match="Not a risk of spinal mobilization"):
        _record(episode, physio, "spinal_mobilization", ["pneumothorax"])
    with pytest.raises(services.TreatmentError, match="Not a risk of dry needling"):
        _record(
            episode,
            physio,
            "dry_needling",
            [code for code, _ in kinds.get("dry_needling").consent_terms.risks] + ["headache"],
        )


def test_a_manual_therapy_consent_keeps_its_risks_in_words(client_for, physio, episode):
    consent = _record(
        episode, physio, "spinal_manipulation", ["more_pain_or_stiffness", "cauda_equina_syndrome"]
    )
    assert consent.risk_labels == [
        "More pain or stiffness for a day or two",
        "Cauda equina syndrome (very rare)",
    ]


def test_the_form_records_the_kinds_own_risks(client_for, physio, episode):
    url = reverse("treatments:consent_add", args=[episode.pk])
    response = client_for(physio).post(
        url,
        {
            "kind": "spinal_mobilization",
            "given_on": timezone.localdate().isoformat(),
            "method": "verbal",
            "risks_discussed": ["more_pain_or_stiffness", "headache"],
            "right_to_withdraw_explained": "on",
            "replaces": "0",
        },
    )
    assert response.status_code == 302
    consent = services.active_consent(episode, "spinal_mobilization")
    assert consent.risks_discussed == ["more_pain_or_stiffness", "headache"]
    # A needling risk posted to it is not among its choices.
    response = client_for(physio).post(
        url,
        {
            "kind": "spinal_mobilization",
            "given_on": timezone.localdate().isoformat(),
            "method": "verbal",
            "risks_discussed": ["pneumothorax"],
            "right_to_withdraw_explained": "on",
            "replaces": str(consent.pk),
        },
    )
    assert "pneumothorax is not one of the available choices" in response.content.decode()
