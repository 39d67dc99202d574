"""Browser tests: a real Tamis server and Debian's Chromium driven by Playwright."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from app.access import users
from app.commands import command_session
from app.core.config import Settings, shipped_criteria_dir
from app.core.migrate import upgrade
from tests.api.servers import LiveServer
from tests.ci import IN_CI

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery"  # noqa: S105 - the test accounts' password
# Chromium as root in a closed network: no sandbox, no background calls to Google's hosts.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium; a failure in CI when missing, else the tests are not run."""
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if path is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI: tests/ensure-services.sh installs it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in the
    # thread while it is open, and a module without a browser may run next in the same process
    # (on an xdist worker, or after a `long` module scheduled first): asyncio.run() would then
    # refuse to start.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Site:
    """A running Tamis with accounts, and what the tests need to reach it."""

    def __init__(self, server: LiveServer, settings: Settings) -> None:
        self.server, self.settings, self.url = server, settings, server.url

    def account(self, email: str, role: Any, name: str) -> str:
        with command_session(self.settings, "test setup") as session:
            users.create(session, email=email, name=name, role=role, password=PASSWORD)
        return email


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(url)
    settings = Settings(database_url=url, criteria_dir=shipped_criteria_dir(), env="test")
    server = LiveServer(settings).start()
    try:
        yield Site(server, settings)
    finally:
        server.kill()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def sign_in(page: Page, site: Site, email: str, lang: str) -> None:
    """Open the site, land on the sign-in page, sign in."""
    page.goto(f"{site.url}/?lang={lang}")
    page.wait_for_url("**/sign-in**")
    page.get_by_label("Email" if lang == "en" else "Courriel").fill(email)
    page.get_by_label("Password" if lang == "en" else "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Sign in" if lang == "en" else "Se connecter").click()
    page.wait_for_url("**/candidates**")


def shoot(page: Page, name: str) -> None:
    """Keep a screenshot of the page as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
