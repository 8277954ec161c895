"""A file left in the store by a process killed before its upload committed is swept by the worker's
prune cycle once it is older than the grace period; files that attachments name are never touched."""

import os
import time
from datetime import timedelta

from django.core.files.base import ContentFile

from sellerdesk.aftersales import actions
from sellerdesk.aftersales.models import Attachment
from sellerdesk.aftersales.orphans import GRACE
from sellerdesk.core import clock
from sellerdesk.events.retention import prune

from .test_api_authorization import bring_to
from .test_api_bad_input import png_data, upload


def storage():
    return Attachment._meta.get_field("file").storage


def age(name: str, by: timedelta) -> None:
    past = time.time() - by.total_seconds()
    os.utime(storage().path(name), (past, past))


def test_an_old_file_no_attachment_names_is_deleted_by_the_prune_cycle(world):
    aftersale = bring_to(world, "awaiting_merchant")
    actions.do_post_message(
        aftersale.pk, body="图", uploads=[upload(png_data(), "a.png")], acting_user=world.buyer, now=clock.now()
    )
    kept = Attachment.objects.get().file.name
    # a process killed after writing a file and before committing its row leaves this behind
    orphan = storage().save(f"aftersales/{aftersale.pk}/deadbeef.png", ContentFile(png_data()))
    age(orphan, GRACE + timedelta(minutes=1))
    age(kept, timedelta(days=30))

    assert prune(now=clock.now())["orphan_files"] == 1

    assert not storage().exists(orphan)
    assert storage().exists(kept)


def test_a_file_younger_than_the_grace_period_is_kept_since_its_upload_may_still_commit(world):
    aftersale = bring_to(world, "awaiting_merchant")
    young = storage().save(f"aftersales/{aftersale.pk}/cafebabe.png", ContentFile(png_data()))
    age(young, GRACE - timedelta(minutes=5))

    assert prune(now=clock.now())["orphan_files"] == 0
    assert storage().exists(young)


def test_the_prune_cycle_works_on_an_empty_file_store(db):
    assert prune(now=clock.now())["orphan_files"] == 0
