"""Carebook's writes that the plugin hears about."""

from django.db import transaction
from django.utils import timezone

from assessments.host import SignedRecordError, visit_signing

from .models import Session


def session_sign(*, session: Session, user) -> Session:
    """Sign the session: the plugin freezes its records first (`visit_signing`, inside
    this transaction; a receiver raising refuses the signature)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.is_signed:
            raise SignedRecordError("This session is already signed.")
        visit_signing.send(sender=Session, visit=session, user=user)
        session.signed_at = timezone.now()
        session.signed_by = user
        session.save(update_fields=["signed_at", "signed_by"])
    return session
