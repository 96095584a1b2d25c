"""The reports in a real browser: headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import Batch

pytestmark = pytest.mark.integration

PATIENTS = ("CRC01", "RD01", "CARD01", "HG001")
CHROMIUM = shutil.which("chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (bin/bootstrap installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int = 1300):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests


@pytest.mark.parametrize("patient", PATIENTS)
def test_report_opens_without_errors_or_network(demo_run: Batch, browser, patient: str):
    html = demo_run.workdir / "results" / patient / "report.html"
    page, errors, requests = _open(browser, html)
    shot = html.with_name("report.png")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert errors == []
    assert requests == [html.resolve().as_uri()]
    ids = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
    core = [
        i
        for i in ids
        if i
        in (
            "report-header",
            "findings",
            "not-assessable",
            "variants",
            "coverage",
            "qc",
            "provenance",
        )
    ]
    assert core == [
        "report-header", "findings", "not-assessable", "variants", "coverage", "qc", "provenance"
    ]  # fmt: skip
    page.close()


# a wide table may scroll inside its card; nothing may stick out of a card or the page
OVERFLOW = """() => {
  const out = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) out.push(`page ${page.scrollWidth}px wide`);
  for (const s of document.querySelectorAll('main > section')) {
    const box = s.getBoundingClientRect();
    if (s.scrollWidth > s.clientWidth + 1) out.push(`${s.id} content ${s.scrollWidth}px`);
    for (const t of s.querySelectorAll('.tw, svg, p, h2, h3')) {
      const r = t.getBoundingClientRect();
      if (r.width && r.right > box.right + 1) out.push(`${s.id} ${t.tagName} right ${r.right}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", [1400, 800])
@pytest.mark.parametrize("patient", PATIENTS)
def test_layout_fits_at_1400_and_800_px(demo_run: Batch, browser, patient: str, width: int):
    html = demo_run.workdir / "results" / patient / "report.html"
    page, errors, _ = _open(browser, html, width)
    assert page.evaluate(OVERFLOW) == []
    # a table wider than its card scrolls inside it (the card and the page do not)
    for wrap in page.locator(".tw").all():
        assert wrap.evaluate("w => getComputedStyle(w).overflowX") == "auto"
    assert errors == []
    page.close()


def test_filter_counts_rows_and_says_when_nothing_matches(demo_run: Batch, browser):
    page, errors, _ = _open(browser, demo_run.workdir / "results" / "CRC01" / "report.html")
    assert page.locator("label[for=vfilter]").inner_text().strip() == "Filter variants"
    total = page.eval_on_selector_all("#variant-table tbody tr", "rs => rs.length")
    visible = "rs => rs.filter(r => r.style.display !== 'none').length"
    shown = page.eval_on_selector_all("#variant-table tbody tr", visible)
    assert page.inner_text("#vcount") == f"{shown} of {total} shown"
    assert page.locator("#vnomatch").is_hidden()
    page.fill("#vfilter", "no-such-gene-xyz")
    assert page.inner_text("#vcount") == f"0 of {total} shown"
    assert page.locator("#vnomatch").is_visible()
    page.fill("#vfilter", "BRAF")
    assert page.locator("#vnomatch").is_hidden()
    assert errors == []
    page.close()


def _natural(chrom: str) -> tuple:
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"(\d+)", chrom))


def test_chromosomes_sort_naturally(demo_run: Batch, browser):
    page, errors, _ = _open(browser, demo_run.workdir / "results" / "CRC01" / "report.html")
    page.uncheck("#passonly")
    page.locator("#variant-table th").nth(1).click()  # chrom, ascending
    chroms = page.eval_on_selector_all(
        "#variant-table tbody tr", "rs => rs.map(r => r.cells[1].innerText.trim())"
    )
    assert len(set(chroms)) > 2
    assert chroms == sorted(chroms, key=_natural)
    assert chroms != sorted(chroms)  # plain text order would put chr10 before chr2
    assert errors == []
    page.close()


def test_batch_summary_sorts(demo_run: Batch, browser):
    page, errors, _ = _open(browser, demo_run.workdir / "results" / "batch" / "summary.html")
    first = "rs => rs.map(r => r.cells[0].innerText.trim())"
    before = page.eval_on_selector_all("#batch tbody tr", first)
    header = page.locator("#batch th").nth(0)
    header.click()
    header.click()
    assert page.eval_on_selector_all("#batch tbody tr", first) == sorted(before, reverse=True)
    assert errors == []
    page.close()


def test_variant_table_filters_and_sorts(demo_run: Batch, browser):
    page, errors, _ = _open(browser, demo_run.workdir / "results" / "CRC01" / "report.html")
    visible = "rs => rs.filter(r => r.style.display !== 'none').length"
    total_pass = page.eval_on_selector_all("#variant-table tbody tr", visible)
    assert total_pass > 1
    page.fill("#vfilter", "p.(Val600Glu)")
    assert page.eval_on_selector_all("#variant-table tbody tr", visible) == 1
    page.fill("#vfilter", "")
    page.uncheck("#passonly")
    everything = page.eval_on_selector_all("#variant-table tbody tr", visible)
    assert everything >= total_pass
    # sort by QUAL (11th column) descending after two clicks
    header = page.locator("#variant-table th").nth(10)
    header.click()
    header.click()
    quals = page.eval_on_selector_all(
        "#variant-table tbody tr", "rs => rs.map(r => parseFloat(r.cells[10].innerText))"
    )
    assert quals == sorted(quals, reverse=True)
    assert errors == []
    page.close()


def test_batch_summary_links_every_report(demo_run: Batch, browser):
    summary = demo_run.workdir / "results" / "batch" / "summary.html"
    page, errors, requests = _open(browser, summary)
    links = page.eval_on_selector_all("a", "as => as.map(a => a.href)")
    for patient in PATIENTS:
        target = (demo_run.workdir / "results" / patient / "report.html").resolve().as_uri()
        assert target in links
    assert errors == [] and len(requests) == 1
    page.close()


PDF_PATIENTS = ("CRC01", "RD01", "CARD01", "HG001")
MARGIN_PT = 8  # of the 10 mm side margins: a table cut at the page edge inks these points


def _text_positions(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every text run on a PDF page, in page coordinates."""
    out: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("patient", PDF_PATIENTS)
def test_pdf_pages_hold_all_their_text(demo_run: Batch, patient: str):
    """A4 portrait, nothing beyond the page box (pages rendered to images: the side margins
    stay blank), no interactive controls, and a handful of pages."""
    import pypdf
    import pypdfium2

    pdf = demo_run.workdir / "results" / patient / "report.pdf"
    reader = pypdf.PdfReader(str(pdf))
    # a panel patient fits a handful of pages; long tables stay on the page and in the TSVs
    assert 2 <= len(reader.pages) <= (6 if patient == "CARD01" else 10)
    text = "\n".join(p.extract_text() for p in reader.pages)
    first = reader.pages[0].extract_text()
    assert f"Patient {patient}" in first and "Findings" in first
    assert "click a column header" not in text and "Filter variants" not in text
    assert "Reviewed by" in text
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points
        outside = [
            t for x, y, t in _text_positions(page) if not (0 <= x < width and 0 <= y <= height)
        ]
        assert outside == []
    doc = pypdfium2.PdfDocument(str(pdf))
    for i in range(len(doc)):
        img = doc[i].render(scale=1).to_pil().convert("L")
        w, h = img.size
        for box in ((0, 0, MARGIN_PT, h), (w - MARGIN_PT, 0, w, h)):
            darkest = img.crop(box).getextrema()[0]
            assert darkest > 200, f"{patient} page {i + 1}: ink in the margin {box}"
