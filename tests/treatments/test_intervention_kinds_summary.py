"""The kinds of intervention per episode (treatments.summaries), which the outcome report
groups and filters by: kept by recording and removing interventions, rebuilt in one pass
for bulk loads; removed interventions do not count."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from tests.factories import EpisodeFactory, VisitFactory
from treatments import services, summaries
from treatments.kinds import defaults
from treatments.models import DeliveredIntervention, EpisodeInterventionKind

pytestmark = pytest.mark.django_db


def _kinds(episode=None) -> set[tuple[int, str]]:
    rows = EpisodeInterventionKind.objects.all()
    if episode is not None:
        rows = rows.filter(episode=episode)
    return set(rows.values_list("episode_id", "kind"))


def _expected() -> set[tuple[int, str]]:
    return set(
        DeliveredIntervention.objects.filter(removed_at__isnull=True).values_list(
            "visit__episode_id", "kind"
        )
    )


def _record(visit, physio, kind):
    return services.intervention_record(
        visit=visit, user=physio, kind_code=kind, params=defaults(kind)
    )


def test_recording_and_removing_keep_the_episode_kinds(episode, physio):
    first = VisitFactory(episode=episode, practitioner=physio)
    second = VisitFactory(episode=episode, practitioner=physio)
    stretching = _record(first, physio, "stretching")
    assert _kinds(episode) == {(episode.pk, "stretching")}
    again = _record(second, physio, "stretching")
    education = _record(second, physio, "education")
    assert _kinds(episode) == {(episode.pk, "stretching"), (episode.pk, "education")}
    # Changing one (its parameters) leaves the kinds as they are.
    services.intervention_record(
        visit=second,
        user=physio,
        kind_code="education",
        params=defaults("education"),
        notes="Leaflet given",
        intervention=education,
    )
    assert EpisodeInterventionKind.objects.filter(episode=episode).count() == 2
    # One of two stretchings removed: the episode still had stretching.
    services.intervention_remove(intervention=stretching, user=physio)
    assert _kinds(episode) == {(episode.pk, "stretching"), (episode.pk, "education")}
    services.intervention_remove(intervention=again, user=physio)
    assert _kinds(episode) == {(episode.pk, "education")}
    assert _kinds() == _expected()


def test_other_episodes_are_left_alone(physio):
    one, two = EpisodeFactory(physio=physio), EpisodeFactory(physio=physio)
    _record(VisitFactory(episode=one, practitioner=physio), physio, "stretching")
    removed = _record(VisitFactory(episode=two, practitioner=physio), physio, "stretching")
    services.intervention_remove(intervention=removed, user=physio)
    assert _kinds() == {(one.pk, "stretching")}


def test_an_intervention_saved_removed_does_not_count(visit, physio):
    DeliveredIntervention.objects.create(
        visit=visit, kind="education", recorded_by=physio, removed_at=visit.starts_at
    )
    assert _kinds() == set()


def test_rebuild_after_a_bulk_load(physio):
    episodes = [EpisodeFactory(physio=physio) for _ in range(3)]
    visits = [VisitFactory(episode=episode, practitioner=physio) for episode in episodes]
    DeliveredIntervention.objects.bulk_create(
        [
            DeliveredIntervention(visit=visits[0], kind="stretching", recorded_by=physio),
            DeliveredIntervention(visit=visits[0], kind="stretching", recorded_by=physio),
            DeliveredIntervention(visit=visits[1], kind="education", recorded_by=physio),
            DeliveredIntervention(
                visit=visits[1],
                kind="dry_needling",
                recorded_by=physio,
                removed_at=visits[1].starts_at,
            ),
            DeliveredIntervention(visit=visits[2], kind="core_stability", recorded_by=physio),
        ]
    )
    assert _kinds() == set()  # bulk_create sends no signal
    summaries.rebuild_intervention_kinds([episodes[0].pk, episodes[1].pk])
    assert _kinds() == {(episodes[0].pk, "stretching"), (episodes[1].pk, "education")}
    summaries.rebuild_intervention_kinds()
    assert _kinds() == _expected()
    assert len(_kinds()) == 3


def test_migration_fills_the_kinds_of_existing_interventions(visit, physio):
    migration = importlib.import_module("treatments.migrations.0002_episode_intervention_kind")
    DeliveredIntervention.objects.bulk_create(
        [
            DeliveredIntervention(visit=visit, kind="stretching", recorded_by=physio),
            DeliveredIntervention(
                visit=visit, kind="education", recorded_by=physio, removed_at=visit.starts_at
            ),
        ]
    )

    class Editor:
        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.populate(apps, Editor())
    assert _kinds() == _expected() == {(visit.episode_id, "stretching")}
