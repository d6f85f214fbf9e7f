"""What a host offers the plugin to plug into, re-exported by the contract (`assessments.host`).

The host renders its patient record and visit pages from sections that installed apps
register; it never imports the apps that provide them. Each app registers its sections in
`AppConfig.ready()`; the host renders them in order for users whose role allows them:

    from assessments.host import RecordSection, record_sections
    record_sections.register(RecordSection(key="progress", title="Progress", order=40,
                                           template="treatments/record_progress.html",
                                           permission="treatments.read_treatment",
                                           context=progress_context))

`context(request, patient)` returns the section's template context and must run a fixed
number of queries whatever the size of the record.

A visit section that holds the visit's written note (the treatments app's SOAP note) sets
`replaces_notes=True`: the visit page then drops the clinic's plain "Clinical notes" box,
so the physio writes in one place. A visit that already has plain notes keeps the box.

The patient record lists each visit with a line of its note. An app that holds the note
registers where the line comes from, one query for all the record's visits:

    visit_summaries.register(SummarySource(
        key="soap_note", lines=lambda visit_ids: {visit_id: "Pain 3/10, improving.", ...}
    ))

A visit is worked through in steps (assessment, diagnosis, treatment, note, plan, sign):
each app registers the steps it holds, with how far the visit is, and the step bar on the
visit page and on each step's own page shows them all, the next one to do first:

    visit_steps.register(VisitStep(key="note", title="SOAP note", order=40,
                                   progress=lambda visit: StepProgress(done=..., missing=...,
                                                                       url=...)))
A warning that should follow the patient wherever they are named (the patient banner,
the home page, the diary) is a patient marker. An app registers where its markers come
from, one query for any number of patients, and the patients that have one:

    patient_markers.register(MarkerSource(
        key="red_flag",
        title="Patients with an open red flag",
        front_desk_title="See the physio before treatment",
        of_patients=lambda patient_ids: {patient_id: [PatientMarker(...)], ...},
        patients_marked=lambda: Alert.objects.open().values("episode__patient_id"),
    ))

A marker's label and detail are clinical: whoever may not read the clinical record
(the front desk) is shown its `front_desk_label` only.
"""

import random
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .registry import Registry


@dataclass(frozen=True)
class RecordSection:
    key: str
    title: str
    template: str
    order: int = 100
    permission: str | None = None
    context: Callable[..., dict[str, Any]] = field(default=lambda request, patient: {})
    replaces_notes: bool = False

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_perm(self.permission)


@dataclass(frozen=True)
class StepProgress:
    """How far a visit is with one step: `missing` says what is still to do, in the
    physio's words; `url` is where the step is done."""

    done: bool
    url: str
    missing: str = ""


@dataclass(frozen=True)
class VisitStep:
    key: str
    title: str
    progress: Callable[[Any], StepProgress]
    order: int = 100
    permission: str | None = "assessments.record_assessment"

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_perm(self.permission)


class RecordSectionRegistry(Registry[RecordSection]):
    what = "record section"

    def sort_key(self, section: RecordSection) -> tuple[int, str]:
        return (section.order, section.key)

    def visible_to(self, user) -> list[RecordSection]:
        return [section for section in self if section.visible_to(user)]

    def replace_notes(self, sections: Iterable[RecordSection] | None = None) -> bool:
        """Whether a section (of `sections`, else of all) holds the visit's note in place
        of the plain notes box."""
        return any(section.replaces_notes for section in (self if sections is None else sections))


record_sections = RecordSectionRegistry()
# The visit page is composed the same way: `context(request, visit)`.
visit_sections = RecordSectionRegistry(what="visit section")
# The steps of a visit, in order (the module's docstring).
visit_steps = RecordSectionRegistry(what="visit step")


@dataclass(frozen=True)
class SummarySource:
    """Where visits' one-line gists come from: `lines(visit_ids)` -> {visit id: its line}."""

    key: str
    lines: Callable[[Sequence[int]], dict[int, str]]


class VisitSummaries(Registry[SummarySource]):
    """Where the one-line gist of each visit comes from (see the module's docstring)."""

    what = "visit summary source"

    def for_visits(self, visits: Sequence) -> dict[int, str]:
        """{visit id: its line}: the plain notes where written, else a registered note."""
        lines: dict[int, str] = {}
        ids = [visit.pk for visit in visits if not visit.notes]
        if ids:
            for source in self:
                lines.update({pk: text for pk, text in source.lines(ids).items() if text})
        lines.update({visit.pk: visit.notes for visit in visits if visit.notes})
        return lines


visit_summaries = VisitSummaries()


CLINICAL_RECORD_PERMISSION = "assessments.read_assessment"


@dataclass(frozen=True)
class PatientMarker:
    """A warning about the patient. `label` ("Red flag") and `detail` ("Possible cauda
    equina syndrome") are clinical; `front_desk_label` is all anyone else reads."""

    key: str
    label: str
    front_desk_label: str
    detail: str = ""

    def shown_to(self, user) -> "PatientMarker":
        if user.has_perm(CLINICAL_RECORD_PERMISSION):
            return self
        return PatientMarker(key=self.key, label=self.front_desk_label, front_desk_label="")


@dataclass(frozen=True)
class MarkerSource:
    key: str
    # The home page's list of the patients marked, as each reader may read it.
    title: str
    front_desk_title: str
    # {patient id: markers} for those patients, in one query.
    of_patients: Callable[[Collection[int]], dict[int, list[PatientMarker]]]
    # The ids of every patient with a marker, as a queryset of values (a subquery).
    patients_marked: Callable[[], Any]


class PatientMarkers(Registry[MarkerSource]):
    """Where patient markers come from (see the module's docstring)."""

    what = "patient marker source"

    def for_patients(self, patient_ids: Collection[int], *, user) -> dict[int, list[PatientMarker]]:
        """{patient id: the markers as `user` may read them}; one query per source."""
        shown: dict[int, list[PatientMarker]] = {}
        ids = set(patient_ids)
        if not ids:
            return shown
        for source in self:
            for patient_id, markers in source.of_patients(ids).items():
                shown.setdefault(patient_id, []).extend(m.shown_to(user) for m in markers)
        return shown


patient_markers = PatientMarkers()


class DemoContext(Protocol):
    """What a demo seeder is given by the host's demo (ours: `clinic.seeding.DemoContext`)."""

    rng: random.Random  # every random choice, so a given seed gives the same clinic
    episode_ids: list[int]
    visit_ids: list[int]
    visit_notes: dict[int, str]  # {visit id: its plain note}, which a seeder may take over
    visit_pain: dict[int, int]  # {visit id: the pain (0-10) the demo gave it}

    def in_batches(self, queryset: Any, ids: Sequence[int]) -> Iterator[list[Any]]: ...
    def bulk_create(self, model: type, rows: Iterable[Any], **kwargs) -> Any: ...


@dataclass(frozen=True)
class DemoSeeder:
    """Demo rows an app adds to the host's demo clinic (`manage.py seed_demo` in ours):
    `function(context)` runs after the host's own patients, episodes and visits, in
    `order`, inside the same transaction; `context` is the host's (ours:
    `clinic.seeding.DemoContext`)."""

    name: str
    function: Callable[[DemoContext], object]
    order: int = 100


class DemoSeederRegistry(Registry[DemoSeeder]):
    what = "demo seeder"

    def key_of(self, seeder: DemoSeeder) -> str:
        return seeder.name

    def sort_key(self, seeder: DemoSeeder) -> tuple[int, str]:
        return (seeder.order, seeder.name)


demo_seeders = DemoSeederRegistry()


@dataclass(frozen=True)
class BackedUpApp:
    """An installed app whose every table is in the host's backup (ours: `manage.py backup`)."""

    label: str
    order: int  # lower loads first: an app's rows after those of the apps it points at


class BackedUpAppRegistry(Registry[BackedUpApp]):
    what = "backed-up app"

    def key_of(self, entry: BackedUpApp) -> str:
        return entry.label

    def sort_key(self, entry: BackedUpApp) -> int:
        return entry.order


backed_up_apps = BackedUpAppRegistry()
