"""Facts every layer shares: adapters, models, services, forms and the API.

It imports nothing from `recruiting`, so any module may import it without an
upward arrow (a model never imports an adapter, an adapter never imports the
app's services or forms).

Regions the search form offers, with each site's own id for them: hh.ru area
ids come from its `/areas` dictionary (1 Moscow, 2 Saint Petersburg,
3 Yekaterinburg, 4 Novosibirsk, 88 Kazan, 66 Nizhny Novgorod). SuperJob town
ids come from `/2.0/towns/`; only Moscow = 4 appears in the reference, the
others are (unverified) and isolated here so they are corrected in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# A Tracker queue key: Latin capitals and digits, starting with a letter.
QUEUE_KEY_RE = re.compile(r"^[A-Z][A-Z0-9]+$")


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    hh_area: str
    superjob_town: int


REGIONS: dict[str, Region] = {
    r.key: r
    for r in (
        Region("msk", _("Moscow"), "1", 4),
        # (unverified) SuperJob town ids below.
        Region("spb", _("Saint Petersburg"), "2", 14),
        Region("ekb", _("Yekaterinburg"), "3", 33),
        Region("nsk", _("Novosibirsk"), "4", 25),
        Region("kzn", _("Kazan"), "88", 42),
        Region("nnv", _("Nizhny Novgorod"), "66", 9),
    )
}
