"""Cross-cutting pieces: settings and language handling."""
