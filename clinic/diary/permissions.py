"""Who may do what in the diary, beyond the permission each view requires
(`assessments.access.require`): the front desk runs the diary but reads nothing clinical."""

from django.core.exceptions import PermissionDenied

from ..models import Appointment, AppointmentStatus
from ..selectors import physiotherapists


def may_backfill(user) -> bool:
    """Book or move an appointment into the past (the Clinic admin, catching up)."""
    return user.has_perm("clinic.backfill_appointment")


def may_read_clinical(user) -> bool:
    """See an appointment's episode (its complaint), not only its physio."""
    return user.has_perm("clinic.view_clinical_record")


def may_start_visit(user, appointment: Appointment) -> bool:
    return (
        appointment.status == AppointmentStatus.ARRIVED
        and not appointment.visit_id
        and user.has_perm("clinic.add_visit")
        and may_read_clinical(user)
    )


def require_own_diary(user) -> None:
    """Calendar feeds are for physios' own diaries."""
    if not physiotherapists().filter(pk=user.pk).exists():
        raise PermissionDenied("Calendar feeds are for physios' own diaries.")
