"""The computers' keys this viewer has met, pinned on first use (as SSH's known_hosts).

The cloud introduces the two ends of a session: it names the computer's key in the
ticket. A cloud operator who wanted to stand in for a computer would have to name a key
of its own; pinning turns that into a warning the person sees, from the second session
on: the key of a computer this viewer already reached must stay the same, unless the
person accepts the new one (the computer's Porthole was reinstalled, say).

The file holds public keys only (nothing secret), one per cloud and computer; 0600 all
the same. A damaged file is treated as empty: warnings start again from first use.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from app.identity import write_private
from app.viewer.core.i18n import tr
from app.viewer.core.session import SessionEnded

log = logging.getLogger(__name__)


class ComputerKeyChanged(SessionEnded):
    """The cloud names another key for a computer than the one this viewer pinned.
    Retrying cannot help: the person decides (:meth:`KnownKeys.trust`)."""

    def __init__(self, cloud_url: str, computer_id: str, new_key: str) -> None:
        super().__init__(
            tr(
                "This computer's identity changed since this app last reached it: its key "
                "is not the one this app knows. That happens when Porthole was reinstalled "
                "on it, or when someone tries to stand in for it. Connect only if you know "
                "why it changed."
            )
        )
        self.cloud_url = cloud_url
        self.computer_id = computer_id
        self.new_key = new_key


class KnownKeys:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, str]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("the known computer keys could not be read (%s); starting anew", exc)
            return {}
        if not isinstance(saved, dict):
            return {}
        return {str(name): str(key) for name, key in saved.items()}

    @staticmethod
    def _entry(cloud_url: str, computer_id: str) -> str:
        return f"{cloud_url.rstrip('/')} {computer_id}"

    def check(self, cloud_url: str, computer_id: str, key: str) -> None:
        """Pin ``key`` when the computer is new here; raise :class:`ComputerKeyChanged`
        when another key is pinned for it."""
        known = self._load()
        pinned = known.get(self._entry(cloud_url, computer_id))
        if pinned == key:
            return
        if pinned is not None:
            raise ComputerKeyChanged(cloud_url, computer_id, key)
        self.trust(cloud_url, computer_id, key)

    def trust(self, cloud_url: str, computer_id: str, key: str) -> None:
        """Pin ``key`` for the computer, replacing what was pinned."""
        known = self._load()
        known[self._entry(cloud_url, computer_id)] = key
        write_private(self.path, json.dumps(known, indent=2, sort_keys=True))
