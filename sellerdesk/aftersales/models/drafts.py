"""Evidence drafts (凭证草稿): a statement and files kept over several visits, seen only by their
author, until they are submitted as evidence (actions/drafts.py)."""

import uuid

from django.conf import settings
from django.db import models

from sellerdesk.core import clock

from .aftersale import AfterSale
from .dispute import EvidenceRequest
from .enums import Party


class EvidenceDraft(models.Model):
    """One per (evidence request, author). Submitting it writes the Evidence and its Attachments,
    as the one-step submission does, and deletes the draft."""

    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT, related_name="drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    party = models.CharField(max_length=16, choices=Party.choices)
    statement = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "author"], name="one_evidence_draft_per_author"),
        ]
        indexes = [models.Index(fields=["aftersale", "author"], name="evidence_draft_of_author")]


def draft_file_path(instance, filename):
    # Not under aftersales/: those are Attachments' files, and the orphan sweep (orphans.py)
    # deletes any file there that no Attachment names.
    return f"evidence-drafts/{instance.draft.aftersale_id}/{uuid.uuid4().hex}{instance.extension}"


class EvidenceDraftFile(models.Model):
    """A checked, stored file of a draft. Not an Attachment: nothing that lists or serves a
    request's attachments can show it to anyone but the draft's author. On submission its bytes
    become an Attachment of the evidence (written once, like every attachment)."""

    draft = models.ForeignKey(EvidenceDraft, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=draft_file_path, max_length=200)
    content_type = models.CharField(max_length=60)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(default=clock.now)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
