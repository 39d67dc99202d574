"""Whether this run is CI's: then a missing service (PostgreSQL, Chromium) fails, never skips.

Any usual spelling of a set `CI` counts (`true`, `1`, `yes`); `.ci/run` sets `CI=true` itself.
"""

import os

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}
