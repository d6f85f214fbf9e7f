"""The Clinic admin's outcome report, its CSV export and the episodes behind each group.

(The filter form lives here rather than in forms.py: these three views are its only users.)
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone

from assessments import host
from assessments.access import require
from assessments.audit import shows_clinical
from assessments.csv_export import csv_response
from assessments.reasoning import rulesets

from .kinds import kinds
from .reports import (
    ALL,
    REPORT_MEASURES,
    GroupBy,
    ReportFilters,
    group_episodes,
    group_label,
    outcome_report,
    report_cell_groups,
    report_cells,
    report_header,
)

report_permission = require("treatments.view_outcome_report")


class ReportFilterForm(forms.Form):
    group_by = forms.ChoiceField(
        label="Group by",
        choices=[(choice.value, choice.label) for choice in GroupBy],
        required=False,
    )
    opened_from = forms.DateField(
        label="Opened from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    opened_to = forms.DateField(
        label="Opened to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    physio = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any physio")
    diagnosis = forms.ChoiceField(label="Main diagnosis", required=False)
    intervention = forms.ChoiceField(label="Intervention", required=False)
    status = forms.ChoiceField(
        label="Episode status",
        choices=[("", "Open or discharged"), *host.EPISODE_STATUS_CHOICES],
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # EXISTS per user (an index probe each), not a DISTINCT over every episode.
        self.fields["physio"].queryset = (
            get_user_model()
            .objects.filter(Exists(host.episodes().filter(physio=OuterRef("pk"))))
            .order_by("first_name", "last_name", "username")
        )
        self.fields["physio"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["diagnosis"].choices = [("", "Any diagnosis"), *rulesets.sources().items()]
        self.fields["intervention"].choices = [("", "Any intervention"), *kinds.choices()]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"

    def clean(self):
        data = super().clean()
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and start > end:
            self.add_error("opened_to", "The end of the range is before its start.")
        return data

    def report_filters(self) -> ReportFilters:
        data = self.cleaned_data if self.is_valid() else {}
        physio = data.get("physio")
        return ReportFilters(
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            physio_id=physio.pk if physio else None,
            diagnosis=data.get("diagnosis") or "",
            intervention=data.get("intervention") or "",
            status=data.get("status") or "",
        )

    def chosen_group_by(self) -> GroupBy:
        data = self.cleaned_data if self.is_valid() else {}
        return GroupBy(data.get("group_by") or GroupBy.DIAGNOSIS)


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@report_permission
def outcome_report_page(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    group_by = form.chosen_group_by()
    report = outcome_report(group_by=group_by, filters=form.report_filters())
    filters_query = _query_without(request, "group_by", "key", "page")
    return render(
        request,
        "treatments/outcomes/report.html",
        {
            "form": form,
            "report": report,
            "group_by": group_by,
            "group_choices": list(GroupBy),
            "header": report_cell_groups(report_header(report)),
            "rows": [
                {"row": row, "cells": report_cell_groups(report_cells(row))} for row in report.rows
            ],
            "measures": REPORT_MEASURES,
            "charts": [
                (
                    f"{code.upper()}: share of episodes reaching important improvement",
                    [(row.label, row.measures[code].share_improved) for row in report.groups],
                )
                for code in ("nprs", "odi")
            ],
            "filters_query": filters_query,
            "csv_query": _query_without(request, "key", "page"),
        },
    )


@report_permission
def outcome_report_csv(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    report = outcome_report(group_by=form.chosen_group_by(), filters=form.report_filters())
    stamp = timezone.localdate().isoformat()
    return csv_response(
        filename=f"outcomes-by-{report.group_by.value}-{stamp}.csv",
        rows=[report_header(report), *(report_cells(row) for row in report.rows)],
    )


@report_permission
@shows_clinical("page")
def outcome_group_episodes(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    group_by = form.chosen_group_by()
    key = request.GET.get("key") or ALL
    label = group_label(group_by=group_by, key=key)
    if label is None:
        raise Http404("No such group.")
    episodes = group_episodes(group_by=group_by, key=key, filters=form.report_filters())
    page = Paginator(episodes, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "treatments/outcomes/group_episodes.html",
        {
            "form": form,
            "group_by": group_by,
            "label": label,
            "page": page,
            "report_query": _query_without(request, "key", "page"),
            "page_query": _query_without(request, "page"),
        },
    )
