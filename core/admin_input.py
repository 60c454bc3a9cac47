"""The admin's defence against malformed parameters: a 400 or a form error, never a 500.

Django's admin trusts two inputs it takes straight into a query: the ids of
the rows an action is run on (`_selected_action`) and the value an
autocomplete widget renders back after a failed submit. Either holding text
where the column wants a number ("abc", "²") raised ValueError (HTTP 500).
Every ModelAdmin of the project derives from `SafeModelAdmin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


def valid_value(field: models.Field, value: object) -> bool:
    """True when `value` is something the column `field` can be compared with."""
    try:
        field.run_validators(field.to_python(value))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class _ValidValuesOnly:
    """An autocomplete widget that renders only values its column can hold.

    The form reports the bad value as a field error; the widget just does
    not look it up.
    """

    field: models.Field

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        field_name = getattr(remote, "field_name", None)
        target = remote.model._meta.get_field(field_name) if field_name else remote.model._meta.pk
        kept = [v for v in value if v in ("", None) or valid_value(target, v)]
        return super().optgroups(name, kept, attr)


class SafeAutocompleteSelect(_ValidValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidValuesOnly, AutocompleteSelectMultiple):
    pass


_SAFE_WIDGETS = {
    AutocompleteSelect: SafeAutocompleteSelect,
    AutocompleteSelectMultiple: SafeAutocompleteSelectMultiple,
}


class SafeInputMixin(_AdminBase):
    """Refuses actions on malformed ids (400) and guards autocomplete widgets."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            pk = self.model._meta.pk
            if not all(valid_value(pk, value) for value in selected):
                raise BadRequest(_("The selected rows are named by malformed ids."))
        return super().changelist_view(request, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _guarded(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _guarded(super().formfield_for_manytomany(db_field, request, **kwargs))


def _guarded(formfield):
    widget = getattr(formfield, "widget", None)
    safe = _SAFE_WIDGETS.get(type(widget))
    if safe is not None:
        widget.__class__ = safe
    return formfield


class SafeModelAdmin(SafeInputMixin, admin.ModelAdmin):
    """The base of every ModelAdmin of the project.

    An action that runs a job's work now (`@admin.action(permissions=["run_job"])`)
    needs what the job page's "Run now" needs: the `core.run_job` permission.
    """

    def has_run_job_permission(self, request) -> bool:
        return request.user.has_perm("core.run_job")
