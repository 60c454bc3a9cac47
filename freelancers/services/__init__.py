"""Freelancer writes, one module per subdomain."""

from freelancers.services.accounts import *  # noqa: F403
from freelancers.services.cabinet import *  # noqa: F403
from freelancers.services.cards import *  # noqa: F403
from freelancers.services.certificates import *  # noqa: F403
from freelancers.services.notices import *  # noqa: F403
