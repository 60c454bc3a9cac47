from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import errors
from recruiting.adapters.base import Order, SearchQuery
from recruiting.application_list import ApplicationFilter
from recruiting.domain import REGIONS
from recruiting.models import Subsystem
from recruiting.services.search_query import MAX_SALARY, MAX_TEXT, search_query_validate

ORDER_CHOICES = [
    (Order.RELEVANCE.value, _("Relevance (open contacts first)")),
    (Order.UPDATED.value, _("Last update")),
    (Order.SALARY.value, _("Expected salary")),
]


class SearchForm(forms.Form):
    text = forms.CharField(label=_("Search for"), max_length=MAX_TEXT)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=[])
    salary_from = forms.IntegerField(
        label=_("Salary from, ₽"), required=False, min_value=0, max_value=MAX_SALARY
    )
    salary_to = forms.IntegerField(
        label=_("Salary to, ₽"), required=False, min_value=0, max_value=MAX_SALARY
    )
    order = forms.ChoiceField(label=_("Order"), choices=ORDER_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Any region"))] + [
            (r.key, r.label) for r in REGIONS.values()
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["query"] = search_query_validate(
                SearchQuery(
                    text=data["text"],
                    region=data.get("region") or None,
                    salary_from=data.get("salary_from"),
                    salary_to=data.get("salary_to"),
                    order=Order(data.get("order") or Order.RELEVANCE.value),
                )
            )
        except errors.InvalidArgument as exc:
            field = exc.details.get("field")
            self.add_error(field if field in self.fields else None, exc.message)
        return data


def take_params(data) -> dict:
    """Subsystem and target of the take-into-work form as `resume_take` kwargs.

    The target is "<pipeline>:<stage>" (amoCRM; empty: the defaults) or a
    queue key (Tracker). Raises InvalidArgument for a malformed target.
    """
    subsystem = str(data.get("subsystem", ""))
    target = str(data.get("target", "")).strip()
    if subsystem != "amocrm":
        return {"subsystem": subsystem, "queue": target[:100]}
    if not target:
        return {"subsystem": subsystem}
    pipeline, _sep, stage = target.partition(":")
    try:
        return {"subsystem": subsystem, "pipeline_id": int(pipeline), "status_id": int(stage)}
    except ValueError:
        raise errors.InvalidArgument(_("Choose a pipeline and a stage")) from None


class ApplicationFilterForm(forms.Form):
    """Filters of "My candidates"; anything invalid falls back to the default."""

    scope = forms.ChoiceField(
        label=_("Whose"),
        required=False,
        choices=[("organization", _("My organization")), ("mine", _("Mine"))],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open and closed")), ("open", _("Open")), ("closed", _("Closed"))],
    )
    subsystem = forms.ChoiceField(label=_("Subsystem"), required=False, choices=[])
    text = forms.CharField(label=_("Name"), required=False, max_length=MAX_TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subsystem"].choices = [("", _("Any subsystem")), *Subsystem.choices]

    def filters(self) -> ApplicationFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ApplicationFilter(
            scope=data.get("scope") or "organization",
            state=data.get("state") or "",
            subsystem=data.get("subsystem") or "",
            text=data.get("text") or "",
        )
