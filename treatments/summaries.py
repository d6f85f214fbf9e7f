"""Which kinds of intervention each episode has had (``EpisodeInterventionKind``): one row
per (episode, kind) with at least one intervention of that kind not removed. The outcome
report groups and filters episodes by kind from these rows instead of every
intervention.

Kept up to date like ``assessments.summaries``:

- **ORM saves of a DeliveredIntervention** (recording one, changing it, marking it
  removed: ``treatments.services``): a ``post_save`` receiver (connected in
  ``TreatmentsConfig.ready()``) refreshes the episode's rows. Interventions are never
  deleted (``treatments.guards``). Fixture loads (``raw``) are skipped: a backup holds
  these rows too.
- **Bulk loaders** (``bulk_create``, COPY: the demo seeder, the benchmark) call
  ``rebuild_intervention_kinds(episode_ids)`` after their inserts; without ids it
  recomputes every row (migration ``0002`` does this once).

A refresh takes a transaction-level advisory lock on the episode (PostgreSQL), so that a
removal and a recording of the same kind at the same time cannot leave the pair missing,
then one DELETE and one INSERT ... SELECT DISTINCT.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.signals import post_save

from assessments import host
from assessments.host import data_restored

from .models import DeliveredIntervention, EpisodeInterventionKind

# pg_advisory_xact_lock(LOCK_CLASS, episode_id): the key space of these rows' locks.
LOCK_CLASS = 0x45_49_4B  # "EIK"
CHUNK = 5000


def _insert_sql(where: str) -> str:
    kinds = EpisodeInterventionKind._meta.db_table
    intervention = DeliveredIntervention._meta.db_table
    visit = host.get_visit_model()._meta.db_table
    return f"""
        INSERT INTO {kinds} (episode_id, kind)
        SELECT DISTINCT v.episode_id, i.kind
        FROM {intervention} i JOIN {visit} v ON v.id = i.visit_id
        WHERE i.removed_at IS NULL AND {where}
    """


def refresh_episode(episode_id: int) -> None:
    """Recompute one episode's kinds (the lock on PostgreSQL, a DELETE, an INSERT)."""
    kinds = EpisodeInterventionKind._meta.db_table
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, episode_id])
        cursor.execute(f"DELETE FROM {kinds} WHERE episode_id = %s", [episode_id])
        cursor.execute(_insert_sql("v.episode_id = %s"), [episode_id])


@transaction.atomic(savepoint=False)
def rebuild_intervention_kinds(episode_ids: Iterable[int] | None = None) -> None:
    """Recompute the kinds of these episodes (all: None), set-based, per 5,000 episodes.
    For bulk loaders and migrations, which run alone (no lock is taken)."""
    kinds = EpisodeInterventionKind._meta.db_table
    with connection.cursor() as cursor:
        if episode_ids is None:
            cursor.execute(f"DELETE FROM {kinds}")
            cursor.execute(_insert_sql("1 = 1"))
            return
        ids = sorted(set(episode_ids))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {kinds} WHERE episode_id IN ({marks})", chunk)
            cursor.execute(_insert_sql(f"v.episode_id IN ({marks})"), chunk)


def intervention_saved(
    sender, instance: DeliveredIntervention, raw: bool = False, **kwargs
) -> None:
    if not raw:
        refresh_episode(instance.visit.episode_id)


def connect() -> None:
    data_restored.connect(rebuilt_after_restore, dispatch_uid="treatments.summaries.restored")
    post_save.connect(
        intervention_saved,
        sender=DeliveredIntervention,
        dispatch_uid="treatments.summaries.intervention_saved",
    )


def rebuilt_after_restore(sender, **kwargs) -> None:
    """Receiver of assessments.host.data_restored: a backup from before this table existed
    restores with it empty; a newer one brought the rows as they were."""
    if not EpisodeInterventionKind.objects.exists():
        rebuild_intervention_kinds()
