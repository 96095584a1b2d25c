"""Rule script: versions of the command-line tools, as run in this environment."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.report.provenance import tool_versions


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    versions = tool_versions()
    write_text(snakemake.output[0], json.dumps(versions, indent=1, sort_keys=True) + "\n")
    print(versions)


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
