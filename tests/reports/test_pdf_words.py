"""The PDF report never cuts a word across lines: not a name in the table's headings, not a
candidate, interviewer, position, criterion or flag in any heading, cell or paragraph; a chart
label or the page header too long for its line loses whole words, shown by "…".

Each line of the document, as a PDF reader extracts it, is split into words; every word must be
a whole word of the report's texts (or a number, a date, a page number). A word cut in two
("Lefèv" / "re") is neither, and fails with the line it was found on.
"""

import io
import re
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from app.core.i18n import format_datetime
from app.reports import pdf
from app.reports.labels import LABELS
from app.reports.model import (
    CandidateReport,
    ReportCandidate,
    ReportCriterion,
    ReportDecision,
    ReportFlag,
    ReportPosition,
    ReportVerdict,
)
from app.scoring.verdict import AttributedNote

ZONE = ZoneInfo("Europe/Paris")
# Separators a line may be cut at, or that sit between words: spaces (also no-break ones,
# which a reader may extract as spaces), and the punctuation around words.
SPACES = re.compile(r"[\s\u00a0\u202f]+")
PUNCTUATION = "…•·:;,.()«»“”\"'’‘!?/"
NUMBERISH = re.compile(r"^[\d\s/.,:%+\-–—]*$|^(UTC|GMT)[+\-]\d\d:\d\d$")

LONG_NAMES = [
    "Marie-Bérénice Lefèvre-Dubois de La Villardière",
    "Ina Moreau",
    "Jean-Christophe Delacroix-Montmorency",
]


def _report(language: str, interviewers: list[str], candidate: str) -> CandidateReport:
    labels = LABELS[language]  # type: ignore[index]
    criteria = [
        ReportCriterion(
            id=f"c{n}",
            title=title,
            group="core",
            group_label="cœur" if language == "fr" else "core",
            ratings=dict.fromkeys(interviewers, n % 4 + 1),
            combined=(n % 4) + 1,
            anchor="Relie ses actions à des objectifs mesurables et explique ses choix",
            notes=[
                AttributedNote(by=name, text=f"{name} a noté : « veille » quotidienne")
                for name in interviewers
            ],
            needs_calibration=n == 1,
        )
        for n, title in enumerate(
            [
                "Mesure l’impact de ses actions sur la communauté et les objectifs de l’organisme",
                "Pratique concrète",
                "Hétérogénéité des canaux maîtrisés (forums, messageries, réseaux professionnels)",
                "Anticonstitutionnellement longue désignation d’un critère",
            ]
            * 3
        )
    ]
    return CandidateReport(
        language=language,  # type: ignore[arg-type]
        generated_at=datetime(2026, 11, 23, 16, 39, tzinfo=UTC),
        rubric_id="social-media-screen",
        rubric_version="2.0.0",
        scale_min=1,
        scale_max=4,
        candidate=ReportCandidate(
            id=uuid.uuid4(),
            full_name=candidate,
            email="zoe@example.org",
            external_id=None,
            status="in_review",
            status_label="en cours d’examen",
            erased=False,
        ),
        position=ReportPosition(
            id=uuid.uuid4(),
            title="Responsable communauté et réseaux sociaux (association régionale)",
            warnings=["Personne pour valider les prises de parole : à prévoir"],
        ),
        interviewers=interviewers,
        verdict=ReportVerdict(
            recommendation="hold",
            recommendation_label="à approfondir",
            score=61.5,
            coverage=0.8,
            agreement=0.42,
            reasons=["Les notes divergent sur la mesure de l’impact"] * 4,
            calibration=["Pratique concrète"],
        ),
        criteria=criteria,
        flags=[
            ReportFlag(
                id="vanity_metrics",
                title="Met en avant des chiffres de vanité plutôt que des résultats",
                severity="major",
                severity_label="majeur",
                raised_by=interviewers,
                notes=[AttributedNote(by=interviewers[0], text="Cite ses 40k abonnés")],
                verify="Demander quel objectif ces chiffres ont servi",
                source="Charlatan Managers",
            )
        ],
        decisions=[
            ReportDecision(
                decision="advance",
                decision_label="poursuivre",
                decided_by=interviewers[-1],
                rationale="Un second entretien sur la mesure",
                recommendation_label="à approfondir",
                against_recommendation=False,
                created_at=datetime(2026, 11, 23, 17, 2, tzinfo=UTC),
            )
        ],
        labels=labels,
        summaries=[AttributedNote(by=name, text="Solide, à revoir") for name in interviewers],
    )


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [*_strings(key), *_strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _vocabulary(report: CandidateReport) -> set[str]:
    """Every whole word of the report's texts, and the halves of hyphenated words (a line may
    end after a hyphen)."""
    texts = _strings(report.model_dump(mode="json"))
    texts += [format_datetime(d, report.language, ZONE) for d in (report.generated_at,)]
    texts += [format_datetime(d.created_at, report.language, ZONE) for d in report.decisions]
    # The table's key of initials when the names are too wide for their columns.
    texts += ["Tamis =", *("".join(w[0] for w in name.split()) for name in report.interviewers)]
    words: set[str] = set()
    for text in texts:
        for word in SPACES.split(text):
            word = word.strip(PUNCTUATION)
            words.add(word)
            parts = word.split("-")
            words.update(part + "-" for part in parts[:-1])
            words.update(parts)
    return {w for w in words if w}


def _cut_words(document: bytes, report: CandidateReport) -> list[tuple[str, str]]:
    vocabulary = _vocabulary(report)
    cut = []
    for page in PdfReader(io.BytesIO(document)).pages:
        for line in page.extract_text().splitlines():
            for token in SPACES.split(line):
                word = token.strip(PUNCTUATION)
                if word and word not in vocabulary and not NUMBERISH.match(word):
                    cut.append((word, line))
    return cut


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "interviewers",
    [LONG_NAMES[:2], LONG_NAMES, [*LONG_NAMES, "Zoé Łukasiewicz", "Ana"]],
    ids=["two", "three", "five (initials)"],
)
def test_no_word_is_cut_across_lines(language: str, interviewers: list[str]) -> None:
    report = _report(language, interviewers, "Zoë Lefèvre-Dubois de Saint-Exupéry-Montfaucon")
    document = pdf.render(report, ZONE)
    assert _cut_words(document, report) == []
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(document)).pages)
    for name in interviewers:  # each name is printed whole somewhere (the key, the notes)
        assert all(word in text for word in name.split())


def test_a_header_too_long_for_its_line_drops_whole_words() -> None:
    name = " ".join(["Lefèvre-Dubois"] * 12)
    report = _report("fr", LONG_NAMES[:2], name)
    document = pdf.render(report, ZONE)
    assert _cut_words(document, report) == []
    second = PdfReader(io.BytesIO(document)).pages[1].extract_text().splitlines()[0]
    assert second.startswith("Tamis — ") and second.endswith("Lefèvre-Dubois…")


def test_the_check_sees_a_cut_word() -> None:
    """The check itself: a word cut by character wrapping is found."""
    report = _report("en", LONG_NAMES[:2], "Zoë Lefèvre-Dubois")
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.add_font("DejaVu", "", pdf.FONTS / "DejaVuSans.ttf")
    document.set_font("DejaVu", "", 10)
    document.multi_cell(14, 5, "Lefèvre", wrapmode="CHAR")
    assert [word for word, _ in _cut_words(bytes(document.output()), report)] != []
