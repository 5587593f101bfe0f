"""How this person likes the viewer to behave, kept between sessions and launches: a small
JSON file in the viewer's config directory (nothing secret goes in it). A missing or
damaged file means the defaults; a preference this version does not know is kept."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PREFERENCES_FILE = "preferences.json"


@dataclass(frozen=True, slots=True)
class Preferences:
    #: Point as on a laptop's trackpad in sessions (GestureSettings.trackpad).
    trackpad: bool = False
    #: A long press shows the magnifier (GestureSettings.lens).
    lens: bool = True
    #: Sessions share the clipboard with the computer, both ways.
    clipboard: bool = True
    #: Sessions play the computer's sound.
    sound: bool = True
    #: Sessions give the computer's screen the window's shape ("Match device").
    fit_screen: bool = False


class PreferenceStore:
    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / PREFERENCES_FILE

    def load(self) -> Preferences:
        saved = self._read()
        # Every preference is a switch: anything but true or false means the default.
        values = {
            name: value if isinstance(value := saved.get(name), bool) else default
            for name, default in asdict(Preferences()).items()
        }
        return Preferences(**values)

    def save(self, preferences: Preferences) -> None:
        """Replace the file whole (a crash leaves the old one or the new one, never half);
        a write that fails is logged and forgotten: a preference is not worth an error."""
        saved = {**self._read(), **asdict(preferences)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".tmp")
            partial.write_text(json.dumps(saved, indent=2), encoding="utf-8")
            os.replace(partial, self.path)
        except OSError as exc:
            log.info("preferences not saved (%s)", exc)

    def _read(self) -> dict[str, Any]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return saved if isinstance(saved, dict) else {}
