"""Where browser tests save screenshots: a scratch folder, so a test run leaves the tree clean.
`SELLERDESK_SCREENSHOTS=docs scripts/test tests/browser` refreshes docs/screenshots/ instead."""

import os
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = DOCS if os.environ.get("SELLERDESK_SCREENSHOTS") == "docs" else Path(tempfile.gettempdir()) / "sellerdesk-shots"
SHOTS.mkdir(parents=True, exist_ok=True)
