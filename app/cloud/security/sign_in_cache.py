"""Sign-ins recently confirmed live in the database, so the busiest calls (lists, status)
do not look the sign-in up on every request.

Revocation in this process (sign out, a reused refresh token) forgets the entry at once;
another cloud process notices within ``ttl_s`` at most."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from app.cloud.db.models import Account


class SignInCache:
    def __init__(
        self, ttl_s: float, max_entries: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Account]] = OrderedDict()

    def get(self, sign_in_id: str) -> Account | None:
        entry = self._entries.get(sign_in_id)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[sign_in_id]
            return None
        return entry[1]

    def put(self, sign_in_id: str, account: Account) -> None:
        if self._ttl_s <= 0:
            return
        self._entries[sign_in_id] = (self._clock() + self._ttl_s, account)
        self._entries.move_to_end(sign_in_id)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def forget(self, sign_in_id: str) -> None:
        self._entries.pop(sign_in_id, None)
