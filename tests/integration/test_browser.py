"""The reports in a real browser: headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

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


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
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
        if i in ("findings", "not-assessable", "variants", "coverage", "qc", "provenance")
    ]
    assert core == ["findings", "not-assessable", "variants", "coverage", "qc", "provenance"]
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


@pytest.mark.parametrize("patient", PATIENTS)
def test_pdf_export(demo_run: Batch, patient: str):
    import pypdf

    pdf = demo_run.workdir / "results" / patient / "report.pdf"
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    assert f"Patient {patient}" in first
    assert "Actionable findings" in first
