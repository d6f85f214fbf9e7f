import json
import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from assessments import host, measures
from assessments.buttock_pain import BUTTOCK_PAIN_V1, BUTTOCK_PAIN_V2
from assessments.models import Assessment, Measurement, RedFlagAlert, WorkingDiagnosis
from assessments.reasoning.buttock_pain import SOURCES
from clinic import services as clinic_services

pytestmark = pytest.mark.django_db

# An initial assessment is saved with every red-flag question answered yes or no.
NO_RED_FLAGS = {code: "no" for code in BUTTOCK_PAIN_V2.index if code.startswith("rf_")}

# Worked example 1 of the clinical spec (section 7), as the form posts it.
EXAMPLE_1 = {
    "pain_regions": ["ischial_tuberosity_right"],
    "pain_quality": "precise_localized",
    "pain_constancy": "constant",
    "aggravating": ["sitting", "lunging_squatting"],
    "sitting_tolerance_minutes": "20",
    "low_back_pain": "no",
    "tender_ischial_tuberosity": "yes",
    "test_puranen_orava": "positive",
    "test_modified_bent_knee_stretch": "positive",
    "test_slump": "negative",
    "nprs__nprs": "6",
    **NO_RED_FLAGS,
    "odi__odi_1": "3",
    "odi__odi_2": "1",
    "odi__odi_3": "2",
    "odi__odi_4": "1",
    "odi__odi_5": "4",
    "odi__odi_6": "2",
    "odi__odi_7": "1",
    "odi__odi_9": "2",
    "odi__odi_10": "0",
}


RED_FLAG_CODES = [code for code in BUTTOCK_PAIN_V2.index if code.startswith("rf_")]


def edit_url(visit):
    return reverse("assessments:assessment_edit", args=[visit.pk, "buttock_pain"])


def test_physio_records_the_assessment_and_scores_are_extracted(client_for, physio, visit):
    client = client_for(physio)
    assert client.get(edit_url(visit)).status_code == 200
    response = client.post(edit_url(visit), EXAMPLE_1 | {"action": "save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment = Assessment.objects.get(visit=visit)
    assert assessment.answers["pain_regions"] == ["ischial_tuberosity_right"]
    assert assessment.answers["sitting_tolerance_minutes"] == 20
    scores = {m.measure_code: m for m in Measurement.objects.filter(visit=visit)}
    assert scores["nprs"].value == 6
    assert scores["odi"].value == pytest.approx(35.6)  # 16/45, one section missing
    assert scores["odi"].missing_items == 1
    assert scores["odi"].patient_id == visit.episode.patient_id
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "Proximal hamstring tendinopathy" in page


def test_validation_error_keeps_every_other_answer(client_for, physio, visit):
    response = client_for(physio).post(
        edit_url(visit), EXAMPLE_1 | {"sitting_tolerance_minutes": "900", "action": "save"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "less than or equal to 600" in page
    assert not Assessment.objects.exists()
    form = response.context["form"]
    assert form.data.getlist("aggravating") == ["sitting", "lunging_squatting"]
    ticked = re.search(
        r'<input[^>]*name="pain_regions"[^>]*value="ischial_tuberosity_right"[^>]*>', page
    )
    assert ticked and "checked" in ticked.group()


def test_an_initial_assessment_is_saved_only_with_every_red_flag_answered(
    client_for, physio, visit
):
    client = client_for(physio)
    posted = EXAMPLE_1 | {
        "rf_bladder_bowel": "not_asked",
        "rf_trauma": "",
        "history_notes": "Sits all day at work",
        "action": "save",
    }
    response = client.post(edit_url(visit), posted)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Answer every red-flag question yes or no before saving the initial assessment" in page
    assert (
        "Not answered yet: New trouble passing urine or controlling the bladder or bowels "
        "(e.g. hesitancy, leaking, not feeling the need to go); A recent fall, accident or "
        "other injury."
    ) in page
    assert page.count("Answer yes or no before saving the assessment.") == 2
    assert not Assessment.objects.filter(status="saved").exists()
    # What was typed is all still in the form.
    form = response.context["form"]
    assert form.data["history_notes"] == "Sits all day at work"
    assert form.data.getlist("aggravating") == ["sitting", "lunging_squatting"]
    # Save draft keeps it as it is meanwhile.
    client.post(edit_url(visit), posted | {"action": "draft"})
    assert Assessment.objects.get().draft["rf_bladder_bowel"] == ["not_asked"]
    # Answered, it saves.
    saved = client.post(edit_url(visit), posted | {"rf_bladder_bowel": "no", "rf_trauma": "no"})
    assert saved.status_code == 302
    assert Assessment.objects.get().status == "saved"


def test_a_follow_up_keeps_its_rules_on_red_flags(client_for, physio, visit):
    from tests.factories import VisitFactory

    follow_up = VisitFactory(episode=visit.episode, practitioner=physio, kind="follow_up")
    response = client_for(physio).post(edit_url(follow_up), {"nprs__nprs": "4", "action": "save"})
    assert response.status_code == 302
    assert Assessment.objects.get(visit=follow_up).status == "saved"


def sign_url(visit):
    return reverse("clinic:visit_sign", args=[visit.pk])


def test_an_empty_assessment_is_never_signed(client_for, physio, visit):
    """All red flags "not asked", no measures, no note: confirming does not sign it."""
    from assessments import services

    services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={"sitting_tolerance_minutes": 20} | dict.fromkeys(NO_RED_FLAGS, "not_asked"),
    )
    client = client_for(physio)
    page = client.get(sign_url(visit)).content.decode()
    assert "<li>13 of 13 red-flag questions not answered yes or no.</li>" in page
    assert "<li>No outcome measures recorded.</li>" in page
    response = client.post(sign_url(visit), {"confirm_missing": "yes"}, follow=True)
    assert "The assessment records nothing yet" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "draft"
    with pytest.raises(host.ClinicError, match="records nothing yet"):
        clinic_services.visit_sign(visit=visit, user=physio)


def test_a_complete_visit_is_signed_without_a_list_to_confirm(client_for, physio, visit):
    from assessments import services
    from treatments import services as treatment_services

    client = client_for(physio)
    client.post(edit_url(visit), EXAMPLE_1 | {"action": "save"})
    treatment_services.visit_note_save(visit=visit, user=physio, subjective="Sits longer")
    treatment_services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}
    )
    page = client.get(sign_url(visit)).content.decode()
    # The step bar's diagnosis and plan are still to do: the list says so.
    assert "<li>No working diagnosis confirmed.</li>" in page
    assert "<li>No treatment plan.</li>" in page
    services.working_diagnosis_confirm(
        episode=visit.episode, user=physio, source_codes=["piriformis_syndrome"]
    )
    treatment_services.plan_save(
        episode=visit.episode,
        user=physio,
        planned_interventions=[],
        visit_interval_days=7,
        planned_visits=4,
        next_review_on=None,
        notes="",
        goals=[],
    )
    page = client.get(sign_url(visit)).content.decode()
    assert "Not recorded in this visit yet" not in page and "confirm_missing" not in page
    client.post(sign_url(visit))
    visit.refresh_from_db()
    assert visit.is_signed


def test_enter_in_a_field_keeps_a_draft_never_saves(client_for, physio, visit):
    """A browser submits an Enter in a field with the form's first submit button (HTML's
    implicit submission): that one keeps a draft; Save assessment only when it is pressed
    (the form's script also stops Enter from submitting at all)."""
    page = client_for(physio).get(edit_url(visit)).content.decode()
    form = page[page.index('id="assessment-form"') :]
    first_button = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group()
    assert 'value="draft"' in first_button
    assert 'value="save"' in re.findall(r"<button[^>]*type=\"submit\"[^>]*>", form)[1]


def test_draft_keeps_invalid_input_and_restores_it(client_for, physio, visit):
    client = client_for(physio)
    client.post(
        edit_url(visit),
        {"sitting_tolerance_minutes": "9999", "history_notes": "Phone rang", "action": "draft"},
    )
    assessment = Assessment.objects.get()
    assert assessment.draft["history_notes"] == ["Phone rang"]
    page = client.get(edit_url(visit))
    assert page.context["form"].initial["history_notes"] == "Phone rang"
    assert "Phone rang" in page.content.decode()


def test_red_flag_shows_the_referral_and_blocks_until_cleared(client_for, physio, visit):
    client = client_for(physio)
    client.post(
        edit_url(visit),
        NO_RED_FLAGS | {"rf_saddle_anaesthesia": "yes", "low_back_pain": "yes", "action": "save"},
    )
    alert = RedFlagAlert.objects.get()
    assert alert.outcome == "cauda_equina" and alert.items == ["rf_saddle_anaesthesia"]
    page = client.get(edit_url(visit)).content.decode()
    assert "Emergency: same-day referral" in page
    assert "Suggested:" not in page
    record = client.get(visit.episode.patient.get_absolute_url()).content.decode()
    assert "Record that it was cleared" in record
    clear_url = reverse("assessments:red_flag_clear", args=[alert.pk])
    response = client.post(clear_url, {"reason": ""})
    assert "Say why" in response.content.decode()
    client.post(clear_url, {"reason": "Same-day MRI: no compression."})
    alert.refresh_from_db()
    assert alert.cleared_by == physio and alert.is_cleared


def test_live_panel_updates_from_posted_findings(client_for, physio, visit):
    response = client_for(physio).post(
        reverse("assessments:reasoning_panel", args=[visit.pk, "buttock_pain"]),
        {"low_back_pain": "yes", "repeated_movements_centralization": "yes"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    panel = response.content.decode()
    first = panel.index('data-source="')
    assert panel[first:].startswith('data-source="lumbar_referred"')
    assert "<html" not in panel  # a fragment, swapped in without a reload


def _oob(fragment: str, element_id: str) -> str:
    """The inner HTML of an out-of-band piece of an htmx answer."""
    match = re.search(
        rf'<(div|span) id="{element_id}" hx-swap-oob="innerHTML">(.*?)</\1>\n', fragment, re.S
    )
    assert match, f"no out-of-band #{element_id}"
    return match.group(2).strip()


def test_the_live_panel_also_updates_the_tablet_bar_and_the_pinned_red_flag(
    client_for, physio, visit
):
    client = client_for(physio)
    url = reverse("assessments:reasoning_panel", args=[visit.pk, "buttock_pain"])
    panel = client.post(url, EXAMPLE_1, HTTP_HX_REQUEST="true").content.decode()
    summary = _oob(panel, "reasoning-bar-summary")
    assert re.fullmatch(
        r"\d+ likely sources?, most likely Proximal hamstring tendinopathy", summary
    )
    assert "Red flag" not in _oob(panel, "red-flag-pinned")

    findings = {"low_back_pain": "yes", "rf_saddle_anaesthesia": "yes"}
    panel = client.post(url, findings, HTTP_HX_REQUEST="true").content.decode()
    assert _oob(panel, "reasoning-bar-summary").startswith("Red flag: Emergency: same-day referral")
    pinned = _oob(panel, "red-flag-pinned")
    assert 'role="alert"' in pinned and "Emergency: same-day referral" in pinned
    assert "Likely sources of pain" not in pinned  # the red flag only, not the whole panel


def test_the_form_has_a_section_index_and_a_skip_link_at_each_section(client_for, physio, visit):
    page = client_for(physio).get(edit_url(visit)).content.decode()
    index = re.search(r'<nav [^>]*aria-label="Sections of the assessment">(.*?)</nav>', page, re.S)
    sections = re.findall(r'href="#section-(\w+)"', index.group(1))
    assert sections == [
        "history",
        "pain_location",
        "red_flags",
        "examination",
        "palpation_muscles",
        "outcome_measures",
    ]
    for code in sections:
        assert f'<fieldset id="section-{code}"' in page
    for code in sections[1:]:
        assert re.search(rf'<a class="section-skip[^"]*" href="#section-{code}">Skip to ', page)
    bar = re.search(r'<button type="button" class="reasoning-bar"[^>]*>', page).group(0)
    assert 'aria-expanded="false"' in bar and 'aria-controls="reasoning-sheet"' in bar
    assert 'id="reasoning-sheet"' in page


def test_working_diagnosis_is_confirmed_on_the_episode(client_for, physio, visit):
    client_for(physio).post(
        reverse("assessments:working_diagnosis_confirm", args=[visit.episode.pk]),
        {
            "source": ["proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"],
            "main": "proximal_hamstring_tendinopathy",
            "suggested": ["proximal_hamstring_tendinopathy"],
        },
    )
    rows = {row.source_code: row for row in WorkingDiagnosis.objects.all()}
    assert rows["proximal_hamstring_tendinopathy"].is_main
    assert rows["proximal_hamstring_tendinopathy"].verification == "provisional"
    assert rows["proximal_hamstring_tendinopathy"].was_suggested
    assert not rows["ischiogluteal_bursitis"].is_main
    assert rows["ischiogluteal_bursitis"].verification == "differential"


def test_the_main_diagnosis_is_the_one_marked_not_the_first_in_the_list(client_for, physio, visit):
    """Ticking Piriformis syndrome, then trigger points, saved trigger points as the main
    one: the form posts the ticked sources in list order, whatever order they were ticked."""
    client = client_for(physio)
    url = reverse("assessments:working_diagnosis_confirm", args=[visit.episode.pk])
    # Myofascial trigger points come before Piriformis syndrome in the list.
    assert list(SOURCES).index("myofascial_trigger_points") < list(SOURCES).index(
        "piriformis_syndrome"
    )
    client.post(
        url,
        {
            "source": ["myofascial_trigger_points", "piriformis_syndrome"],
            "main": "piriformis_syndrome",
        },
    )
    main = WorkingDiagnosis.objects.get(is_main=True)
    assert main.source_code == "piriformis_syndrome"
    assert WorkingDiagnosis.objects.get(source_code="myofascial_trigger_points").verification == (
        "differential"
    )
    page = client.get(visit.episode.patient.get_absolute_url()).content.decode()
    assert (
        "<strong>Piriformis syndrome</strong> (main), Myofascial trigger points (differential)"
        in (page)
    )
    # Changing the main one later: the former main stays, as a differential.
    client.post(
        url,
        {
            "source": ["myofascial_trigger_points", "piriformis_syndrome"],
            "main": "myofascial_trigger_points",
        },
    )
    rows = {row.source_code: row.is_main for row in WorkingDiagnosis.objects.all()}
    assert rows == {"myofascial_trigger_points": True, "piriformis_syndrome": False}


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        (
            {"source": ["myofascial_trigger_points", "piriformis_syndrome"]},
            "Mark which pain source is the main diagnosis",
        ),
        (
            {"source": ["myofascial_trigger_points"], "main": "piriformis_syndrome"},
            "Piriformis syndrome is marked as the main diagnosis but not ticked",
        ),
    ],
)
def test_a_working_diagnosis_without_one_main_among_the_ticked_is_refused(
    client_for, physio, visit, posted, error
):
    response = client_for(physio).post(
        reverse("assessments:working_diagnosis_confirm", args=[visit.episode.pk]), posted
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not WorkingDiagnosis.objects.exists()
    # What was ticked is still ticked.
    assert response.context["form"]["source"].value() == posted["source"]


def test_one_source_alone_is_the_main_diagnosis(client_for, physio, visit):
    client_for(physio).post(
        reverse("assessments:working_diagnosis_confirm", args=[visit.episode.pk]),
        {"source": ["sij"]},
    )
    assert WorkingDiagnosis.objects.get().is_main


def test_signing_freezes_the_assessment_with_its_suggestions(client_for, physio, visit):
    client = client_for(physio)
    client.post(edit_url(visit), EXAMPLE_1 | {"action": "save"})
    clinic_services.visit_sign(visit=visit, user=physio)
    assessment = Assessment.objects.get()
    assert assessment.is_signed
    assert assessment.signed_suggestions["sources"][0]["code"] == "proximal_hamstring_tendinopathy"
    page = client.get(edit_url(visit))
    assert b"Signed, read-only" in page.content
    assert client.post(edit_url(visit), EXAMPLE_1 | {"action": "save"}).status_code == 403


def test_signing_refused_while_a_draft_is_unsaved(physio, visit, client_for):
    client_for(physio).post(edit_url(visit), {"history_notes": "half", "action": "draft"})
    with pytest.raises(host.ClinicError, match="draft answers"):
        clinic_services.visit_sign(visit=visit, user=physio)


def test_second_save_from_a_stale_form_is_not_silent(client_for, physio, other_physio, visit):
    client = client_for(physio)
    client.post(edit_url(visit), EXAMPLE_1 | {"action": "save", "revision": ""})
    assessment = Assessment.objects.get()
    client.post(
        edit_url(visit), EXAMPLE_1 | {"action": "save", "revision": str(assessment.revision)}
    )
    # A colleague who took the visit over, on a form opened before that second save, is
    # told, not overwriting.
    clinic_services.visit_take_over(visit=visit, user=other_physio, reason="Priya is away")
    colleague = Client()
    colleague.force_login(other_physio)
    response = colleague.post(
        edit_url(visit),
        EXAMPLE_1 | {"nprs__nprs": "2", "action": "save", "revision": str(assessment.revision)},
    )
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.answers["nprs"] == {"nprs": 6}


def test_a_users_own_autosave_does_not_block_their_save(client_for, physio, visit):
    client = client_for(physio)
    client.post(edit_url(visit), EXAMPLE_1 | {"action": "save", "revision": ""})
    opened_at = Assessment.objects.get().revision
    autosave = reverse("assessments:assessment_autosave", args=[visit.pk, "buttock_pain"])
    client.post(autosave, EXAMPLE_1 | {"revision": str(opened_at)})
    response = client.post(
        edit_url(visit),
        EXAMPLE_1 | {"nprs__nprs": "3", "action": "save", "revision": str(opened_at)},
    )
    assert response.status_code == 302
    assert Assessment.objects.get().answers["nprs"] == {"nprs": 3}


def test_front_desk_cannot_open_assessments(client_for, front_desk, visit):
    assert client_for(front_desk).get(edit_url(visit)).status_code == 403


def test_viewing_an_assessment_is_audited(client_for, physio, visit):
    client = client_for(physio)
    client.post(edit_url(visit), EXAMPLE_1 | {"action": "save"})
    client.get(edit_url(visit))
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, content_type__model="assessment"
    ).exists()


def test_an_old_version_still_renders_after_a_new_one_is_registered(client_for, physio, visit):
    import dataclasses

    from assessments.buttock_pain import BUTTOCK_PAIN_V2
    from assessments.definitions import templates

    client = client_for(physio)
    client.post(edit_url(visit), EXAMPLE_1 | {"action": "save"})
    clinic_services.visit_sign(visit=visit, user=physio)
    version_3 = dataclasses.replace(
        BUTTOCK_PAIN_V2, version=3, sections=BUTTOCK_PAIN_V2.sections[:1]
    )
    with templates.temporarily(version_3):
        assert templates.get("buttock_pain").version == 3
        page = client.get(edit_url(visit)).content.decode()
    assert "version 2" in page
    assert "Ischial tuberosity, right" in page  # an answer from a section version 3 dropped


def test_the_body_chart_records_each_side_apart(client_for, physio, visit):
    client = client_for(physio)
    page = client.get(edit_url(visit)).content.decode()
    # Both views, each region of each side its own shape and its own checkbox.
    assert "Back (seen from behind)" in page and ">Front</figcaption>" in page
    assert page.count('data-value="deep_gluteal_piriformis_right"') == 1
    assert page.count('data-value="deep_gluteal_piriformis_left"') == 1
    assert page.count('data-value="groin_right"') == 1  # groin: the front view only
    assert page.count('data-value="leg_below_knee_left"') == 2  # shin and calf
    assert "Deep gluteal (piriformis), right" in page
    response = client.post(
        edit_url(visit),
        {"pain_regions": ["deep_gluteal_piriformis_right", "lumbar"], "action": "save"}
        | dict.fromkeys(RED_FLAG_CODES, "no"),
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(visit=visit)
    assert (assessment.template_version, assessment.answers["pain_regions"]) == (
        2,
        ["lumbar", "deep_gluteal_piriformis_right"],
    )
    # The reasoning reads the region, whichever side.
    visit_page = client.get(visit.get_absolute_url()).content.decode()
    assert "Piriformis" in visit_page
    assert "deep gluteal (piriformis) region" in visit_page


def test_an_assessment_begun_before_sides_were_recorded_keeps_its_version(
    client_for, physio, visit
):
    from assessments.buttock_pain import BUTTOCK_PAIN_V1
    from assessments.services import assessment_save, assessment_save_draft

    assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={"pain_side": "right", "pain_regions": ["deep_gluteal_piriformis"]},
    )
    client = client_for(physio)
    page = client.get(edit_url(visit)).content.decode()
    assert "version 1" in page
    # One value lights both sides: the side was recorded apart, under Side.
    assert page.count('data-value="deep_gluteal_piriformis"') == 2
    assert "records the regions without their side" in page
    ticked = re.search(r'<input[^>]*value="deep_gluteal_piriformis"[^>]*>', page)
    assert ticked and "checked" in ticked.group()
    panel = client.post(
        reverse("assessments:reasoning_panel", args=[visit.pk, "buttock_pain"]),
        {"pain_side": "right", "pain_regions": ["deep_gluteal_piriformis"]},
    ).content.decode()
    assert "Piriformis" in panel
    # A draft of it is kept, and saved, on version 1.
    assessment_save_draft(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        form_data={"pain_regions": ["deep_gluteal_piriformis", "groin"]},
    )
    response = client.post(
        edit_url(visit),
        {"pain_side": "left", "pain_regions": ["groin"], "action": "save", **NO_RED_FLAGS},
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(visit=visit)
    assert (assessment.template_version, assessment.answers) == (
        1,
        {"pain_side": "left", "pain_regions": ["groin"]} | NO_RED_FLAGS,
    )


def test_a_second_region_is_a_definition_only(client_for, physio, visit):
    from assessments.definitions import Item, ItemType, Section, Template, templates

    neck = Template(
        code="neck_pain",
        version=1,
        title="Neck pain",
        sections=(
            Section(
                "history",
                "History",
                (
                    Item("neck_stiffness", "Neck stiffness", ItemType.YES_NO),
                    Item("neck_nprs", "Neck pain", ItemType.MEASURE, measure="nprs"),
                ),
            ),
        ),
    )
    client = client_for(physio)
    url = reverse("assessments:assessment_edit", args=[visit.pk, "neck_pain"])
    with templates.temporarily(neck):
        assert (
            "Start the neck pain assessment"
            in client.get(visit.get_absolute_url()).content.decode()
        )
        response = client.post(
            url, {"neck_stiffness": "yes", "neck_nprs__nprs": "4", "action": "save"}
        )
        assert response.status_code == 302
        assessment = Assessment.objects.get(template_code="neck_pain")
        assert assessment.answers == {"neck_stiffness": "yes", "neck_nprs": {"nprs": 4}}
        assert Measurement.objects.get(assessment=assessment).value == 4
        page = client.get(url).content.decode()
        assert "Neck stiffness" in page


def test_questionnaire_is_served_as_fhir_json(client_for, physio):
    response = client_for(physio).get(
        reverse("assessments:questionnaire", args=["buttock_pain", 1])
    )
    assert response["Content-Type"] == "application/fhir+json"
    from fhir.resources.R4B.questionnaire import Questionnaire

    Questionnaire.model_validate(response.json())


def test_psfs_activities_carry_over_to_the_next_visit(client_for, physio, visit):
    from tests.factories import VisitFactory

    client = client_for(physio)
    client.post(
        edit_url(visit),
        NO_RED_FLAGS
        | {
            "psfs__psfs_1_activity": "Sitting through a film",
            "psfs__psfs_1": "3",
            "action": "save",
        },
    )
    clinic_services.visit_sign(visit=visit, user=physio)
    follow_up = VisitFactory(episode=visit.episode, practitioner=physio)
    form = client.get(edit_url(follow_up)).context["form"]
    assert form.initial["psfs__psfs_1_activity"] == "Sitting through a film"


def test_a_clinic_can_load_its_licensed_question_text(
    client_for, physio, visit, settings, tmp_path
):
    from assessments.forms import licensed_text

    path = tmp_path / "odi.json"
    path.write_text('{"odi_1": "LICENSED-TEXT-FOR-SECTION-1"}')
    settings.ASSESSMENT_LICENSED_TEXT = str(path)
    licensed_text.cache_clear()
    try:
        page = client_for(physio).get(edit_url(visit)).content.decode()
    finally:
        licensed_text.cache_clear()
    assert "LICENSED-TEXT-FOR-SECTION-1" in page


def test_no_copyrighted_question_text_is_shipped(client_for, physio, visit):
    page = client_for(physio).get(edit_url(visit)).content.decode()
    assert "Section 1: Pain intensity" in page
    assert "Item 20" in page


def test_the_questionnaires_show_their_sections_and_scales_in_words(client_for, physio, visit):
    page = client_for(physio).get(edit_url(visit)).content.decode()
    for number, title in enumerate(measures.ODI_SECTIONS, start=1):
        assert f"Section {number}: {title}" in page
    # The 0-5 and 0-4 ranges are on the page as answers, each said in words.
    assert "0 = no problem" in page and "5 = extreme" in page
    assert "0 = unable, or extreme difficulty" in page and "4 = no difficulty" in page
    for value in range(6):
        assert re.search(rf'<input type="radio" name="odi__odi_3" value="{value}"', page)
    assert not re.search(r'<input type="radio" name="odi__odi_3" value="6"', page)
    assert re.search(r'<input type="radio" name="lefs__lefs_20" value="4"', page)
    assert 'data-live-score="percent_of_maximum"' in page  # the live total's script reads it


def test_an_answer_chosen_on_the_scale_is_kept_after_a_validation_error(client_for, physio, visit):
    response = client_for(physio).post(
        edit_url(visit), EXAMPLE_1 | {"sitting_tolerance_minutes": "900", "action": "save"}
    )
    page = response.content.decode()
    chosen = re.search(r'<input type="radio" name="odi__odi_5" value="4"[^>]*>', page)
    assert chosen and "checked" in chosen.group()


LICENSED_PLACEHOLDER = {
    "odi_1": {
        "question": "PLACEHOLDER question of section 1",
        "answers": [f"PLACEHOLDER section 1 statement {n}" for n in range(6)],
    },
    "lefs": {"answers": [f"PLACEHOLDER LEFS answer {n}" for n in range(5)]},
    "lefs_1": "PLACEHOLDER LEFS question 1",
}


@pytest.fixture
def licensed_file(settings, tmp_path):
    from assessments.forms import licensed_text

    def load(content) -> None:
        path = tmp_path / "licensed.json"
        path.write_text(json.dumps(content))
        settings.ASSESSMENT_LICENSED_TEXT = str(path)
        licensed_text.cache_clear()

    yield load
    licensed_text.cache_clear()


def test_a_loaded_licensed_file_shows_the_full_questions_instead(
    client_for, physio, visit, licensed_file
):
    licensed_file(LICENSED_PLACEHOLDER)
    page = client_for(physio).get(edit_url(visit)).content.decode()
    assert "PLACEHOLDER question of section 1" in page
    assert "PLACEHOLDER section 1 statement 5" in page
    assert "PLACEHOLDER LEFS question 1" in page
    assert page.count("PLACEHOLDER LEFS answer 0") == 20  # every LEFS question
    assert "4 = no difficulty" not in page  # our LEFS words give way to the licensed ones
    assert "Section 2: Personal care" in page and "5 = extreme" in page  # ODI 2-10: ours


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"odi_11": "text"}, "'odi_11' is not a measure or a measure item"),
        ({"odi_1": {"answers": ["one", "two"]}}, "odi_1: give 6 answers"),
        ({"nprs": {"answers": ["none"]}}, "takes no answer text"),
    ],
)
def test_a_licensed_file_that_does_not_fit_says_where(
    client_for, physio, visit, licensed_file, content, message
):
    from django.core.exceptions import ImproperlyConfigured

    licensed_file(content)
    with pytest.raises(ImproperlyConfigured, match=message):
        client_for(physio).get(edit_url(visit))


def test_follow_up_measures_are_recorded_without_the_whole_assessment(client_for, physio, visit):
    from tests.factories import VisitFactory

    client = client_for(physio)
    client.post(edit_url(visit), EXAMPLE_1 | {"action": "save"})
    clinic_services.visit_sign(visit=visit, user=physio)
    follow_up = VisitFactory(episode=visit.episode, practitioner=physio)
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert "Start the follow-up measures assessment" in page
    url = reverse("assessments:assessment_edit", args=[follow_up.pk, "follow_up_measures"])
    form = client.get(url).content.decode()
    assert "Global Rating of Change" in form and "Sitting tolerance" not in form
    client.post(url, {"nprs__nprs": "3", "grc__grc": "4", "action": "save"})
    scores = dict(Measurement.objects.filter(visit=follow_up).values_list("measure_code", "value"))
    assert scores == {"nprs": 3, "grc": 4}


def test_the_reasoning_panel_is_only_beside_the_buttock_pain_form(client_for, physio, visit):
    url = reverse("assessments:assessment_edit", args=[visit.pk, "follow_up_measures"])
    page = client_for(physio).get(url).content.decode()
    reasoning_url = reverse("assessments:reasoning_panel", args=[visit.pk, "follow_up_measures"])
    assert "Likely sources of pain" not in page and reasoning_url not in page


def test_the_form_is_kept_as_a_draft_while_typing(client_for, physio, other_physio, visit):
    client = client_for(physio)
    url = reverse("assessments:assessment_autosave", args=[visit.pk, "buttock_pain"])
    page = client.get(edit_url(visit)).content.decode()
    assert url in page
    response = client.post(
        url, {"history_notes": "Phone rang mid-sentence", "revision": ""}, HTTP_HX_REQUEST="true"
    )
    assessment = Assessment.objects.get()
    assert assessment.draft["history_notes"] == ["Phone rang mid-sentence"]
    content = response.content.decode()
    assert (
        "Draft kept at" in content
        and f'value="{assessment.revision}" hx-swap-oob="true"' in content
    )
    # Another physio's tab is told the visit is Priya's rather than overwriting.
    stale = client_for(other_physio).post(
        url, {"history_notes": "other", "revision": "0"}, HTTP_HX_REQUEST="true"
    )
    assert "Draft not kept" in stale.content.decode() and "Priya Shah" in stale.content.decode()
    assessment.refresh_from_db()
    assert assessment.draft["history_notes"] == ["Phone rang mid-sentence"]


def test_the_diagnosis_list_puts_the_panels_suggestions_first_in_their_order():
    """A tester found the panel's most likely source sixth of nine where it is confirmed."""
    from assessments.templatetags.assessment_tags import diagnosis_choices

    ranked = ["piriformis_syndrome", "myofascial_trigger_points", "piriformis"]
    rows = diagnosis_choices(SOURCES, checked=[], suggested=ranked)["rows"]
    assert [row["code"] for row in rows[:3]] == ranked
    assert all(row["suggested"] for row in rows[:3])
    assert not any(row["suggested"] for row in rows[3:])
    assert sorted(row["code"] for row in rows) == sorted(SOURCES)
