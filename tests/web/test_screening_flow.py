"""A whole screening in a real browser, in French and in English, checked with axe-core."""

import io
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from app.core.config import shipped_criteria_dir
from app.rubric import load_rubrics
from tests.web.conftest import Site, shoot, sign_in

RUBRIC = load_rubrics(shipped_criteria_dir())["social-media-screen"]
CORE = [c for c in RUBRIC.criteria if c.group == "core"]
WORDS = {
    "en": {
        "positions": "Positions",
        "title": "Title",
        "open": "Open a position",
        "full_name": "Full name",
        "add": "Add",
        "fill": "Fill in your assessment",
        "submit": "Submit",
        "save": "Save as draft",
        "decision": "reject",
        "confirm_submit": "Confirm and submit",
        "confirm": "I confirm this decision",
        "rationale": "Rationale",
        "record": "Record the decision",
        "pdf": "Download the PDF report",
        "incomplete": "incomplete",
        "strong": "strong hire",
        "required": "A rating (or “not observed”) is required to submit.",
        "hold": "hold",
    },
    "fr": {
        "positions": "Postes",
        "title": "Intitulé",
        "open": "Ouvrir un poste",
        "full_name": "Nom complet",
        "add": "Ajouter",
        "fill": "Remplir votre évaluation",
        "submit": "Soumettre",
        "save": "Enregistrer le brouillon",
        "decision": "refuser",
        "confirm_submit": "Confirmer et soumettre",
        "confirm": "Je confirme cette décision",
        "rationale": "Justification",
        "record": "Enregistrer la décision",
        "pdf": "Télécharger le rapport PDF",
        "incomplete": "incomplet",
        "strong": "à recruter sans réserve",
        "required": "Une note (ou «\u202fnon observé\u202f») est nécessaire pour soumettre.",
        "hold": "à approfondir",
    },
}


def assert_accessible(page: Page, where: str) -> None:
    """No axe-core violation on the page, at any impact."""
    violations = Axe().run(page).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert bad == [], f"{where}: {bad}"


def rate(page: Page, criterion: Any, level: int, lang: str) -> None:
    page.locator(f"#criterion-{criterion.id} input[value='{level}']").check()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_screen_a_candidate_end_to_end(page: Page, site: Site, lang: str) -> None:
    w = WORDS[lang]
    email = site.account("claire@example.org", "admin", "Claire Dupont")
    sign_in(page, site, email, lang)
    assert_accessible(page, "candidates (empty)")

    page.get_by_role("link", name=w["positions"], exact=True).click()
    page.get_by_label(w["title"]).fill("Community manager")
    page.get_by_role("button", name=w["open"]).click()
    expect(page.get_by_text("Community manager")).to_be_visible()

    page.goto(f"{site.url}/candidates")
    page.get_by_label(w["full_name"]).fill("Zoë Lefèvre-Dubois")
    page.get_by_role("button", name=w["add"], exact=True).click()
    page.wait_for_url(re.compile(r".*/candidates/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Lefèvre-Dubois")
    assert_accessible(page, "candidate page")
    shoot(page, f"{lang}-candidate-new")

    page.get_by_role("link", name=w["fill"]).click()
    preview = page.locator("#preview .badge")
    expect(preview).to_have_text(w["incomplete"])
    assert_accessible(page, "assessment form")

    # A submission with a core criterion left out is refused, next to the criterion, and
    # nothing typed is lost.
    for criterion in CORE[:-1]:
        rate(page, criterion, 4, lang)
    page.locator(f"#note-{CORE[0].id}").fill("Cite ses sources, « veille » quotidienne")
    page.get_by_role("button", name=w["submit"]).click()
    missing = page.locator(f"#criterion-{CORE[-1].id}")
    expect(missing.locator(".error")).to_have_text(w["required"])
    expect(page.locator(f"#note-{CORE[0].id}")).to_have_value(
        "Cite ses sources, « veille » quotidienne"
    )
    expect(page.locator(f"#criterion-{CORE[0].id} input[value='4']")).to_be_checked()
    assert_accessible(page, "assessment form with errors")
    shoot(page, f"{lang}-assessment-errors")

    # The preview follows the choices, computed by the engine on the server (every criterion
    # rated: a determinate verdict).
    for criterion in RUBRIC.criteria:
        if criterion.group != "core":
            rate(page, criterion, 4, lang)
    rate(page, CORE[-1], 4, lang)
    expect(preview).to_have_text(w["strong"])
    rate(page, CORE[-1], 1, lang)  # a core criterion failed outright caps at "hold"
    expect(preview).to_have_text(w["hold"])
    rate(page, CORE[-1], 4, lang)
    expect(preview).to_have_text(w["strong"])
    shoot(page, f"{lang}-assessment-filled")
    page.get_by_role("button", name=w["submit"]).click()
    page.wait_for_url("**/assessment/review")
    assert_accessible(page, "review before submitting")
    page.get_by_role("button", name=w["confirm_submit"]).click()
    page.wait_for_url(re.compile(r".*/candidates/[0-9a-f-]{36}(#.*)?$"))
    expect(page.locator("#verdict-section .badge")).to_have_text(w["strong"])
    shoot(page, f"{lang}-candidate-verdict")

    # A decision against the recommendation needs a rationale: said next to the field.
    page.get_by_label(w["decision"], exact=True).check()
    expect(page.locator("#rationale-needed")).to_be_visible()  # said before posting
    page.get_by_label(re.compile(w["confirm"])).check()
    page.evaluate("document.getElementById('f-rationale').required = false")  # the server's say
    page.get_by_role("button", name=w["record"]).click()
    expect(page.locator("#e-rationale")).to_be_visible()
    expect(page.locator("#f-rationale")).to_be_focused()  # the first field in error
    expect(page.get_by_label(w["decision"], exact=True)).to_be_checked()
    assert_accessible(page, "decision with an error")
    page.get_by_label(w["rationale"]).fill("Budget gelé : le poste est suspendu.")
    page.get_by_label(re.compile(w["confirm"])).check()
    page.get_by_role("button", name=w["record"]).click()
    expect(page.locator("#decisions")).to_be_visible()
    expect(page.get_by_text("Budget gelé : le poste est suspendu.")).to_be_visible()
    shoot(page, f"{lang}-candidate-decided")

    with page.expect_download() as download:
        page.get_by_role("link", name=w["pdf"]).click()
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Zoë Lefèvre-Dubois" in text and CORE[0].title.get(lang) in " ".join(text.split())


def test_keyboard_only(page: Page, site: Site) -> None:
    """The sign-in and the assessment form work from the keyboard, with a visible focus."""
    email = site.account("kim@example.org", "admin", "Kim")
    page.goto(f"{site.url}/sign-in?lang=en")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip")).to_be_focused()
    page.get_by_label("Email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url("**/candidates**")
    outline = page.evaluate(
        "() => { const a = document.querySelector('nav a'); a.focus();"
        " return getComputedStyle(a).outlineStyle; }"
    )
    assert outline != "none"

    # A position and a candidate, typed and sent with Enter.
    page.goto(f"{site.url}/positions")
    page.get_by_label("Title").focus()
    page.keyboard.type("Community manager")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Community manager")).to_be_visible()
    page.goto(f"{site.url}/candidates")
    page.get_by_label("Full name").focus()
    page.keyboard.type("Zoë Lefèvre-Dubois")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/candidates/[0-9a-f-]{36}$"))

    # The assessment form, from the keyboard only: Tab to each rating, arrows to choose,
    # Tab to the Submit button, Enter.
    tab_to(page, "el.tagName === 'A' && el.textContent.includes('Fill in your assessment')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/assessment**")
    for criterion in RUBRIC.criteria:  # every criterion rated: a determinate preview
        tab_to(page, f"el.type === 'radio' && el.name === 'rating.{criterion.id}'")
        for _ in range(6):  # arrows move the choice within the group, as in any radio group
            if page.evaluate("() => document.activeElement.value") == "4":
                break
            page.keyboard.press("ArrowUp")
        radio = page.locator(f"#criterion-{criterion.id} input[type=radio][value='4']")
        expect(radio).to_be_checked()
        expect(radio).to_be_focused()
    expect(page.locator("#preview .badge")).to_have_text("strong hire")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Submit'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/assessment/review")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Confirm and submit'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/candidates/[0-9a-f-]{36}(#.*)?$"))
    expect(page.locator("#verdict-section .badge")).to_have_text("strong hire")


def tab_to(page: Page, condition: str, limit: int = 300) -> None:
    """Press Tab until the focused element `el` meets `condition` (JavaScript)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({condition}); }}"):
            return
    raise AssertionError(f"{condition}: not reached with {limit} presses of Tab")
