"""The control panel: freelancers and their accounts, card versions, the moderation queue."""

from freelancers.admin import card, freelancer, queue

__all__ = ["card", "freelancer", "queue"]
