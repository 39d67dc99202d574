"""The candidate self-screen in a real browser: the candidate answers in French, the
interviewer sees the suggested red flags with their quotes highlighted and confirms one."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.candidates import service as candidates
from app.candidates.models import CandidateCreate
from app.commands import command_session
from app.core.config import shipped_criteria_dir
from app.positions import service as positions
from app.positions.models import PositionCreate
from app.rubric import load_rubrics
from app.rubric.store import RubricRegistry
from app.screenings import service as screenings
from app.web.text import TEXT
from tests.web.conftest import Site, shoot, sign_in
from tests.web.test_recruiter_day import EVERY_SIZE, SIZES, check
from tests.web.test_screening_flow import assert_accessible

ANSWER = (
    "Je mesure surtout l'engagement. Honnêtement, il n'y a pas vraiment moyen de mesurer "
    "l'impact des réseaux sociaux, c'est du ressenti."
)
DENIAL = "Je n'ai jamais acheté d'abonnés ; je préfère les forums où j'anime depuis 2009."


def test_candidate_answers_and_interviewer_confirms_a_suggestion(
    browser: Browser, page: Page, site: Site
) -> None:
    email = site.account("claire@example.org", "admin", "Claire Dupont")
    sign_in(page, site, email, "fr")
    page.get_by_role("link", name="Postes", exact=True).click()
    page.get_by_label("Intitulé").fill("Community manager")
    page.get_by_role("button", name="Ouvrir un poste").click()
    page.goto(f"{site.url}/candidates")
    page.get_by_label("Nom complet").fill("Zoë Lefèvre-Dubois")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.wait_for_url(re.compile(r".*/candidates/[0-9a-f-]{36}$"))
    candidate_url = page.url

    page.get_by_role("button", name="Inviter au questionnaire préalable").click()
    shown = page.get_by_label("Envoyez ce lien").input_value()
    # The link is built on TAMIS_PUBLIC_URL (its default here); this server's port differs.
    assert shown.startswith("http://127.0.0.1:8000/screening/")
    link = site.url + "/screening/" + shown.rsplit("/screening/", 1)[1]
    assert re.search(r"/screening/[A-Za-z0-9_-]{43}$", link)  # 256 random bits

    # The candidate, in another browser context (no session), answers in French.
    candidate = browser.new_context(locale="fr-FR").new_page()
    candidate.goto(link)
    expect(candidate.get_by_role("heading", level=1)).to_have_text("Avant votre entretien")
    assert_accessible(candidate, "self-screen form")
    asked = candidate.locator("textarea").count()
    assert 5 <= asked <= 7
    # The page names the employer's role and the expiry, and says how answers are read.
    expect(candidate.locator("#who-asks")).to_contain_text("Community manager")
    expect(candidate.locator("#expiry")).to_contain_text("jusqu’au")
    expect(candidate.locator("#reading")).to_contain_text("Aucune décision")
    candidate.get_by_label(re.compile("qu’en attendiez-vous")).fill(ANSWER)
    candidate.get_by_label(re.compile("Quels espaces en ligne animez-vous")).fill(DENIAL)
    shoot(candidate, "fr-self-screen")
    # Two answers of six: each other question needs an answer or an explicit skip.
    candidate.get_by_role("button", name="Relire mes réponses").click()
    expect(candidate.locator(".field.invalid")).to_have_count(asked - 2)
    assert_accessible(candidate, "self-screen with errors")
    skips = candidate.get_by_label("Je préfère ne pas répondre à cette question")
    for index in range(skips.count()):
        field = candidate.locator(".field").nth(index)
        if field.locator("textarea").input_value() == "":
            skips.nth(index).check()
    candidate.get_by_role("button", name="Relire mes réponses").click()
    expect(candidate.get_by_role("heading", level=1)).to_have_text("Vos réponses, avant l’envoi")
    expect(candidate.get_by_text("Sans réponse (votre choix).")).to_have_count(asked - 2)
    assert_accessible(candidate, "self-screen review")
    shoot(candidate, "fr-self-screen-review")
    candidate.get_by_role("button", name="Envoyer mes réponses").click()
    expect(candidate.get_by_role("status")).to_contain_text("Merci")
    candidate.goto(link)  # single use
    expect(candidate.get_by_role("alert")).to_contain_text("déjà servi")
    candidate.goto(link[:-3] + "xyz")  # forged
    expect(candidate.get_by_role("alert")).to_contain_text("pas valide")
    candidate.context.close()

    # The interviewer sees the suggestion with its quote highlighted, and confirms it.
    page.goto(candidate_url)
    page.get_by_role("link", name="Remplir votre évaluation").click()
    marked = page.locator(".self-screen mark")
    expect(marked).to_have_count(1)  # the denial about buying followers suggests nothing
    expect(marked).to_contain_text("pas vraiment moyen de mesurer")
    assert_accessible(page, "assessment form with suggestions")
    shoot(page, "fr-assessment-suggestions")
    page.get_by_label(re.compile("Confirmer ce signal")).check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status").first).to_contain_text("Enregistré à")
    expect(page.get_by_label(re.compile("Confirmer ce signal"))).to_be_checked()
    # The candidate's words are not put in the interviewer's mouth: the flag's note field, the
    # interviewer's own, stays empty; the quote stays in the candidate's answer.
    expect(page.locator("#flagnote-cannot_measure_impact")).to_have_value("")
    expect(page.locator(".self-screen blockquote mark")).to_contain_text(
        "pas vraiment moyen de mesurer"
    )

    # The assessment records that the flag came from a suggestion, with the quote.
    assessment = page.evaluate(
        "async (url) => (await fetch(url)).status", f"{site.url}/api/v1/rubrics"
    )
    assert assessment == 401  # the pages' session is not an API key
    from sqlmodel import select

    from app.assessments.models import Assessment
    from app.commands import command_session

    with command_session(site.settings, "test read") as session:
        stored = session.exec(select(Assessment)).one()
    (flag,) = stored.answers["flags"]
    assert flag["id"] == "cannot_measure_impact" and flag["origin"] == "suggestion"
    assert "pas vraiment moyen de mesurer" in flag["quote"]


@pytest.mark.parametrize(("lang", "size"), EVERY_SIZE)
def test_the_candidates_pages_in_both_languages_at_every_size(
    browser: Browser, site: Site, lang: str, size: str
) -> None:
    """What the candidate sees, in French and English at 390, 1280 and 1440 px: the form, its
    refusal, the review, the thanks, a spent link and a forged one. Every page: no axe-core
    violation at any impact, no horizontal scroll, a screenshot."""
    words = TEXT[lang]  # type: ignore[index]
    registry = RubricRegistry(load_rubrics(shipped_criteria_dir()))
    with command_session(site.settings, "test setup") as session:
        position = positions.create(session, registry, PositionCreate(title="Community manager"))
        candidate = candidates.create(
            session, CandidateCreate(full_name="Zoë Lefèvre-Dubois", position_id=position.id)
        )
        rubric_id = screenings.rubric_of(session, candidate)
        _screening, token = screenings.create(session, candidate, rubric_id, lang, 7)  # type: ignore[arg-type]
    link = f"{site.url}/screening/{token}"
    # A forged link names no invitation: its page speaks the browser's language.
    context = browser.new_context(viewport=SIZES[size], locale="fr-FR" if lang == "fr" else "en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    tag = f"{lang}-{size}"
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["self_screen"])
    expect(page.locator("#who-asks")).to_contain_text("Community manager")
    check(page, f"{tag}-self-screen")
    asked = page.locator("textarea").count()
    page.locator("textarea").first.fill(ANSWER)
    page.get_by_role("button", name=words["review_answers"]).click()
    expect(page.locator(".field.invalid")).to_have_count(asked - 1)
    check(page, f"{tag}-self-screen-refused")
    skips = page.get_by_label(words["skip_question"])
    for index in range(1, skips.count()):
        skips.nth(index).check()
    page.get_by_role("button", name=words["review_answers"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["review_answers_title"])
    check(page, f"{tag}-self-screen-review")
    page.get_by_role("button", name=words["send_answers"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["thanks"][:5])
    check(page, f"{tag}-self-screen-thanks")
    page.goto(link)
    expect(page.get_by_role("alert")).to_have_text(words["link_used"])
    check(page, f"{tag}-self-screen-used")
    page.goto(link[:-3] + "xyz")
    expect(page.get_by_role("alert")).to_have_text(words["link_forged"])
    check(page, f"{tag}-self-screen-forged")
    context.close()
