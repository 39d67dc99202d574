"""Bulk import of assessments (JSON Lines): HR tools moving their history in."""
