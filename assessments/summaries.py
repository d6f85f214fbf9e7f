"""Per-episode summaries of the scores (``EpisodeMeasureSummary``): for each (episode,
measure) the baseline (first score in ``(scored_at, id)`` order), the latest (last score)
and the number of scores. The outcome report reads these instead of every Measurement.

Kept up to date three ways:

- **ORM writes of a Measurement** (save, delete): ``post_save`` / ``post_delete``
  receivers (connected in ``AssessmentsConfig.ready()``) refresh the episode's rows.
  Fixture loads (``raw``, as ``manage.py restore`` does) are skipped: a backup holds the
  summaries too.
- **The assessment save** (``services._extract_measurements``) deletes and bulk-inserts
  an assessment's scores inside ``refreshing(episode_id)``: the receivers' refreshes are
  gathered and the episode is refreshed once at the end (``bulk_create`` sends no
  signal).
- **Bulk loaders** that bypass the ORM's signals (``bulk_create``, COPY, raw SQL: the demo
  seeder, the benchmark) call ``rebuild_summaries(episode_ids)`` after their inserts;
  ``rebuild_summaries()`` recomputes every row (migration ``0003`` does this once).

A refresh is set-based, whatever the number of scores: on PostgreSQL it first takes a
transaction-level advisory lock on the episode, so two saves in one episode at the same
time (two visits' assessments) cannot each compute the summary without the other's
scores and leave the one that commits last wrong: the second waits for the first to
commit, then its recomputation (a new snapshot under READ COMMITTED) sees both. Then one
DELETE of the episode's rows and one INSERT ... SELECT with window functions.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from .host import data_restored
from .models import EpisodeMeasureSummary, Measurement

# pg_advisory_xact_lock(LOCK_CLASS, episode_id): the key space of these summaries' locks.
LOCK_CLASS = 0x45_4D_53  # "EMS"
# Episode ids per statement in a rebuild (below both databases' bound-parameter limits).
CHUNK = 5000

_pending: ContextVar[set[int] | None] = ContextVar("assessments_summaries_pending", default=None)


def _select_sql(where: str) -> str:
    """One row per (episode, measure) of the scores matching `where`, in the summary's
    columns. One window pass, in (episode, measure, scored_at, id) order: the index
    ``measurement_report_idx`` (migration 0002) gives that order without a sort."""
    measurement = Measurement._meta.db_table
    return f"""
        SELECT episode_id, measure_code, value, scored_at, latest, latest_at, scores_count
        FROM (
            SELECT episode_id, measure_code, value, scored_at,
                   ROW_NUMBER() OVER in_order AS position,
                   LAST_VALUE(value) OVER whole AS latest,
                   LAST_VALUE(scored_at) OVER whole AS latest_at,
                   COUNT(*) OVER whole AS scores_count
            FROM {measurement}
            WHERE {where}
            WINDOW in_order AS (PARTITION BY episode_id, measure_code ORDER BY scored_at, id),
                   whole AS (in_order ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ) ranked
        WHERE position = 1
    """


def _insert_sql(where: str) -> str:
    summary = EpisodeMeasureSummary._meta.db_table
    return (
        f"INSERT INTO {summary} (episode_id, measure_code, baseline, baseline_at, latest, "
        f"latest_at, scores_count) {_select_sql(where)}"
    )


def _lock(cursor, episode_ids: Iterable[int]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite runs one write transaction at a time
    for episode_id in sorted(set(episode_ids)):
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, episode_id])


def refresh_episode(episode_id: int) -> None:
    """Recompute one episode's summaries from its scores (three statements on
    PostgreSQL: the lock, a DELETE and an INSERT ... SELECT; two on SQLite)."""
    summary = EpisodeMeasureSummary._meta.db_table
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _lock(cursor, [episode_id])
        cursor.execute(f"DELETE FROM {summary} WHERE episode_id = %s", [episode_id])
        cursor.execute(_insert_sql("episode_id = %s"), [episode_id])


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


@transaction.atomic(savepoint=False)
def rebuild_summaries(episode_ids: Iterable[int] | None = None) -> None:
    """Recompute the summaries of these episodes (all episodes: None) from their scores,
    set-based: a DELETE and an INSERT ... SELECT per 5,000 episodes. For bulk loaders and
    migrations, which run alone (no lock is taken)."""
    summary = EpisodeMeasureSummary._meta.db_table
    with connection.cursor() as cursor:
        if episode_ids is None:
            cursor.execute(f"DELETE FROM {summary}")
            cursor.execute(_insert_sql("1 = 1"))
            return
        for chunk in _chunks(sorted(set(episode_ids))):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {summary} WHERE episode_id IN ({marks})", chunk)
            cursor.execute(_insert_sql(f"episode_id IN ({marks})"), chunk)


@contextmanager
def refreshing(*episode_ids: int) -> Iterator[None]:
    """Write scores in the block; the episodes given, and every episode whose scores the
    block saved or deleted through the ORM, are refreshed once at its end."""
    pending = _pending.get()
    if pending is not None:  # an enclosing block refreshes
        pending.update(episode_ids)
        yield
        return
    pending = set(episode_ids)
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for episode_id in sorted(pending):
        refresh_episode(episode_id)


def _changed(episode_id: int) -> None:
    pending = _pending.get()
    if pending is not None:
        pending.add(episode_id)
    else:
        refresh_episode(episode_id)


def measurement_saved(sender, instance: Measurement, raw: bool = False, **kwargs) -> None:
    if not raw:
        _changed(instance.episode_id)


def measurement_deleted(sender, instance: Measurement, **kwargs) -> None:
    _changed(instance.episode_id)


def connect() -> None:
    data_restored.connect(rebuilt_after_restore, dispatch_uid="assessments.summaries.restored")
    post_save.connect(
        measurement_saved,
        sender=Measurement,
        dispatch_uid="assessments.summaries.measurement_saved",
    )
    post_delete.connect(
        measurement_deleted,
        sender=Measurement,
        dispatch_uid="assessments.summaries.measurement_deleted",
    )


def rebuilt_after_restore(sender, **kwargs) -> None:
    """Receiver of assessments.host.data_restored: a backup from before this table existed
    restores with it empty; a newer one brought the rows as they were."""
    if not EpisodeMeasureSummary.objects.exists():
        rebuild_summaries()
