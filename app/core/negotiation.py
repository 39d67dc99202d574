"""Content negotiation: the offered media type an `Accept` header prefers, by its q-values."""

from collections.abc import Sequence


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """The media ranges of an Accept header: (type, subtype, quality)."""
    ranges = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        kind, _, sub = media.partition("/")
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((kind, sub or "*", quality))
    return ranges


def _quality(ranges: list[tuple[str, str, float]], offered: str) -> float:
    """The quality of the most specific range that matches `offered` (0 when none does)."""
    kind, _, sub = offered.lower().partition("/")
    best: tuple[int, float] | None = None
    for range_kind, range_sub, quality in ranges:
        if range_kind == kind and range_sub == sub:
            specificity = 2
        elif range_kind == kind and range_sub == "*":
            specificity = 1
        elif range_kind == "*" and range_sub == "*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return best[1] if best else 0.0


def best_match(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered type `accept` prefers (first offered on a tie); None when none is acceptable.

    No Accept header, or an empty one, accepts anything: the first offered type.
    """
    if not offered:
        return None
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    if not ranges:
        return offered[0]
    scored = [(_quality(ranges, media), -index, media) for index, media in enumerate(offered)]
    quality, _, media = max(scored)
    return media if quality > 0 else None
