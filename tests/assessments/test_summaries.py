"""Per-episode score summaries (assessments.summaries): kept right by the assessment save,
by any ORM save or delete of a score, and rebuilt in one pass for bulk loads."""

import datetime
import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services, summaries
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.models import EpisodeMeasureSummary, Measurement
from tests.factories import EpisodeFactory, VisitFactory

START = timezone.make_aware(datetime.datetime(2025, 3, 3, 9, 0))


def _visit(episode, physio, week: int):
    return VisitFactory(
        episode=episode, practitioner=physio, starts_at=START + datetime.timedelta(weeks=week)
    )


def _score(visit, code: str, value: float, *, scored_at=None) -> Measurement:
    return Measurement(
        patient_id=visit.episode.patient_id,
        episode_id=visit.episode_id,
        visit=visit,
        measure_code=code,
        value=value,
        unit="points",
        scoring_version="1",
        scored_at=scored_at or visit.starts_at,
    )


def _summaries(episode=None) -> dict:
    rows = EpisodeMeasureSummary.objects.all()
    if episode is not None:
        rows = rows.filter(episode=episode)
    return {
        (row.episode_id, row.measure_code): (row.baseline, row.latest, row.scores_count)
        for row in rows
    }


def _expected(episode=None) -> dict:
    """The summaries worked out in Python from the Measurement rows."""
    scores = Measurement.objects.order_by("scored_at", "id")
    if episode is not None:
        scores = scores.filter(episode=episode)
    by_pair: dict = {}
    for score in scores:
        by_pair.setdefault((score.episode_id, score.measure_code), []).append(score.value)
    return {pair: (values[0], values[-1], len(values)) for pair, values in by_pair.items()}


def _save(visit, physio, nprs: int, **answers):
    return services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={"nprs": {"nprs": nprs}, **answers},
    )


@pytest.mark.django_db
def test_assessment_saves_keep_baseline_latest_and_count(episode, physio):
    first, second, third = (_visit(episode, physio, week) for week in (0, 1, 2))
    _save(second, physio, 6)
    assert _summaries(episode) == {(episode.pk, "nprs"): (6, 6, 1)}
    _save(first, physio, 8)  # an earlier visit, recorded later, becomes the baseline
    _save(third, physio, 3)
    assert _summaries(episode) == {(episode.pk, "nprs"): (8, 3, 3)}
    _save(third, physio, 4)  # saved again: replaced, not added
    assert _summaries(episode) == {(episode.pk, "nprs"): (8, 4, 3)}
    assert _summaries(episode) == _expected(episode)


@pytest.mark.django_db
def test_assessment_save_refreshes_the_episode_once(episode, physio):
    visit = _visit(episode, physio, 0)
    _save(visit, physio, 7, odi={f"odi_{n}": 2 for n in range(1, 11)})
    with CaptureQueriesContext(connection) as queries:
        _save(visit, physio, 5, odi={f"odi_{n}": 1 for n in range(1, 11)})
    table = EpisodeMeasureSummary._meta.db_table
    deletes = [q for q in queries.captured_queries if f"DELETE FROM {table}" in q["sql"]]
    assert len(deletes) == 1  # two scores deleted and re-inserted, one refresh
    assert _summaries(episode) == _expected(episode)
    assert _summaries(episode)[(episode.pk, "odi")][2] == 1


@pytest.mark.django_db
def test_orm_saves_and_deletes_of_a_score_refresh(episode, physio):
    first, second = _visit(episode, physio, 0), _visit(episode, physio, 1)
    _score(first, "lefs", 40).save()
    later = _score(second, "lefs", 49)
    later.save()
    assert _summaries(episode) == {(episode.pk, "lefs"): (40, 49, 2)}
    later.value = 52
    later.save()
    assert _summaries(episode) == {(episode.pk, "lefs"): (40, 52, 2)}
    later.delete()
    assert _summaries(episode) == {(episode.pk, "lefs"): (40, 40, 1)}
    Measurement.objects.filter(episode=episode).delete()
    assert _summaries(episode) == {}


@pytest.mark.django_db
def test_same_time_scores_are_ordered_by_id(episode, physio):
    visit, other = _visit(episode, physio, 0), _visit(episode, physio, 1)
    _score(visit, "psfs", 3.0).save()
    _score(other, "psfs", 5.5, scored_at=visit.starts_at).save()  # same time, later id
    assert _summaries(episode) == {(episode.pk, "psfs"): (3.0, 5.5, 2)}


@pytest.mark.django_db
def test_rebuild_after_a_bulk_load(physio):
    episodes = [EpisodeFactory(physio=physio) for _ in range(3)]
    rows = []
    for number, episode in enumerate(episodes):
        for week in range(3):
            visit = _visit(episode, physio, week)
            rows += [_score(visit, "nprs", 8 - week - number), _score(visit, "odi", 30 - week)]
    Measurement.objects.bulk_create(rows)  # no signal
    assert _summaries() == {}
    summaries.rebuild_summaries([episode.pk for episode in episodes[:2]])
    assert _summaries() == {
        pair: value for pair, value in _expected().items() if pair[0] != episodes[2].pk
    }
    summaries.rebuild_summaries()  # every episode
    assert _summaries() == _expected()
    assert len(_summaries()) == 6


@pytest.mark.django_db
def test_rebuild_corrects_stale_rows_and_drops_orphans(episode, physio):
    visit = _visit(episode, physio, 0)
    _score(visit, "nprs", 5).save()
    EpisodeMeasureSummary.objects.filter(episode=episode).update(latest=99, scores_count=7)
    EpisodeMeasureSummary.objects.create(
        episode=episode,
        measure_code="lefs",
        baseline=1,
        baseline_at=START,
        latest=2,
        latest_at=START,
        scores_count=2,
    )
    summaries.rebuild_summaries([episode.pk])
    assert _summaries() == {(episode.pk, "nprs"): (5, 5, 1)}


@pytest.mark.django_db
def test_rebuild_in_chunks(monkeypatch, physio):
    monkeypatch.setattr(summaries, "CHUNK", 2)
    episodes = [EpisodeFactory(physio=physio) for _ in range(5)]
    Measurement.objects.bulk_create(
        _score(_visit(episode, physio, 0), "nprs", number)
        for number, episode in enumerate(episodes)
    )
    summaries.rebuild_summaries(episode.pk for episode in episodes)
    assert _summaries() == _expected()


@pytest.mark.django_db
def test_migration_fills_the_summaries_of_existing_scores(episode, physio):
    """The data step of migration 0003 (its own copy of the SQL)."""
    migration = importlib.import_module("assessments.migrations.0003_episode_measure_summary")
    first, second = _visit(episode, physio, 0), _visit(episode, physio, 1)
    Measurement.objects.bulk_create(
        [_score(first, "nprs", 7), _score(second, "nprs", 4), _score(first, "odi", 40)]
    )

    class Editor:
        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.populate(apps, Editor())
    assert (
        _summaries()
        == _expected()
        == {
            (episode.pk, "nprs"): (7, 4, 2),
            (episode.pk, "odi"): (40, 40, 1),
        }
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_in_one_episode_at_once_both_count(episode, physio, migrated_data_restored):
    """Two transactions each add a score to the same episode. The second waits on the
    episode's advisory lock until the first commits, then recomputes with both scores;
    without the lock it would not see the first's score (or collide with its row)."""
    first, second = _visit(episode, physio, 0), _visit(episode, physio, 1)
    first_saved, second_saving = threading.Event(), threading.Event()
    errors = []

    def in_thread(visit, value, *, before_save=None, before_commit=None):
        try:
            with transaction.atomic():
                if before_save:
                    before_save()
                _score(visit, "nprs", value).save()
                if before_commit:
                    before_commit()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def commit_once_the_second_waits():
        first_saved.set()
        second_saving.wait(5)
        threading.Event().wait(0.5)  # the second is now waiting for the lock

    one = threading.Thread(
        target=in_thread, args=(first, 8), kwargs={"before_commit": commit_once_the_second_waits}
    )
    one.start()
    assert first_saved.wait(5)
    two = threading.Thread(
        target=in_thread, args=(second, 3), kwargs={"before_save": second_saving.set}
    )
    two.start()
    one.join(10)
    two.join(10)
    assert not errors
    assert _summaries(episode) == {(episode.pk, "nprs"): (8, 3, 2)}
