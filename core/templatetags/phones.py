"""Phones on pages: `{% phone_link p %}` and `{{ p|phone_display }}` (`{% load phones %}`)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from core.phones import phone_display as _display
from core.phones import phone_e164

register = template.Library()


@register.filter
def phone_display(text: str) -> str:
    """International format ("+7 916 123-45-67"); not a valid number: as written."""
    return _display(str(text))


@register.simple_tag
def phone_link(text: str) -> SafeString:
    """A tel: link to the E.164 number, shown in international format; text
    that is not a valid number is shown as written, without a link."""
    e164 = phone_e164(str(text))
    if e164 is None:
        return conditional_escape(text)
    return format_html('<a href="tel:{}">{}</a>', e164, _display(str(text)))
