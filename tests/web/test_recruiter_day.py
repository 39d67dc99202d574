"""A recruiter's day in a real browser, in French and English, on a phone (390 px), a laptop
(1280 px) and a wide screen (1440 px): scorecards that survive an ended session, a review before
submitting, amendments, the candidate page built for the decision, and the candidates list.
axe-core must report no violation at any impact on any page; each page leaves a screenshot under
test-artifacts/."""

import io
import json
import re
import uuid
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlmodel import select

from app.assessments import service as assessments
from app.assessments.models import Assessment, AssessmentCreate
from app.candidates import service as candidates
from app.candidates.models import CandidateCreate
from app.commands import command_session
from app.core.config import shipped_criteria_dir
from app.positions import service as positions
from app.positions.models import PositionCreate
from app.rubric import load_rubrics
from app.rubric.store import RubricRegistry
from tests.web.conftest import PASSWORD, Site, shoot, sign_in

pytestmark = pytest.mark.long  # six browser runs of about 30 s: scheduled first

RUBRICS = load_rubrics(shipped_criteria_dir())
RUBRIC = RUBRICS["social-media-screen"]
CORE = [c for c in RUBRIC.criteria if c.group == "core"]
SIZES = {
    "phone": {"width": 390, "height": 844},
    "laptop": {"width": 1280, "height": 900},
    "wide": {"width": 1440, "height": 900},
}
EVERY_SIZE = [(lang, size) for size in SIZES for lang in ("fr", "en")]
W = {
    "en": {
        "fill": "Fill in your assessment",
        "save": "Save as draft",
        "submit": "Submit",
        "saved_at": r"Saved at \d\d:\d\d",
        "lost": "Your session has ended",
        "restored": "were restored",
        "required": "A rating (or “not observed”) is required to submit.",
        "confirm_submit": "Confirm and submit",
        "unrated": "Not rated",
        "amend": "Amend my assessment",
        "reason": "Reason for the amendment",
        "save_amendment": "Save the amendment",
        "reject": "reject",
        "advance": "advance",
        "rationale": "Rationale",
        "confirm": "I confirm this decision",
        "record": "Record the decision",
        "current": "Current decision",
        "replaces": "this one replaces it",
        "side": "Ratings side by side",
        "full_name": "Full name",
        "add": "Add",
        "duplicate": "may already be in the list",
        "required_field": "Required.",
        "count": "2 candidates",
        "email": "Email",
        "password": "Password",
        "sign_in": "Sign in",
        "back": "Back to the form",
    },
    "fr": {
        "fill": "Remplir votre évaluation",
        "save": "Enregistrer le brouillon",
        "submit": "Soumettre",
        "saved_at": r"Enregistré à \d\d:\d\d",
        "lost": "Votre session a pris fin",
        "restored": "ont été restaurées",
        "required": "Une note (ou «\u202fnon observé\u202f») est nécessaire pour soumettre.",
        "confirm_submit": "Confirmer et soumettre",
        "unrated": "Non notés",
        "amend": "Modifier mon évaluation",
        "reason": "Motif de la modification",
        "save_amendment": "Enregistrer la modification",
        "reject": "refuser",
        "advance": "poursuivre",
        "rationale": "Justification",
        "confirm": "Je confirme cette décision",
        "record": "Enregistrer la décision",
        "current": "Décision en vigueur",
        "replaces": "celle-ci la remplace",
        "side": "Les notes côte à côte",
        "full_name": "Nom complet",
        "add": "Ajouter",
        "duplicate": "figure peut-être déjà",
        "required_field": "Obligatoire.",
        "count": "2\u00a0candidatures",
        "email": "Courriel",
        "password": "Mot de passe",
        "sign_in": "Se connecter",
        "back": "Revenir au formulaire",
    },
}


def check(page: Page, name: str) -> None:
    """No axe-core violation at any impact, no horizontal scroll, and a screenshot."""
    violations = Axe().run(page).response["violations"]
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert found == [], f"{name}: {found}"
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: {overflow} px of horizontal scroll"
    shoot(page, name)


def seed(site: Site, interviewer: str) -> tuple[uuid.UUID, uuid.UUID]:
    """A position, a candidate, and another interviewer's submitted scorecard with a summary."""
    registry = RubricRegistry(RUBRICS)
    with command_session(site.settings, "test setup") as session:
        position = positions.create(session, registry, PositionCreate(title="Community manager"))
        candidate = candidates.create(
            session,
            CandidateCreate(full_name="Zoë Lefèvre-Dubois", position_id=position.id),
        )
        other = assessments.create(
            session,
            registry,
            candidate,
            AssessmentCreate.model_validate(
                {
                    "interviewer": {"name": "Ina Moreau", "email": interviewer},
                    "ratings": {c.id: 2 for c in CORE},
                    "notes": {CORE[0].id: "Hésite sur la veille"},
                    "summary": "Solide sur la conversation, faible sur la mesure.",
                }
            ),
        )
        assessments.submit(session, registry, other)
        return position.id, candidate.id


def stored(site: Site, email: str) -> Assessment:
    with command_session(site.settings, "test read") as session:
        return session.exec(select(Assessment).where(Assessment.interviewer_email == email)).one()


def rate(page: Page, criterion: Any, level: int, lang: str) -> None:
    page.locator(f"#criterion-{criterion.id} input[value='{level}']").check()


@pytest.mark.parametrize(("lang", "size"), EVERY_SIZE)
def test_a_recruiters_day(browser: Browser, site: Site, lang: str, size: str) -> None:
    w = W[lang]
    tag = f"{lang}-{size}"
    email = site.account("claire@example.org", "admin", "Claire Dupont")
    _position, candidate_id = seed(site, "ina@example.org")
    context = browser.new_context(viewport=SIZES[size], locale="fr-FR" if lang == "fr" else "en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{site.url}/sign-in?lang={lang}")
    check(page, f"{tag}-sign-in")
    sign_in(page, site, email, lang)
    expect(page.locator("#count")).to_have_text(re.compile("1"))
    check(page, f"{tag}-list")

    # Adding the same person again is warned, not silent; a refused field speaks the page's
    # language and gets the focus.
    page.get_by_label(w["full_name"]).fill("Zoe Lefevre-Dubois")
    page.get_by_role("button", name=w["add"], exact=True).click()
    expect(page.locator("#duplicates")).to_contain_text(w["duplicate"])
    check(page, f"{tag}-list-duplicate")
    page.evaluate(
        "document.querySelector('form[method=post][action=\"/candidates\"]').noValidate = true"
    )
    page.get_by_label(w["full_name"]).fill("")
    page.get_by_role("button", name=w["add"], exact=True).click()
    expect(page.locator("#e-full_name")).to_have_text(w["required_field"])
    expect(page.get_by_label(w["full_name"])).to_be_focused()

    # The scorecard: autosaved with its time.
    page.goto(f"{site.url}/candidates/{candidate_id}/assessment")
    rate(page, CORE[0], 4, lang)
    status = page.locator("#autosave-status")
    expect(status).to_have_text(re.compile(w["saved_at"]))
    assert stored(site, email).answers["ratings"][CORE[0].id] == 4
    check(page, f"{tag}-assessment-autosaved")
    # A section navigator and a summary bar that stay on screen while scrolling.
    expect(page.locator("nav.sections a").first).to_be_visible()
    page.mouse.wheel(0, 4000)
    expect(page.locator(".summary-bar")).to_be_in_viewport()
    expect(page.locator("nav.sections")).to_be_in_viewport()

    # Leaving with unsaved changes asks first.
    seen: list[str] = []
    page.once("dialog", lambda dialog: (seen.append(dialog.type), dialog.dismiss()))
    page.locator(f"#note-{CORE[1].id}").fill("Pas encore enregistré")
    page.get_by_role("link", name=re.compile("Zoë")).first.click()
    page.wait_for_timeout(300)
    assert seen == ["beforeunload"]
    assert page.url.endswith("/assessment")

    # The session ends mid-form: the autosave says so, "Save" leads to the sign-in page, and
    # after signing in the form comes back as it was; saving then loses nothing.
    context.clear_cookies()
    rate(page, CORE[1], 3, lang)
    page.locator(f"#note-{CORE[0].id}").fill("Cite ses sources, « veille » quotidienne")
    expect(status).to_contain_text(w["lost"])
    page.get_by_role("button", name=w["save"]).click()
    page.wait_for_url("**/sign-in**")
    page.get_by_label(w["email"]).fill(email)
    page.get_by_label(w["password"]).fill(PASSWORD)
    page.get_by_role("button", name=w["sign_in"]).click()
    page.wait_for_url("**/assessment")
    expect(page.locator("#restored")).to_contain_text(w["restored"])
    expect(page.locator(f"#note-{CORE[0].id}")).to_have_value(
        "Cite ses sources, « veille » quotidienne"
    )
    page.get_by_role("button", name=w["save"]).click()
    page.wait_for_url("**/assessment?saved=1")
    expect(page.get_by_role("status").first).to_have_text(re.compile(w["saved_at"]))
    kept = stored(site, email).answers
    assert kept["ratings"][CORE[0].id] == 4 and kept["ratings"][CORE[1].id] == 3
    assert kept["notes"][CORE[0].id] == "Cite ses sources, « veille » quotidienne"

    # Submitting with a core criterion unrated: the error is named, the focus goes to it.
    page.get_by_role("button", name=w["submit"]).click()
    missing = page.locator(f"#criterion-{CORE[2].id}")
    expect(missing.locator(".error")).to_have_text(w["required"])
    expect(missing.locator("input").last).to_be_focused()
    check(page, f"{tag}-assessment-errors")

    # The review lists what is still unrated, and asks to confirm.
    for criterion in CORE[2:]:
        rate(page, criterion, 3, lang)
    page.get_by_role("button", name=w["submit"]).click()
    page.wait_for_url("**/assessment/review")
    expect(page.get_by_role("heading", name=re.compile(w["unrated"]))).to_be_visible()
    expect(page.locator("#review-no-summary")).to_be_visible()
    check(page, f"{tag}-review")
    page.get_by_role("button", name=w["confirm_submit"]).click()
    page.wait_for_url(re.compile(r".*/candidates/[0-9a-f-]{36}(#.*)?$"))

    # The candidate page: the recommendation and its reasons on top, ratings side by side
    # (two interviewers), the other interviewer's take-aways, the agreement in words.
    expect(page.locator("#main-reasons li")).to_have_count(3)
    expect(page.locator("#agreement-words")).to_contain_text(
        re.compile("concordant" if lang == "fr" else "agrees")
    )
    expect(page.get_by_role("heading", name=w["side"])).to_be_visible()
    expect(page.locator("#side-by-side thead th")).to_have_count(3)
    expect(page.get_by_text("Solide sur la conversation, faible sur la mesure.")).to_be_visible()
    check(page, f"{tag}-candidate")
    # Criteria to discuss come first; the full reasons are folded.
    rows = page.locator("#side-by-side tbody tr").evaluate_all(
        "rows => rows.map(r => r.classList.contains('calibrate'))"
    )
    assert rows == sorted(rows, reverse=True), rows
    expect(page.locator("#all-reasons")).not_to_have_attribute("open", "")

    # A decision: the need for a rationale is said as it is chosen; the signed-in person is
    # recorded; a second decision says it replaces the first; one current, with its history.
    # Whether a rationale is needed is said as the decision is chosen (before posting).
    form = page.locator("#decision-form")
    recommended = form.get_attribute("data-recommendation")
    agrees = json.loads(form.get_attribute("data-agrees") or "{}")
    page.get_by_label(w["reject"], exact=True).check()
    needed = recommended == "incomplete" or not agrees.get("reject")
    expect(page.locator("#rationale-needed")).to_be_visible() if needed else expect(
        page.locator("#rationale-needed")
    ).to_be_hidden()
    page.get_by_label(w["rationale"]).fill("Budget gelé : le poste est suspendu.")
    page.get_by_label(re.compile(w["confirm"])).check()
    page.get_by_role("button", name=w["record"]).click()
    expect(page.locator("#decision-history li")).to_have_count(1)
    expect(page.locator("#decision-history li").first).to_contain_text("Claire Dupont")
    expect(page.locator("#replaces")).to_contain_text(w["replaces"])
    page.get_by_label(w["advance"], exact=True).check()
    page.get_by_label(w["rationale"]).fill("Le budget est rétabli.")
    page.get_by_label(re.compile(w["confirm"])).check()
    page.get_by_role("button", name=w["record"]).click()
    expect(page.locator("#decision-history li")).to_have_count(2)
    expect(page.locator("#decision-history li").first).to_contain_text(w["current"])
    check(page, f"{tag}-candidate-decided")

    # A refused decision (not confirmed), then the language link: no 405, the page comes back.
    page.get_by_label(w["reject"], exact=True).check()
    page.evaluate("document.getElementById('decision-form').noValidate = true")
    page.get_by_role("button", name=w["record"]).click()
    expect(page.locator("#e-confirm")).to_be_visible()
    check(page, f"{tag}-decision-refused")
    other = "en" if lang == "fr" else "fr"
    response = page.goto(f"{page.url.split('#')[0]}?lang={other}")
    assert response is not None and response.status == 200

    # An amendment from the page, with its reason.
    page.goto(f"{site.url}/candidates/{candidate_id}/assessment?lang={lang}")
    page.get_by_role("link", name=w["amend"]).click()
    page.get_by_label(w["reason"]).fill("Relu mes notes : la mesure était meilleure.")
    rate(page, CORE[0], 3, lang)
    check(page, f"{tag}-amend")
    page.get_by_role("button", name=w["save_amendment"]).click()
    page.wait_for_url(re.compile(r".*/candidates/[0-9a-f-]{36}(#.*)?$"))
    amended = stored(site, email)
    assert amended.revision == 2 and amended.answers["ratings"][CORE[0].id] == 3

    # The report: named after the candidate, times in the readers' zone (Europe/Paris), the
    # interviewers' take-aways, and no name broken across lines in the table's headings.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PDF")).click()
    # The browser reads the accented name from `filename*` (RFC 6266).
    assert re.fullmatch(
        r"tamis-Zoë-Lefèvre-Dubois-Community-manager-\d{4}-\d\d-\d\d\.pdf",
        download.value.suggested_filename,
    )
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Solide sur la conversation" in text
    assert re.search(r"(UTC|GMT)\+0[12]:00", text)
    assert "Moreau" in text and "Mo reau" not in text
    html = page.request.get(f"{site.url}/candidates/{candidate_id}/report.html").text()
    assert "Solide sur la conversation" in html and re.search(r"(UTC|GMT)\+0[12]:00", html)
    # The printable report and an error page are pages too.
    page.goto(f"{site.url}/candidates/{candidate_id}/report.html")
    check(page, f"{tag}-report")
    missing_page = page.goto(f"{site.url}/candidates/{uuid.uuid4()}")
    assert missing_page is not None and missing_page.status == 404
    check(page, f"{tag}-not-found")
    context.close()


def test_the_list_pages_sorts_and_awaits(browser: Browser, site: Site) -> None:
    """Named pages, a count, sorting, and the interviewer's "awaiting my scorecard" view."""
    interviewer = site.account("ina@example.org", "interviewer", "Ina Moreau")
    _position, done_id = seed(site, interviewer)
    with command_session(site.settings, "test setup") as session:
        for n in range(54):
            candidates.create(
                session, CandidateCreate(full_name=f"Candidat {n:02d}", position_id=_position)
            )
    context = browser.new_context(viewport=SIZES["phone"], locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, site, interviewer, "en")
    expect(page.locator("#count")).to_contain_text("55 candidates")
    following = page.get_by_role("link", name="Next page (2)")
    expect(following).to_be_visible()
    check(page, "en-phone-list-paged")
    following.click()
    expect(page.get_by_role("link", name="Previous page (1)")).to_be_visible()
    expect(page.locator("table.list tbody tr")).to_have_count(5)
    page.get_by_label("Sort by").select_option("name")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.list tbody tr").first).to_contain_text("Candidat 00")
    page.get_by_role("link", name="Awaiting my scorecard").click()
    expect(page.locator("#count")).to_contain_text("54 candidates")
    expect(page.locator(f"a[href='/candidates/{done_id}']")).to_have_count(0)
    check(page, "en-phone-awaiting")
    context.close()


@pytest.mark.parametrize(("lang", "size"), [("en", "laptop"), ("fr", "phone")])
def test_not_observed_own_recommendation_and_contradictions(
    browser: Browser, site: Site, lang: str, size: str
) -> None:
    """The form offers "not observed" apart from unrated and 1, the interviewer's own
    recommendation, and shows a contradiction next to both the rating and the flag."""
    email = site.account("claire@example.org", "admin", "Claire Dupont")
    _position, candidate_id = seed(site, "ina@example.org")
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, site, email, lang)
    page.goto(f"{site.url}/candidates/{candidate_id}/assessment")
    learning = page.locator("#criterion-continuous_learning")
    expect(learning.get_by_role("radio")).to_have_count(len(CORE[0].anchors) + 2)
    not_observed = page.locator("#criterion-context_fit input[value=not_observed]")
    not_observed.check()
    expect(page.locator("#criterion-context_fit input[value='']")).not_to_be_checked()
    expect(page.locator("#contra-c-continuous_learning")).to_be_hidden()
    rate(page, CORE[0], 4, lang)
    page.locator("#flag-self_proclaimed_expert").check()
    expect(page.locator("#contra-c-continuous_learning")).to_be_visible()
    expect(page.locator("#contra-f-self_proclaimed_expert")).to_be_visible()
    expect(page.locator("#preview .contradictions li")).to_have_count(1)
    page.locator("#f-overall_recommendation input[value=hire]").check()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(W[lang]["saved_at"]))
    check(page, f"{lang}-{size}-assessment-contradiction")
    page.locator("#flag-self_proclaimed_expert").uncheck()
    expect(page.locator("#contra-f-self_proclaimed_expert")).to_be_hidden()
    context.close()


@pytest.mark.parametrize(("lang", "size"), [("fr", "phone"), ("en", "laptop"), ("fr", "wide")])
def test_positions_with_readiness_edit_and_archive(
    browser: Browser, site: Site, lang: str, size: str
) -> None:
    """A position with its description and readiness answers; a "no" warns, on the position's
    page and with its candidates; edit, archive, and no new candidates once archived."""
    fr = lang == "fr"
    email = site.account("claire@example.org", "admin", "Claire Dupont")
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, site, email, lang)
    page.goto(f"{site.url}/positions")
    page.get_by_label("Intitulé" if fr else "Title").fill("Community manager")
    page.get_by_label("Description").fill("Anime le forum des adhérents.")
    question = RUBRIC.role_questions[0]
    group = page.locator(f"#q-{question.id}")
    group.get_by_label("non" if fr else "no", exact=True).check()
    expect(page.locator(f"#w-{question.id}")).to_be_visible()  # said as it is chosen
    check(page, f"{lang}-{size}-positions")
    page.get_by_role("button", name="Ouvrir un poste" if fr else "Open a position").click()
    page.wait_for_url(re.compile(r".*/positions/[0-9a-f-]{36}$"))
    expect(page.locator("#position-warnings")).to_contain_text(question.warning.get(lang))
    expect(page.get_by_text("Anime le forum des adhérents.").first).to_be_visible()
    check(page, f"{lang}-{size}-position")
    page.locator(f"#q-{question.id}").get_by_label("oui" if fr else "yes", exact=True).check()
    page.get_by_role("button", name="Enregistrer le poste" if fr else "Save the position").click()
    page.wait_for_url("**?saved=1")
    expect(page.locator("#position-warnings")).to_have_count(0)
    page.get_by_role("button", name="Archiver le poste" if fr else "Archive the position").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("archivé" if fr else "archived")
    check(page, f"{lang}-{size}-position-archived")
    page.goto(f"{site.url}/candidates")
    expect(page.get_by_role("button", name="Ajouter" if fr else "Add", exact=True)).to_have_count(0)
    context.close()
