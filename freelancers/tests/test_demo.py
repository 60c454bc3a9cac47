"""The demo seed links the demo freelancer login to an accepted card, once."""

import pytest
from django.contrib.auth import authenticate

from core import demo as core_demo
from freelancers import demo

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_the_freelancer_login_once():
    core_demo.seed()
    lines = demo.seed()
    demo.seed()
    assert "freelancer: freelancer / freelancer-demo" in lines
    user = authenticate(username="freelancer", password="freelancer-demo")
    assert user is not None
    assert user.freelancer.uid == demo.DEMO_UIDS[0]
    assert user.freelancer.accepted_card is not None
