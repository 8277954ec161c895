"""The sweeper's batches: claim rows no one else holds, apply them set-based, one commit each.

Used by the timeouts (deadlines.py) and the evidence reminders (reminders.py)."""

import logging

from django.db import InterfaceError, OperationalError, transaction

log = logging.getLogger(__name__)

SWEEP_BATCH = 1000
# A dropped connection or a database that is away is no bad row: going on row by row would fail on
# every row (16 s per 1,000 after a drop), so these go up to the worker, which backs off, reconnects
# and sweeps again (management/commands/worker.py).
DATABASE_GONE = (OperationalError, InterfaceError)
# What a batch reads of each after-sale: the CAS (version), the history (due_at), the event
# (number, shop, buyer), the current dispute round.
CLAIM_FIELDS = ("id", "status", "version", "due_at", "number", "shop_id", "buyer_id", "dispute_id")


def in_batches(claim, apply, one_by_one, *, what: str) -> int:
    """The sweeper's loop: `claim(exclude)` locks a batch of rows no one else holds and says
    whether the batch was full, `apply(rows)` applies it set-based, one transaction per batch;
    until a batch comes back short (the rest, if any, are in another sweeper's open batch).

    A batch that fails for a reason other than the database going away is applied by
    `one_by_one(failed)` -> (fired, whether any row was seen), each row in its own transaction;
    rows that fail alone are added to `failed` and left for the next sweep. A dropped connection
    goes up to the worker."""
    fired, failed = 0, set()
    while True:
        try:
            with transaction.atomic():
                claimed, full = claim(failed)
                fired += apply(claimed)
        except DATABASE_GONE:
            raise
        except Exception:  # one bad row must not stop the others: find it by applying the batch row by row
            log.exception("batch %s failed; applying it row by row", what)
            fired_one_by_one, progressed = one_by_one(failed)
            fired += fired_one_by_one
            if not progressed:
                return fired
            continue
        if not full:
            return fired
