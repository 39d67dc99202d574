"""Invitations sent by email through a real SMTP server on loopback (aiosmtpd), the copy button,
and the invitation's status on the candidate's page."""

import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, expect

from app.candidates import service as candidates
from app.candidates.models import CandidateCreate
from app.commands import command_session
from app.core.config import Settings, shipped_criteria_dir
from app.core.migrate import upgrade
from app.positions import service as positions
from app.positions.models import PositionCreate
from app.rubric import load_rubrics
from app.rubric.store import RubricRegistry
from tests.api.servers import LiveServer
from tests.web.conftest import Site, sign_in
from tests.web.test_recruiter_day import SIZES, check


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def mailing_site(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(url)
    settings = Settings(database_url=url, criteria_dir=shipped_criteria_dir(), env="test")
    server = LiveServer(
        settings,
        TAMIS_SMTP_HOST="127.0.0.1",
        TAMIS_SMTP_PORT=str(inbox[1]),
        TAMIS_EMPLOYER="Maison Tamis",
    ).start()
    try:
        yield Site(server, settings)
    finally:
        server.kill()


@pytest.mark.parametrize(("lang", "size"), [("fr", "phone"), ("en", "laptop"), ("en", "wide")])
def test_invitation_by_email_with_copy_and_status(
    browser: Browser, mailing_site: Site, inbox: tuple[Inbox, int], lang: str, size: str
) -> None:
    site, fr = mailing_site, lang == "fr"
    email = site.account("claire@example.org", "admin", "Claire Dupont")
    with command_session(site.settings, "test setup") as session:
        registry = RubricRegistry(load_rubrics(shipped_criteria_dir()))
        position = positions.create(session, registry, PositionCreate(title="Community manager"))
        candidate = candidates.create(
            session,
            CandidateCreate(
                full_name="Zoë Lefèvre-Dubois", email="zoe@example.org", position_id=position.id
            ),
        )
        candidate_id = candidate.id
    context = browser.new_context(viewport=SIZES[size])
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, site, email, lang)
    page.goto(f"{site.url}/candidates/{candidate_id}")
    expect(
        page.get_by_text("Aucune invitation envoyée." if fr else "No invitation sent yet.")
    ).to_be_visible()
    by_mail = page.get_by_label(re.compile("zoe@example.org"))
    expect(by_mail).to_be_checked()
    page.get_by_role(
        "button", name="Inviter au questionnaire préalable" if fr else "Invite to the self-screen"
    ).click()
    expect(page.locator("#mail-sent")).to_contain_text("zoe@example.org")
    link = page.locator("#invite-link").input_value()
    page.get_by_role("button", name="Copier le lien" if fr else "Copy the link").click()
    expect(page.locator("#copy-status")).to_have_text("Copié." if fr else "Copied.")
    expect(page.locator(".invitations")).to_contain_text(
        "envoyée, sans réponse" if fr else "sent, not answered"
    )
    check(page, f"{lang}-{size}-invitation-sent")

    (message,) = inbox[0].messages
    assert message["To"] == "zoe@example.org"
    assert "Maison Tamis" in message["Subject"] and "Community manager" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert link in body

    # The link is shown once: a reload no longer shows it, the status stays.
    page.reload()
    expect(page.locator("#invite-link")).to_have_count(0)
    expect(page.locator(".invitations li")).to_have_count(1)

    # The candidate's page names the employer.
    other = browser.new_context(viewport=SIZES[size]).new_page()
    # The link is built on TAMIS_PUBLIC_URL (its default here); this server's port differs.
    other.goto(site.url + "/screening/" + link.rsplit("/screening/", 1)[1])
    expect(other.locator("#who-asks")).to_contain_text("Maison Tamis")
    other.context.close()
    context.close()
