"""Rule script: the knowledge bundle (manifest, gene facts, assertions, hotspots)."""

import json
import os

from bigmed.base.rulelog import run_logged
from bigmed.knowledge.bundle import build_bundle
from bigmed.knowledge.sources import check_sources


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    sources = check_sources(json.loads(snakemake.params.sources))
    manifest = build_bundle(sources, os.path.dirname(snakemake.output.manifest))
    for s in manifest["sources"]:
        print(f"{s['key']}: {s['name']} {s['version']} sha256={s['sha256'][:12]}")
    print(f"not configured: {', '.join(manifest['not_configured']) or 'none'}")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
