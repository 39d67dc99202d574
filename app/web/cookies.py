"""The cookies of the pages (their names only: both rendering and sessions read them)."""

SESSION_COOKIE = "tamis_session"
LOGIN_CSRF_COOKIE = "tamis_login_csrf"
LANG_COOKIE = "tamis_lang"
