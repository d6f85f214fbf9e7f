from datetime import date

from django.db import models
from django.db.models import Q


class PatientQuerySet(models.QuerySet):
    def active(self) -> "PatientQuerySet":
        """Patients not archived: the ones lists, searches and the diary offer."""
        return self.filter(archived_at__isnull=True)

    def archived(self) -> "PatientQuerySet":
        return self.filter(archived_at__isnull=False)

    def search(self, query: str) -> "PatientQuerySet":
        """Match a clinic number, a date of birth (dd/mm/yyyy or ISO) or name words."""
        # Requests come without NUL (clinic.middleware); other callers may not, and
        # PostgreSQL refuses one in a query parameter.
        query = query.replace("\x00", "").strip()
        if not query:
            return self
        born = _parse_date(query)
        if born is not None:
            return self.filter(date_of_birth=born)
        if self.filter(identifier__iexact=query).exists():
            return self.filter(identifier__iexact=query)
        matches = Q()
        for word in query.split():
            matches &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
        return self.filter(matches | Q(identifier__icontains=query))

    def same_person(self, *, given_name: str, family_name: str, date_of_birth: date):
        return self.filter(
            given_name__iexact=given_name.strip(),
            family_name__iexact=family_name.strip(),
            date_of_birth=date_of_birth,
        )


class EpisodeQuerySet(models.QuerySet):
    def open(self) -> "EpisodeQuerySet":
        return self.filter(status="open")

    def for_physio(self, user) -> "EpisodeQuerySet":
        return self.filter(physio=user)


class VisitQuerySet(models.QuerySet):
    def drafts(self) -> "VisitQuerySet":
        return self.filter(status="draft")

    def signed(self) -> "VisitQuerySet":
        return self.filter(status="signed")

    def for_patient(self, patient) -> "VisitQuerySet":
        return self.filter(episode__patient=patient)


class AppointmentQuerySet(models.QuerySet):
    def active(self) -> "AppointmentQuerySet":
        """Appointments that hold the physio's time: booked, arrived or attended."""
        return self.filter(status__in=("booked", "arrived", "attended"))

    def for_practitioner(self, user) -> "AppointmentQuerySet":
        return self.filter(practitioner=user)

    def overlapping(self, start, end) -> "AppointmentQuerySet":
        # Half-open intervals [start, end): back-to-back appointments do not overlap.
        return self.filter(start__lt=end, end__gt=start)

    def upcoming(self, now) -> "AppointmentQuerySet":
        return self.filter(start__gte=now)


def _parse_date(text: str) -> date | None:
    for parse in (_iso, _day_first):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _iso(text: str) -> date:
    return date.fromisoformat(text)


def _day_first(text: str) -> date:
    day, month, year = (int(part) for part in text.replace("-", "/").replace(".", "/").split("/"))
    return date(year, month, day)
