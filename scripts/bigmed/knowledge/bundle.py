"""The knowledge bundle: versions, checksums and pre-digested tables of the sources.

:func:`build_bundle` (rule ``build_knowledge_bundle``) writes into ``knowledge.dir``:

``manifest.json``
    one entry per configured source: ``key``, ``name``, ``version``, ``licence``,
    ``sha256``, ``path``, ``files``, ``complete`` (false for a subset, where absence means
    nothing), for a subset that states it ``genes`` (gene -> 'complete' or 'partial(...)';
    other genes are not covered) and, for VCFs, ``chrom_style``. Sources not configured are
    listed under ``not_configured``. Reports copy the entries into ``provenance.knowledge_bases``.
``genes.json``
    gene symbol -> facts: MANE Select, ACMG SF entries, G2P and GenCC gene-disease
    entries, HPO diseases with their modes of inheritance, the union of inheritance codes,
    and whether loss of function is a known disease mechanism (G2P).
``assertions.json``
    CIViC and MOAlmanac assertions, normalised (:class:`bigmed.knowledge.oncology.Assertion`).
``hotspots.json``
    residue, in-frame indel and splice-site cancer hotspots by gene.

VCF sources (ClinVar, gnomAD, hotspot alleles) are not copied: the join reads them where
they are, through their tabix index. :class:`Bundle` reads a bundle back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bigmed.base.atomic import write_text
from bigmed.knowledge import genes, oncology, variants
from bigmed.knowledge import sources as kb
from bigmed.knowledge.hpo import read_ontology

FULL_HASH_LIMIT = 4 << 30  # files above 4 GiB (gnomAD) get a sampled fingerprint
SAMPLE = 64 << 20
BUNDLE_FILES = ("manifest.json", "genes.json", "assertions.json", "hotspots.json")


def file_sha256(path: str) -> tuple[str, str]:
    """(hex digest, scope): the whole file, or size + first/last 64 MiB for huge files."""
    size = os.path.getsize(path)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        if size <= FULL_HASH_LIMIT:
            while block := handle.read(1 << 22):
                digest.update(block)
            return digest.hexdigest(), "file"
        digest.update(str(size).encode())
        digest.update(handle.read(SAMPLE))
        handle.seek(size - SAMPLE)
        digest.update(handle.read(SAMPLE))
    return digest.hexdigest(), "sampled: size, first and last 64 MiB"


def source_sha256(files: tuple[str, ...]) -> tuple[str, str]:
    """One digest for a source: its file, or a digest over its files' digests."""
    paths: list[str] = []
    for f in files:
        if os.path.isdir(f):
            paths += sorted(str(p) for p in Path(f).iterdir() if p.is_file())
        else:
            paths.append(f)
    if len(paths) == 1 and paths[0] == files[0]:
        return file_sha256(paths[0])
    digest = hashlib.sha256()
    scopes = set()
    for p in paths:
        h, scope = file_sha256(p)
        scopes.add(scope)
        digest.update(f"{os.path.basename(p)}\t{h}\n".encode())
    scope = "files (digest of the per-file digests)"
    if any(s != "file" for s in scopes):
        scope += ", some sampled"
    return digest.hexdigest(), scope


def _gnomad_release(path: str, name: str) -> str | None:
    m = re.search(r"gnomad\.(exomes|genomes|joint)\.(v?[\d.]+\d)", name, re.IGNORECASE)
    return f"{m.group(2)} {m.group(1)}" if m else None


def _clinvar_release(path: str) -> str | None:
    date = kb.read_vcf_meta(path).meta.get("fileDate")
    return f"ClinVar {date} (INFO AF_EXAC, AF_ESP, AF_TGP)" if date else None


def _cohorts() -> list[dict[str, Any]]:
    """The cohorts behind ClinVar's AF_* fields, with their allele numbers (provenance)."""
    return [
        {"field": key, "cohort": c, "release": r, "individuals": n, "allele_number": an}
        for key, (c, r, n, an) in kb.COHORTS.items()
    ]


def _cohort_entry(entry: dict[str, Any]) -> None:
    """ClinVar carries the cohorts' frequencies only for the alleles it lists: the source is
    never complete, whatever the file (absence from it is not evidence of rarity)."""
    entry["complete"] = False
    entry["cohorts"] = _cohorts()
    note = "frequencies exist only for the alleles ClinVar lists: absence says nothing"
    entry["note"] = f"{note}; {entry['note']}" if entry.get("note") else note


def _gencc_release(path: str, name: str) -> str | None:
    date = genes.gencc_run_date(path)
    return f"submissions run {date}" if date else None


def _release_in_name(path: str, name: str) -> str | None:
    """'v3.2' or '2026_01_20' from a file name (ACMG SF, MANE)."""
    m = re.search(r"v(\d+(?:\.\d+)*)", name)
    d = re.search(r"\d{4}_\d{2}_\d{2}", name)
    return f"v{m.group(1)}" if m else (d.group(0) if d else None)


# source key -> where its release is stated: (first file, configured file name) -> release
VERSION_READERS: dict[str, Callable[[str, str], str | None]] = {
    "clinvar": lambda path, name: kb.read_vcf_meta(path).meta.get("fileDate"),
    "gnomad": _gnomad_release,
    "cohort_frequencies": lambda path, name: _clinvar_release(path),
    "hotspots": lambda path, name: kb.read_vcf_meta(path).meta.get("source"),
    "hpo_ontology": lambda path, name: read_ontology(path).version or None,
    "hpo_annotations": lambda path, name: genes.hpoa_version(path),
    "moalmanac": lambda path, name: oncology.moalmanac_version(oncology.load_moalmanac_raw(path)),
    "gencc": _gencc_release,
    "acmg_sf": _release_in_name,
    "mane": _release_in_name,
}


def detect_version(src: kb.Source) -> str:
    """The release a source's content or file name states; the config's version wins."""
    if src.version:
        return str(src.version)
    reader = VERSION_READERS.get(src.key)
    found = reader(src.files[0], os.path.basename(src.path)) if reader else None
    return found or "unknown (the file states no release; set knowledge.sources.<key>.version)"


def describe_sources(sources: dict[str, kb.Source]) -> dict[str, Any]:
    entries = []
    for key in kb.SPECS:
        src = sources.get(key)
        if src is None:
            continue
        sha, scope = source_sha256(src.files)
        entry: dict[str, Any] = {
            "key": key,
            "name": src.label,
            "version": detect_version(src),
            "licence": src.licence,
            "sha256": sha,
            "sha256_scope": scope,
            "path": src.path,
            "files": [os.path.abspath(f) for f in src.files],
            "kind": src.kind,
            "complete": src.complete,
        }
        if src.kind in ("vcf", "scores"):
            entry["chrom_style"] = src.chrom_style
        if src.subset_note:
            entry["note"] = src.subset_note
        if src.subset_genes:
            entry["genes"] = dict(src.subset_genes)
        if key == "cohort_frequencies":
            _cohort_entry(entry)
        entries.append(entry)
    return {
        "format": 1,
        "build": "GRCh38",
        "sources": entries,
        "not_configured": [k for k in kb.SPECS if k not in sources],
    }


def _first(sources: dict[str, kb.Source], key: str) -> str | None:
    src = sources.get(key)
    return src.files[0] if src else None


def _new_facts() -> dict[str, Any]:
    """An empty gene-facts entry; its key order is the order in genes.json."""
    return {
        "mane": None,
        "acmg_sf": [],
        "g2p": [],
        "gencc": [],
        "hpo_diseases": [],
        "inheritance": [],
        "lof_mechanism": None,
        "mechanism_source": None,
    }


Facts = dict[str, dict[str, Any]]  # gene symbol -> facts


def _add_mane(facts: Facts, path: str) -> None:
    for sym, m in genes.read_mane(path).items():
        facts.setdefault(sym, _new_facts())["mane"] = {"ensembl": m.ensembl, "refseq": m.refseq}


def _add_acmg_sf(facts: Facts, path: str) -> None:
    for sym, entries in genes.read_acmg_sf(path).items():
        facts.setdefault(sym, _new_facts())["acmg_sf"] = [
            {"disease": e.disease, "category": e.category, "inheritance": e.inheritance,
             "report": e.report}
            for e in entries
        ]  # fmt: skip


def _add_g2p(facts: Facts, path: str) -> None:
    """G2P entries and, from them, whether loss of function is a disease mechanism."""
    for sym, entries in genes.read_g2p(path).items():
        f = facts.setdefault(sym, _new_facts())
        f["g2p"] = [
            {"disease": e.disease, "allelic_requirement": e.allelic_requirement,
             "inheritance": e.inheritance, "consequences": list(e.consequences),
             "mechanism": e.mechanism, "validity": e.validity, "indication": e.indication}
            for e in entries
        ]  # fmt: skip
        lof, why = genes.g2p_lof_mechanism(entries)
        f["lof_mechanism"], f["mechanism_source"] = lof, why or None


def _add_gencc(facts: Facts, path: str) -> None:
    for sym, entries in genes.read_gencc(path).items():
        facts.setdefault(sym, _new_facts())["gencc"] = [
            {"disease": e.disease, "disease_id": e.disease_id,
             "classification": e.classification, "moi": e.moi, "submitter": e.submitter}
            for e in entries
        ]  # fmt: skip


def _add_hpo(facts: Facts, genes_path: str | None, annotations_path: str | None) -> None:
    """Each HPO gene's diseases with their modes of inheritance (as codes)."""
    hpo_genes = genes.read_hpo_genes(genes_path) if genes_path else {}
    diseases = genes.read_hpo_annotations(annotations_path) if annotations_path else {}
    for sym, hg in hpo_genes.items():
        rows = []
        for did in sorted(hg.diseases):
            d = diseases.get(did)
            codes = sorted(
                {c for t in (d.inheritance if d else ()) if (c := genes.inheritance_code(t))}
            )
            rows.append({"id": did, "name": d.name if d else "", "inheritance": codes})
        facts.setdefault(sym, _new_facts())["hpo_diseases"] = rows


def _inheritance_union(f: dict[str, Any]) -> list[str]:
    """Every inheritance code a gene's HPO, G2P, GenCC and ACMG SF entries state."""
    modes: set[str] = set()
    for d in f["hpo_diseases"]:
        modes.update(d["inheritance"])
    for field, entries in (
        ("allelic_requirement", f["g2p"]),
        ("moi", f["gencc"]),
        ("inheritance", f["acmg_sf"]),
    ):
        for e in entries:
            modes.update(c for c in (genes.inheritance_code(e[field]),) if c)
    return sorted(modes)


def gene_facts(sources: dict[str, kb.Source]) -> dict[str, dict[str, Any]]:
    """gene -> facts from MANE, ACMG SF, G2P, GenCC and HPO (whichever are configured)."""
    facts: Facts = {}
    steps: tuple[tuple[str, Callable[[Facts, str], None]], ...] = (
        ("mane", _add_mane),
        ("acmg_sf", _add_acmg_sf),
        ("cardiac_g2p", _add_g2p),
        ("gencc", _add_gencc),
    )
    for key, add in steps:
        if path := _first(sources, key):
            add(facts, path)
    _add_hpo(facts, _first(sources, "hpo_genes"), _first(sources, "hpo_annotations"))
    for f in facts.values():
        f["inheritance"] = _inheritance_union(f)
    return dict(sorted(facts.items()))


def hotspot_tables(sources: dict[str, kb.Source]) -> dict[str, Any]:
    out: dict[str, Any] = {"residues": {}, "indels": {}, "splice": {}}
    if path := _first(sources, "hotspots_residues"):
        out["residues"] = {
            gene: {
                str(pos): [{"type": h.type, "aa_ref": h.aa_ref} for h in hs]
                for pos, hs in sorted(by_pos.items())
            }
            for gene, by_pos in sorted(variants.read_hotspot_residues(path).items())
        }
    if path := _first(sources, "hotspots_indels"):
        out["indels"] = {
            g: [list(r) for r in rows] for g, rows in variants.read_hotspot_indels(path).items()
        }
    if path := _first(sources, "hotspots_splice"):
        out["splice"] = variants.read_hotspot_splice(path)
    return out


def assertion_tables(sources: dict[str, kb.Source]) -> dict[str, Any]:
    out: dict[str, Any] = {"civic": [], "moalmanac": []}
    if path := _first(sources, "civic"):
        out["civic"] = [a.as_dict() for a in oncology.load_civic(path)]
    if path := _first(sources, "moalmanac"):
        out["moalmanac"] = [a.as_dict() for a in oncology.load_moalmanac(path)]
    return out


def build_bundle(sources: dict[str, kb.Source], out_dir: str) -> dict[str, Any]:
    """Write the bundle files into out_dir; returns the manifest."""
    os.makedirs(out_dir, exist_ok=True)
    manifest = describe_sources(sources)
    manifest["files"] = {name.split(".")[0]: name for name in BUNDLE_FILES[1:]}
    facts = gene_facts(sources)
    write_text(os.path.join(out_dir, "genes.json"), json.dumps(facts, separators=(",", ":")))
    write_text(
        os.path.join(out_dir, "assertions.json"),
        json.dumps(assertion_tables(sources), separators=(",", ":")),
    )
    write_text(
        os.path.join(out_dir, "hotspots.json"),
        json.dumps(hotspot_tables(sources), separators=(",", ":")),
    )
    manifest["genes"] = len(facts)
    # the manifest last: its presence means the bundle is complete
    write_text(os.path.join(out_dir, "manifest.json"), json.dumps(manifest, indent=1) + "\n")
    return manifest


class Bundle:
    """A built bundle, read back: manifest, gene facts, assertions, hotspots, VCF sources."""

    def __init__(self, directory: str) -> None:
        self.dir = directory
        with open(os.path.join(directory, "manifest.json")) as handle:
            self.manifest: dict[str, Any] = json.load(handle)
        self._genes: dict[str, Any] | None = None
        self._assertions: dict[str, Any] | None = None
        self._hotspots: dict[str, Any] | None = None

    def _load(self, name: str) -> Any:
        with open(os.path.join(self.dir, f"{name}.json")) as handle:
            return json.load(handle)

    @property
    def genes(self) -> dict[str, Any]:
        if self._genes is None:
            self._genes = self._load("genes")
        return self._genes

    @property
    def assertions(self) -> dict[str, Any]:
        if self._assertions is None:
            self._assertions = self._load("assertions")
        return self._assertions

    @property
    def hotspots(self) -> dict[str, Any]:
        if self._hotspots is None:
            self._hotspots = self._load("hotspots")
        return self._hotspots

    def source(self, key: str) -> dict[str, Any] | None:
        return next((s for s in self.manifest["sources"] if s["key"] == key), None)

    def vcf(self, key: str) -> variants.VcfSource | None:
        src = self.source(key)
        if src is None:
            return None
        return variants.VcfSource(src["files"], src.get("chrom_style", "chr"))

    def scores(self, key: str) -> variants.ScoreSource | None:
        """A predictor source (revel, cadd, alphamissense, spliceai), or None."""
        src = self.source(key)
        if src is None:
            return None
        return variants.ScoreSource(key, src["files"], src.get("chrom_style", "chr"))

    def expert_panels(self) -> list[variants.ExpertPanelRecord] | None:
        """The ClinGen expert-panel classifications (None: source not configured)."""
        src = self.source("clingen_vcep")
        return None if src is None else variants.read_expert_panels(src["files"][0])

    def submissions(self, wanted: set[str]) -> dict[str, list[variants.Submission]] | None:
        """ClinVar submissions of these variation ids (None: source not configured)."""
        src = self.source("clinvar_submissions")
        if src is None:
            return None
        return variants.read_submissions(src["files"][0], wanted) if wanted else {}

    def knowledge_bases(self) -> list[dict[str, Any]]:
        """Provenance entries (name, version, licence, sha256, path, ...) of every source."""
        keep = (
            "name",
            "version",
            "licence",
            "sha256",
            "path",
            "key",
            "complete",
            "note",
            "genes",
            "cohorts",
        )
        return [{k: s[k] for k in keep if k in s} for s in self.manifest["sources"]]
