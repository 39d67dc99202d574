"""Candidate reports (JSON, HTML, PDF) and streamed exports of assessments (CSV, JSON Lines)."""
