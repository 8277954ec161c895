"""The one clock. Tests travel with time-machine, which patches what this returns."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    # Second precision: deadlines are compared to the second, as the product promises.
    return timezone.now().replace(microsecond=0)
