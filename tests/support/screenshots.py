"""Where the tests save screenshots of every screen they check (README says so too)."""

from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("PORTHOLE_SCREENSHOTS", "build/screenshots"))
