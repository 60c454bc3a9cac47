"""Forms: the catalogue filters and the card form of the admin."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from freelancers.models import FreelancerCard
from freelancers.validators import photo_reencode


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Certificate"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, kinds: list[tuple[str, str]], regions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_field("kind").choices = [("", _("Any certificate")), *kinds]
        self.choice_field("region").choices = [("", _("Any region")), *((r, r) for r in regions)]

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def filters(self) -> dict[str, str]:
        """Valid filters; an invalid value (a stale link) is simply ignored."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "kind": data.get("kind", ""),
            "region": data.get("region", ""),
            "query": data.get("q", ""),
        }


class CardForm(forms.ModelForm):
    """A new card version (or a draft being edited) in the admin."""

    site = forms.URLField(label=_("site"), required=False, assume_scheme="https")
    submit = forms.BooleanField(label=_("Send to moderation"), required=False, initial=True)

    class Meta:
        model = FreelancerCard
        fields = ["freelancer", "about", "photo", "phone", "email", "site", "messenger"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a fresh upload, not the stored file
            return photo_reencode(photo)
        return photo


class DeclineReasonForm(forms.Form):
    """The reason of a bulk decline; the freelancer will read it."""

    decline_reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class OwnCardForm(forms.ModelForm):
    """The freelancer's own card, in the cabinet: a new version for moderation."""

    site = forms.URLField(label=_("site"), required=False, assume_scheme="https")
    photo = forms.FileField(
        label=_("photo"), required=False, widget=forms.FileInput(attrs={"accept": "image/*"})
    )

    class Meta:
        model = FreelancerCard
        fields = ["about", "photo", "phone", "email", "site", "messenger"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return photo_reencode(photo) if photo else None

    def content(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in FreelancerCard.CONTENT_FIELDS}
