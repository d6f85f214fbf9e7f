"""What was done in a signed visit never changes; treatment records are never deleted
(see assessments.record_guards, which these receivers build on). Adverse events may still be added
to an intervention of a signed visit: an addition, not a change. The database refuses the
same (assessments.triggers)."""

from django.db.models.signals import pre_save

from assessments import triggers
from assessments.record_guards import (
    guards_of_visit_records,
    refuse_delete_of,
    refuse_if_visit_signed,
)

from .models import (
    AdverseEvent,
    Consent,
    ContraindicationScreen,
    DeliveredIntervention,
    TreatmentPlan,
    VisitNote,
)


def protect_signed_intervention(
    sender, instance: DeliveredIntervention, raw: bool = False, **kwargs
) -> None:
    if not raw:
        refuse_if_visit_signed(instance, what="its interventions")


def protect_signed_note(sender, instance: VisitNote, raw: bool = False, **kwargs) -> None:
    if not raw:
        refuse_if_visit_signed(instance, what="its note")


def database_guards() -> list[triggers.Guard]:
    return [
        *guards_of_visit_records(DeliveredIntervention, records="its interventions"),
        *guards_of_visit_records(VisitNote, records="its SOAP note"),
    ]


def connect() -> None:
    triggers.database_guards.register(*database_guards())
    pre_save.connect(
        protect_signed_intervention,
        sender=DeliveredIntervention,
        dispatch_uid="treatments.guards.protect_signed_intervention",
    )
    pre_save.connect(
        protect_signed_note,
        sender=VisitNote,
        dispatch_uid="treatments.guards.protect_signed_note",
    )
    refuse_delete_of(
        DeliveredIntervention,
        VisitNote,
        AdverseEvent,
        Consent,
        ContraindicationScreen,
        TreatmentPlan,
        app="treatments",
    )
