"""Which shell a request gets: the seller app's phone pages or the PC workbench (docs/decisions.md).

The browser's own hint comes first: `Sec-CH-UA-Mobile` (`?1` a phone, `?0` not), which Chromium
browsers send on every request. Browsers that send no client hints (Safari, Firefox) are judged by a
conservative User-Agent check: "Mobi" (which phone browsers put in their User-Agent and tablets do
not), iPhone or iPod. A tablet or an unknown browser gets the PC pages, which stay usable there.
"""

import re

PHONE_UA = re.compile(r"Mobi|iPhone|iPod", re.IGNORECASE)


def is_phone(request) -> bool:
    hint = request.headers.get("Sec-CH-UA-Mobile", "").strip()
    if hint in ("?1", "?0"):
        return hint == "?1"
    return bool(PHONE_UA.search(request.headers.get("User-Agent", "")))
