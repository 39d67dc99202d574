"""Candidate reports (JSON, HTML, PDF) and streamed exports (CSV, JSON Lines)."""

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from app.core.config import Settings
from app.reports.exports import FORMULA_STARTS, safe_cell
from app.rubric import load_rubrics
from tests.api.conftest import Api
from tests.commands import tamis
from tests.rubric.test_shipped_rubric import ALL, CORE

NAME = "Zoë Lefèvre-Dubois « test »"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def screened(api: Api) -> dict[str, Any]:
    position = api.position(readiness={"role_strategic_voice": "no"})
    candidate = api.candidate(position["id"], full_name=NAME, email="zoe@example.org")
    cid = candidate["id"]
    api.assessment(
        cid,
        "Ana",
        {**dict.fromkeys(ALL, 4), "measures_impact": 1},
        notes={
            "measures_impact": f"parle d’« engagement » {SCRIPT}",
            # vanity_metrics beside influence_over_audience at 4 is a contradiction: explained.
            "influence_over_audience": "résultats réels pour l’association, malgré les 40k",
        },
        flags=[{"id": "vanity_metrics", "note": "cite ses 40k abonnés"}],
    )
    api.assessment(cid, "Bruno", dict.fromkeys(ALL, 3), notes={"hands_on_practice": "forum"})
    api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/decisions",
        201,
        json={"decision": "advance", "decided_by": "Claire Dupont", "rationale": "à revoir"},
    )
    return candidate


def _titles(language: str) -> list[str]:
    rubric = next(iter(load_rubrics(Settings().criteria_dir).values()))
    return [c.title.get(language) for c in rubric.criteria]  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pdf_report_holds_the_name_criteria_and_recommendation(
    client: TestClient, screened: dict[str, Any], language: str
) -> None:
    response = client.get(f"/api/v1/candidates/{screened['id']}/report?format=pdf&lang={language}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert NAME in flat
    for title in _titles(language):
        assert " ".join(title.split()) in flat, title
    warning = client.get(f"/api/v1/positions/{screened['position_id']}?lang={language}").json()
    assert " ".join(warning["warnings"][0]["text"][:40].split()) in flat  # U+202F included
    verdict = client.get(f"/api/v1/candidates/{screened['id']}/verdict?lang={language}").json()
    label = json.loads(
        client.get(f"/api/v1/candidates/{screened['id']}/report?lang={language}").text
    )["verdict"]["recommendation_label"]
    # The panel's measures_impact is 1 (Ana 1, Bruno 3: lower median), which in rubric 2.0.0
    # means cannot_measure_impact, a dealbreaker.
    assert verdict["recommendation"] == "no_hire"
    assert label in flat
    assert f"1/{len(reader.pages)}" in flat  # page numbers
    assert "Claire Dupont" in flat and "40k abonnés" in flat
    assert reader.metadata is not None and NAME in (reader.metadata.title or "")


def test_the_html_report_is_escaped_and_complete(
    client: TestClient, screened: dict[str, Any]
) -> None:
    response = client.get(
        f"/api/v1/candidates/{screened['id']}/report", headers={"Accept": "text/html"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert SCRIPT not in page and "&lt;script&gt;alert(" in page
    assert NAME in page  # « » need no escaping
    for title in _titles("en"):
        assert title.replace("'", "&#39;") in page, title
    assert "<svg" in page and "@media print" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # no outside resource
    french = client.get(f"/api/v1/candidates/{screened['id']}/report?format=html&lang=fr").text
    assert 'lang="fr"' in french and "Avis du jury" in french


def test_the_json_report_by_default(client: TestClient, screened: dict[str, Any]) -> None:
    report = client.get(f"/api/v1/candidates/{screened['id']}/report").json()
    assert report["candidate"]["full_name"] == NAME
    assert report["interviewers"] == ["Ana", "Bruno"]
    impact = next(c for c in report["criteria"] if c["id"] == "measures_impact")
    assert impact["ratings"] == {"Ana": 1, "Bruno": 3} and impact["needs_calibration"]
    flags = {f["id"]: f for f in report["flags"]}
    assert flags["vanity_metrics"]["raised_by"] == ["Ana"]
    assert "cannot_measure_impact" in flags  # measures_impact at 1 implies it (rubric 2.0.0)
    assert "Charlatan Managers" in flags["vanity_metrics"]["source"]  # by title, never file name
    assert "003_" not in flags["vanity_metrics"]["source"]
    assert report["decisions"][0]["decided_by"] == "Claire Dupont"
    bad = client.get(f"/api/v1/candidates/{screened['id']}/report?format=docx")
    assert bad.status_code == 422 and bad.json()["errors"][0]["valid"] == ["json", "html", "pdf"]


def test_reports_and_exports_speak_the_readers_time_and_name_their_files(
    client: TestClient, screened: dict[str, Any]
) -> None:
    """Times in TAMIS_TIMEZONE (Europe/Paris by default), as in the pages; file names with the
    candidate, the position and the day, with the accents kept in `filename*` (RFC 6266)."""
    base = f"/api/v1/candidates/{screened['id']}"
    local = r"(UTC|GMT)\+0[12]:00"
    ascii_name = r"tamis-Zoe-Lefevre-Dubois-test-Community-manager-\d{4}-\d\d-\d\d"
    full = quote("tamis-Zoë-Lefèvre-Dubois-«-test-»-Community-manager-", safe="")
    for path in (f"{base}/report?format=pdf&lang=fr", f"{base}/report.pdf"):
        response = client.get(path)
        disposition = response.headers["content-disposition"]
        assert re.fullmatch(
            rf"inline; filename=\"{ascii_name}\.pdf\"; filename\*=UTF-8''{re.escape(full)}"
            r"\d{4}-\d\d-\d\d\.pdf",
            disposition,
        ), disposition
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert re.search(local, text) and " UTC " not in f"{text} "
    html = client.get(f"{base}/report?format=html")
    assert re.search(rf'filename="{ascii_name}\.html"', html.headers["content-disposition"])
    assert re.search(local, html.text)
    export = client.get("/api/v1/exports/assessments")
    assert re.fullmatch(
        r'attachment; filename="tamis-assessments-\d{4}-\d\d-\d\d-\d{6}\.csv"',
        export.headers["content-disposition"],
    )
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert rows and all(re.search(r"\+0[12]:00$", row["submitted_at"]) for row in rows)


QUOTE = "il n'y a pas vraiment moyen de mesurer l'impact"


@pytest.mark.parametrize("own_note", [None, "Je l'ai relancée : même réponse"])
def test_a_confirmed_suggestion_is_quoted_as_the_candidates_words(
    api: Api, client: TestClient, own_note: str | None
) -> None:
    """A red flag confirmed from a self-screen suggestion: the report shows the candidate's
    words, in quotation marks, as the candidate's, confirmed by the interviewer; never as the
    interviewer's own note. A note the interviewer wrote stays theirs."""
    candidate = api.candidate()
    flag = {"id": "cannot_measure_impact", "origin": "suggestion", "quote": QUOTE}
    # The pages store the quote as the note when the interviewer adds none.
    flag["note"] = own_note or QUOTE
    interviewer = {"name": "Claire Dupont", "email": "claire@example.org"}
    api.assessment(
        candidate["id"],
        "Claire",
        {**dict.fromkeys(ALL, 3), "measures_impact": 2},
        flags=[flag],
        interviewer=interviewer,
    )
    base = f"/api/v1/candidates/{candidate['id']}/report"
    french = "La personne, dans le questionnaire préalable (confirmé par Claire Dupont)"
    english = "The candidate, in the self-screen (confirmed by Claire Dupont)"
    report = client.get(f"{base}?lang=fr").json()
    (raised,) = [f for f in report["flags"] if f["id"] == "cannot_measure_impact"]
    expected = [{"by": french, "text": f"«\u202f{QUOTE}\u202f»"}]
    if own_note:
        expected.insert(0, {"by": "Claire Dupont", "text": own_note})
    assert raised["notes"] == expected

    html = client.get(f"{base}?format=html&lang=en").text
    assert f"<strong>{english}</strong>: “{QUOTE.replace(chr(39), '&#39;')}”" in html
    assert f"<strong>Claire Dupont</strong>: {QUOTE.replace(chr(39), '&#39;')}" not in html
    for language, label in (("fr", french), ("en", english)):
        document = client.get(f"{base}?format=pdf&lang={language}").content
        flat = " ".join(
            " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages).split()
        )
        colon = "\u202f: " if language == "fr" else ": "
        opening, closing = ("«\u202f", "\u202f»") if language == "fr" else ("“", "”")
        said = " ".join(f"{label}{colon}{opening}{QUOTE}{closing}".split())
        assert said in flat, flat[-1500:]
        assert " ".join(f"Claire Dupont{colon}{QUOTE}".split()) not in flat


def _csv(client: TestClient, **params: Any) -> list[dict[str, str]]:
    response = client.get("/api/v1/exports/assessments", params=params)
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8-sig")
    delimiter = ";" if params.get("separator") == "semicolon" else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_csv_export_rows_and_filters(
    api: Api, client: TestClient, screened: dict[str, Any]
) -> None:
    rows = _csv(client)
    assert len(rows) == 2
    ana = next(r for r in rows if r["interviewer_name"] == "Ana")
    assert ana["candidate_name"] == NAME and ana["measures_impact"] == "1"
    assert ana["flags"] == "vanity_metrics"
    verdict = api.ok("GET", f"/api/v1/assessments/{ana['assessment_id']}")["verdict"]
    assert (ana["recommendation"], float(ana["score"])) == (
        verdict["recommendation"],
        verdict["score"],
    )
    assert ana["rubric_version"].startswith("2.0.0+")
    other = api.position(title="Other")
    assert _csv(client, position_id=other["id"]) == []
    assert len(_csv(client, recommendation=ana["recommendation"])) >= 1
    assert _csv(client, submitted_from="2999-01-01T00:00:00Z") == []

    french = client.get(
        "/api/v1/exports/assessments", params={"separator": "semicolon", "bom": True}
    )
    assert french.content.startswith("\ufeff".encode())
    first_line = french.content.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("assessment_id;submitted_at;")
    by_comma = {r["assessment_id"]: r for r in rows}
    for row in _csv(client, separator="semicolon", bom=True):
        assert row["score"] == by_comma[row["assessment_id"]]["score"].replace(".", ",")
        assert row["candidate_name"] == NAME

    lines = client.get("/api/v1/exports/assessments?format=jsonl").text.splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["interviewer_name"] for r in records} == {"Ana", "Bruno"}
    assert records[0]["ratings"]["measures_impact"] in (1, 3)


def test_csv_cells_never_run_as_formulas(api: Api, client: TestClient) -> None:
    position = api.position(title="-2+3")
    formula = '=HYPERLINK("http://x","y")'
    candidate = api.candidate(position["id"], full_name=formula, external_id="@SUM(A1)")
    api.assessment(candidate["id"], "Ana", dict.fromkeys(ALL, 3))
    row = _csv(client)[0]
    assert row["candidate_name"] == "'" + formula
    assert row["candidate_external_id"] == "'@SUM(A1)"
    assert row["position_title"] == "'-2+3"
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


@given(st.text(alphabet="'=+-@\t\rab1 ", max_size=8))
def test_the_quote_prefix_reads_back_every_value(value: str) -> None:
    """The README's reading rule undoes the guard for any text, including one that itself
    begins with `'=`."""
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    stripped = cell.lstrip("'")
    read = cell[1:] if cell[:1] == "'" and stripped[:1] in "=+-@\t\r" and stripped else cell
    assert read == value


def test_notes_and_summary_columns_on_request_and_formula_safe(
    api: Api, client: TestClient
) -> None:
    candidate = api.candidate()
    api.assessment(
        candidate["id"],
        "Ana",
        dict.fromkeys(ALL, 3),
        notes={CORE[0]: "=1+1 said twice"},
        summary="-Strong on metrics\nweak on tone",
    )
    plain = _csv(client)[0]
    assert "summary" not in plain and f"note:{CORE[0]}" not in plain
    row = _csv(client, notes=True, summary=True)[0]
    assert row[f"note:{CORE[0]}"] == "'=1+1 said twice"
    assert row["summary"] == "'-Strong on metrics\nweak on tone"
    assert row[f"note:{CORE[1]}"] == ""
    lines = client.get("/api/v1/exports/assessments?format=jsonl&notes=true").text.splitlines()
    record = json.loads(lines[0])
    assert record["notes"][CORE[0]] == "=1+1 said twice" and "summary" not in record
    assert "notes" not in json.loads(
        client.get("/api/v1/exports/assessments?format=jsonl").text.splitlines()[0]
    )


def test_exports_and_reports_forget_an_erased_candidate(
    api: Api, client: TestClient, screened: dict[str, Any]
) -> None:
    api.ok("POST", f"/api/v1/candidates/{screened['id']}/erase")
    for response in (
        client.get("/api/v1/exports/assessments"),
        client.get("/api/v1/exports/assessments?format=jsonl"),
        client.get(f"/api/v1/candidates/{screened['id']}/report?format=html"),
        client.get(f"/api/v1/candidates/{screened['id']}/report"),
    ):
        assert response.status_code == 200
        assert "Zoë" not in response.text and "zoe@example.org" not in response.text
        assert "40k abonnés" not in response.text and "engagement" not in response.text
    pdf = client.get(f"/api/v1/candidates/{screened['id']}/report?format=pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Zoë" not in text and "40k" not in text


def test_report_and_export_commands(
    settings: Settings, screened: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    made = tamis(
        settings, "report", screened["id"], "--format", "pdf", "--out", str(out), "--lang", "fr"
    )
    assert made.returncode == 0, made.stderr
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert NAME in " ".join(text.split()) and "Avis du jury" in text
    missing = tamis(settings, "report", "00000000-0000-0000-0000-000000000000", "--out", str(out))
    assert missing.returncode == 1 and "no candidate" in missing.stderr

    csv_out = tmp_path / "export.csv"
    exported = tamis(
        settings,
        "export",
        "assessments",
        "--format",
        "csv",
        "--out",
        str(csv_out),
        "--separator",
        "semicolon",
        "--bom",
    )
    assert exported.returncode == 0, exported.stderr
    assert "wrote 2 assessment(s)" in exported.stdout
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text("utf-8-sig")), delimiter=";"))
    assert {r["interviewer_name"] for r in rows} == {"Ana", "Bruno"}
