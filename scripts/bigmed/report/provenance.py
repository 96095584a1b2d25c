"""Provenance: tool versions, file checksums."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Sequence

# How each tool reports its version (command, regex on stdout+stderr).
TOOLS: dict[str, tuple[list[str], str]] = {
    "bwa": (["bwa"], r"Version:\s*(\S+)"),
    "samtools": (["samtools", "--version"], r"samtools\s+(\S+)"),
    "bcftools": (["bcftools", "--version"], r"bcftools\s+(\S+)"),
    "htslib": (["bcftools", "--version"], r"Using htslib\s+(\S+)"),
    "mosdepth": (["mosdepth", "--version"], r"mosdepth\s+(\S+)"),
    "fastp": (["fastp", "--version"], r"fastp\s+(\S+)"),
    "freebayes": (["freebayes", "--version"], r"version:\s*v?(\S+)"),
}


def tool_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for name, (cmd, pattern) in TOOLS.items():
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, errors="replace", timeout=60, check=False
            )
            match = re.search(pattern, proc.stdout + proc.stderr)
            versions[name] = match.group(1) if match else "unknown"
        except (OSError, subprocess.TimeoutExpired):
            versions[name] = "not installed"
    return versions


def sha256(path: str, chunk: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def input_checksums(sample: str, units: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """One row per input file of a sample: ``units`` holds (unit or kind, path...) rows
    (FASTQ pair, one BAM/CRAM, or a VCF), as ``get_sample_inputs`` in rules/common.smk."""
    return [
        {"sample": sample, "unit": unit, "path": path, "sha256": sha256(path)}
        for unit, *paths in units
        for path in paths
    ]
