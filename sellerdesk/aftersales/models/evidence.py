import uuid

from django.conf import settings
from django.db import models

from sellerdesk.core import clock

from .aftersale import AfterSale
from .dispute import Dispute, EvidenceRequest
from .enums import Party


class Evidence(models.Model):
    """A submission of evidence (凭证): a statement plus files."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    request = models.ForeignKey(EvidenceRequest, null=True, on_delete=models.PROTECT, related_name="submissions")
    party = models.CharField(max_length=16, choices=Party.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField()
    submitted_at = models.DateTimeField(default=clock.now)


def attachment_path(instance, filename):
    # Generated names only: the uploader's file name never reaches the file system.
    return f"aftersales/{instance.aftersale_id}/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    """A checked, stored file of a request: evidence, a message's picture, the buyer's photos."""

    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="attachments")
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    history_entry = models.ForeignKey(
        "HistoryEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=60)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(default=clock.now)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
