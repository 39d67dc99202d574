"""The audit trail: an append-only record of every write, without personal data."""
