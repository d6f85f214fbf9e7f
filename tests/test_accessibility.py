"""Every page, for every role: one h1, no heading level skipped on the way down, and each
radio group a fieldset named by its legend.

Screen-reader users move through a page by its headings; an outline with two h1s or an h2
followed by an h4 reads as a page with a part missing. A radio group in a fieldset with a
legend is one stop for Tab, answered with the arrow keys, and announced with its question.
The walk is derived from the URL table of tests/test_permissions.py (each page each role
may open), so a new page is checked without anyone remembering to.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic import services as clinic_services
from tests import test_permissions
from tests.factories import VisitFactory
from tests.test_permissions import EXPECTATIONS, ROLES

pytestmark = pytest.mark.django_db

objects = test_permissions.objects  # the record every page of the URL table is shown with


class PageStructure(HTMLParser):
    """A page's headings (level and text, in document order) and its radio groups."""

    LEVELS = {f"h{level}": level for level in range(1, 7)}

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.unnamed_radios: list[str] = []
        self._heading: int | None = None
        self._text: list[str] = []
        # Each open fieldset: the text of its legend so far (None before any legend).
        self._fieldsets: list[list[str] | None] = []
        self._in_legend = False

    def handle_starttag(self, tag, attrs):
        if tag in self.LEVELS:
            self._heading, self._text = self.LEVELS[tag], []
        elif tag == "fieldset":
            self._fieldsets.append(None)
        elif tag == "legend" and self._fieldsets:
            self._fieldsets[-1] = []
            self._in_legend = True
        elif tag == "input" and dict(attrs).get("type") == "radio":
            legend = self._fieldsets[-1] if self._fieldsets else None
            if not legend or not "".join(legend).strip():
                self.unnamed_radios.append(dict(attrs).get("name") or "?")

    def handle_endtag(self, tag):
        if tag in self.LEVELS and self._heading is not None:
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None
        elif tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        elif tag == "legend":
            self._in_legend = False

    def handle_data(self, data):
        if self._heading is not None:
            self._text.append(data)
        if self._in_legend and self._fieldsets and self._fieldsets[-1] is not None:
            self._fieldsets[-1].append(data)


def outline_problems(html: str) -> list[str]:
    """What is wrong with a page's headings and radio groups (nothing when all is well)."""
    parser = PageStructure()
    parser.feed(html)
    headings = parser.headings
    problems = []
    h1s = [text for level, text in headings if level == 1]
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 headings: {h1s}")
    previous = 1
    for level, text in headings:
        if level > previous + 1:
            problems.append(f"h{level} {text!r} comes after an h{previous}")
        previous = level
    for name in dict.fromkeys(parser.unnamed_radios):
        problems.append(f"radio group {name!r} is not in a fieldset with a legend")
    return problems


def test_the_outline_check_finds_a_skipped_level_and_a_second_h1():
    assert outline_problems("<h1>Patients</h1><h2>Today</h2><h3>9am</h3><h2>Later</h2>") == []
    assert outline_problems("<h1>A</h1><h3>B</h3>") == ["h3 'B' comes after an h1"]
    assert outline_problems("<h2>A</h2>") == ["0 h1 headings: []"]
    assert outline_problems("<h1>A</h1><h1>B</h1>") == ["2 h1 headings: ['A', 'B']"]


def test_the_check_finds_a_radio_group_without_a_legend():
    radios = '<input type="radio" name="side" value="left"><input type="radio" name="side">'
    named = f"<h1>A</h1><fieldset><legend>Side</legend>{radios}</fieldset>"
    assert outline_problems(named) == []
    unnamed = [f"<h1>A</h1><fieldset>{radios}</fieldset>", f"<h1>A</h1>{radios}"]
    for html in unnamed:
        assert outline_problems(html) == ["radio group 'side' is not in a fieldset with a legend"]


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_every_page_has_one_h1_skips_no_heading_level_and_names_its_radio_groups(
    request, client, objects, other_physio, clinic_admin, front_desk, no_role_user, role
):
    client.force_login(request.getfixturevalue(role))
    wrong = {}
    for name, (kwargs, _expected) in EXPECTATIONS.items():
        response = client.get(reverse(name, kwargs=kwargs(objects)))
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if response.status_code not in (200, 403):
            continue
        problems = outline_problems(response.content.decode())
        if problems:
            wrong[name] = problems
    assert wrong == {}, f"as {role}: url -> problems"


@pytest.fixture
def signed_visit(objects, physio):
    """A signed follow-up with a score: its pages show the progress, the addenda and what
    the decision support showed at signing, which a draft's do not."""
    visit = VisitFactory(episode=objects["episode"], practitioner=physio, kind="follow_up")
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={"pain_side": "right", "nprs": {"nprs": 4}},
    )
    return clinic_services.visit_sign(visit=visit, user=physio)


@pytest.mark.parametrize("role", ["physio", "clinic_admin"])
def test_a_signed_visit_s_pages_skip_no_heading_level(
    request, client, objects, signed_visit, clinic_admin, role
):
    client.force_login(request.getfixturevalue(role))
    urls = [
        signed_visit.get_absolute_url(),
        reverse("assessments:assessment_edit", args=[signed_visit.pk, "buttock_pain"]),
        reverse("clinic:patient_detail", args=[objects["patient"].pk]),
        reverse("treatments:discharge_summary", args=[objects["episode"].pk]),
    ]
    wrong = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        problems = outline_problems(response.content.decode())
        if problems:
            wrong[url] = problems
    assert wrong == {}


def test_the_login_page_and_the_error_pages_have_one_h1(client):
    for url in (reverse("login"), reverse("password_reset")):
        assert outline_problems(client.get(url).content.decode()) == [], url
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert outline_problems(response.content.decode()) == []
