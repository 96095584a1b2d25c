"""Rule script: report.pdf from the self-contained report.html (WeasyPrint, no network)."""

from bigmed.base.rulelog import run_logged


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    import weasyprint

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"report.html must be self-contained, but it asks for {url}")

    html = weasyprint.HTML(filename=snakemake.input[0], url_fetcher=no_fetch)
    html.write_pdf(snakemake.output[0])


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
