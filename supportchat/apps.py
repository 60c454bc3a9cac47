from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportchatConfig(AppConfig):
    name = "supportchat"
    verbose_name = _("Support chat")
