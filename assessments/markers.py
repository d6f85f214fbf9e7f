"""The red-flag marker that follows the patient: banner, home page, diary (issue 11).

A physio reads the flag and whether a referral was recorded; the front desk reads only
that the patient should see the physio before treatment, nothing clinical."""

from collections.abc import Collection

from django.db.models import Count, F

from .host import MarkerSource, PatientMarker, patient_markers
from .models import RedFlagAlert

FRONT_DESK_LABEL = "See the physio before treatment"


def _open_alerts():
    return RedFlagAlert.objects.filter(cleared_at__isnull=True)


def red_flag_markers(patient_ids: Collection[int]) -> dict[int, list[PatientMarker]]:
    """One query, whatever the number of patients."""
    alerts = (
        _open_alerts()
        .filter(episode__patient_id__in=patient_ids)
        .annotate(patient_id=F("episode__patient_id"), referrals_recorded=Count("referrals"))
        .order_by("raised_at", "id")
    )
    markers: dict[int, list[PatientMarker]] = {}
    for alert in alerts:
        referral = "referral recorded" if alert.referrals_recorded else "no referral recorded yet"
        markers.setdefault(alert.patient_id, []).append(
            PatientMarker(
                key="red_flag",
                label="Red flag",
                detail=f"{alert.get_outcome_display()} ({referral})",
                front_desk_label=FRONT_DESK_LABEL,
            )
        )
    return markers


def register() -> None:
    patient_markers.register(
        MarkerSource(
            key="red_flag",
            title="Patients with an open red flag",
            front_desk_title=FRONT_DESK_LABEL,
            of_patients=red_flag_markers,
            patients_marked=lambda: _open_alerts().values("episode__patient_id"),
        )
    )
