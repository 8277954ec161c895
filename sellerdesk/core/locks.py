"""Transaction-scoped locks on values that have no row of their own (e.g. an account fingerprint).

PostgreSQL: `pg_advisory_xact_lock(namespace, key)`, released at commit or rollback. SQLite needs
none: its transactions are IMMEDIATE (settings), so writers already run one at a time.
"""

import hashlib

from django.db import connection

# Namespaces of the two-key form (apart from one-key locks such as the dispatcher's).
ACCOUNT_FINGERPRINT = 7_201_200


def lock_value(namespace: int, value: str) -> None:
    """Hold a lock on (`namespace`, `value`) until the current transaction ends. Call inside atomic()."""
    if connection.vendor != "postgresql":
        return
    # 31 bits of a hash: a collision only makes two unrelated callers wait for each other.
    key = int.from_bytes(hashlib.blake2b(value.encode(), digest_size=4).digest(), "big") & 0x7FFFFFFF
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])
