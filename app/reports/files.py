"""Readable names for downloaded reports and exports (RFC 6266 `Content-Disposition`)."""

import re
import unicodedata
from datetime import datetime
from typing import Literal
from urllib.parse import quote

# Characters a file system or a browser refuses in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+|\s+')


def _ascii(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def _unicode(text: str) -> str:
    return _UNSAFE.sub("-", unicodedata.normalize("NFC", text)).strip("-.")


def report_name(full_name: str, position: str, moment: datetime, extension: str) -> tuple[str, str]:
    """('tamis-Zoe-Lefevre-Dubois-Community-manager-2026-11-23.pdf', 'tamis-Zoë-Lefèvre-…'):
    the candidate, the position and the reader's day, in ASCII and in full."""
    day = f"{moment:%Y-%m-%d}"
    ascii_parts = [_ascii(full_name)[:60] or "candidate", _ascii(position)[:40]]
    full_parts = [_unicode(full_name)[:60] or "candidate", _unicode(position)[:40]]
    ascii_name = "-".join(p for p in ["tamis", *ascii_parts, day] if p)
    full = "-".join(p for p in ["tamis", *full_parts, day] if p)
    return f"{ascii_name}.{extension}", f"{full}.{extension}"


def disposition(
    names: tuple[str, str], kind: Literal["inline", "attachment"] = "attachment"
) -> str:
    """`attachment; filename="<ascii>"; filename*=UTF-8''<full, percent-encoded>` (RFC 6266):
    browsers that read `filename*` keep the accents, the others get the ASCII name."""
    ascii_name, full = names
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full, safe='')}"
