"""Every table of Tamis, imported in one place so the metadata is complete.

Alembic's environment and the admin commands import this module; a new domain's models go here.
"""

import app.access.models
import app.access.users
import app.assessments.models
import app.audit.models
import app.candidates.models
import app.core.idempotency
import app.core.ratelimit
import app.decisions.models
import app.events.models
import app.positions.models
import app.rubric.store
import app.screenings.models
import app.webhooks.models  # noqa: F401  (each import registers its tables)
