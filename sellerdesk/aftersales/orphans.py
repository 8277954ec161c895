"""Stored files that no attachment names, and their removal by the worker's prune cycle.

`actions.common.store_attachments` deletes its files whenever the transaction around it does not
commit; only a process killed between writing a file and committing its row leaves one behind.
Such a file is deleted once it is older than the grace period, so that a transaction still
running (uploads are checked before they are stored, so it is short) keeps its files."""

from datetime import timedelta

from .models import Attachment

ROOT = "aftersales"  # models.evidence.attachment_path puts every file under aftersales/<id>/
GRACE = timedelta(hours=1)


def delete_orphan_files(*, now, grace: timedelta = GRACE) -> int:
    """Delete unnamed files older than `grace`; returns how many. Works on any Django storage
    (local folder or S3): one listing per after-sale folder, one query per folder."""
    storage = Attachment._meta.get_field("file").storage
    try:
        folders, _ = storage.listdir(ROOT)
    except FileNotFoundError:
        return 0
    deleted = 0
    for folder in folders:
        _, names = storage.listdir(f"{ROOT}/{folder}")
        paths = [f"{ROOT}/{folder}/{name}" for name in names]
        if not paths:
            continue
        named = set(Attachment.objects.filter(file__in=paths).values_list("file", flat=True))
        for path in paths:
            if path not in named and storage.get_modified_time(path) < now - grace:
                storage.delete(path)
                deleted += 1
    return deleted
