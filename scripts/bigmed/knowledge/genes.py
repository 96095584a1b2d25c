"""Gene-level knowledge readers: ACMG SF, MANE, Gene2Phenotype, GenCC and the HPO tables.

Each reader returns gene symbol (or disease id) -> entries; :mod:`bigmed.knowledge.bundle`
digests them into the bundle's gene facts. :func:`g2p_lof_mechanism` says whether G2P
states loss of function as a disease mechanism; :func:`inheritance_code` turns the
sources' inheritance wording (and HPO mode-of-inheritance terms) into one set of codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bigmed.base.textio import open_text
from bigmed.knowledge.sources import table_rows


@dataclass(frozen=True)
class AcmgSfGene:
    gene: str
    disease: str
    category: str
    inheritance: str
    report: str  # which variants to report, e.g. 'All P and LP'
    version_added: str


def read_acmg_sf(path: str) -> dict[str, list[AcmgSfGene]]:
    """gene -> ACMG secondary-findings entries (one per disease)."""
    out: dict[str, list[AcmgSfGene]] = {}
    # the published table is a spreadsheet export: quoted cells span lines (GLA, PRKAG2)
    for row in table_rows(path, first_column="Gene", quoted=True):
        lower = {k.lower(): v for k, v in row.items()}
        gene = lower.get("gene", "")
        if not gene:
            continue
        out.setdefault(gene, []).append(
            AcmgSfGene(
                gene=gene,
                disease=lower.get("disease/phentyope") or lower.get("disease/phenotype") or "",
                category=lower.get("phenotype category", ""),
                inheritance=lower.get("inheritance", ""),
                report=lower.get("variants to report", ""),
                version_added=lower.get("sf list version", ""),
            )
        )
    return out


@dataclass(frozen=True)
class ManeTranscript:
    gene: str
    ensembl: str  # ENST with version where known
    refseq: str  # NM with version


def read_mane(path: str) -> dict[str, ManeTranscript]:
    """gene -> MANE Select transcript, from the MANE summary TSV or a BioMart CSV."""
    with open_text(path) as handle:
        first = handle.readline()
    out: dict[str, ManeTranscript] = {}
    if "symbol" in first.lower() and "\t" in first:  # MANE.GRCh38.vX.summary.txt
        for row in table_rows(path, "\t"):
            if row.get("MANE_status", "MANE Select") != "MANE Select":
                continue
            out.setdefault(
                row["symbol"], ManeTranscript(row["symbol"], row["Ensembl_nuc"], row["RefSeq_nuc"])
            )
        return out
    for row in table_rows(path, ","):
        gene, refseq = (
            row.get("Gene name", ""),
            row.get("RefSeq match transcript (MANE Select)", ""),
        )
        enst = row.get("Transcript stable ID version") or row.get("MANE", "")
        if gene and refseq and enst:
            out.setdefault(gene, ManeTranscript(gene, enst, refseq))
    return out


@dataclass(frozen=True)
class G2PEntry:
    gene: str
    disease: str
    allelic_requirement: str
    inheritance: str
    consequences: tuple[str, ...]  # e.g. ('absent gene product', 'altered gene product sequence')
    mechanism: str  # e.g. 'loss of function', or '' when not stated
    validity: str  # ClinGen validity / G2P confidence
    indication: str = ""


def _pick(row: dict[str, str], *names: str) -> str:
    lower = {k.lower(): v for k, v in row.items()}
    for n in names:
        v = lower.get(n.lower())
        if v and v != "NA":
            return v
    return ""


def read_g2p(path: str) -> dict[str, list[G2PEntry]]:
    """gene -> Gene2Phenotype entries (Cardiac G2P CSV, or a G2P panel CSV download)."""
    out: dict[str, list[G2PEntry]] = {}
    for row in table_rows(path, ","):
        gene = _pick(row, "Gene symbol", "gene symbol")
        if not gene:
            continue
        cons = _pick(
            row,
            "Disease-associated variant consequence",
            "variant consequence",
            "mutation consequence",
        )
        out.setdefault(gene, []).append(
            G2PEntry(
                gene=gene,
                disease=_pick(row, "Disease name", "disease name"),
                allelic_requirement=_pick(row, "Allelic requirement", "allelic requirement"),
                inheritance=_pick(row, "Inheritance"),
                consequences=tuple(c.strip() for c in re.split(r"[;,]", cons) if c.strip()),
                mechanism=_pick(row, "mechanism", "molecular mechanism"),
                validity=_pick(
                    row, "Gene disease validity (ClinGen)", "confidence category", "confidence"
                ),
                indication=_pick(row, "Referral indication"),
            )
        )
    return out


LOF_CONSEQUENCES = {"absent gene product", "decreased gene product level"}


def g2p_lof_mechanism(entries: Iterable[G2PEntry]) -> tuple[bool | None, str]:
    """Is loss of function a disease mechanism per G2P? (True/False/None, the reason)."""
    entries = list(entries)
    if not entries:
        return None, ""
    for e in entries:
        if e.mechanism.lower() == "loss of function" or LOF_CONSEQUENCES & {
            c.lower() for c in e.consequences
        }:
            what = e.mechanism or "; ".join(e.consequences)
            return True, f"G2P: {e.disease} ({what})"
    known = [e for e in entries if e.consequences or e.mechanism]
    if known:
        e = known[0]
        return False, f"G2P: {e.disease} ({e.mechanism or '; '.join(e.consequences)} only)"
    return None, ""


@dataclass(frozen=True)
class GenccEntry:
    gene: str
    disease: str
    disease_id: str
    classification: str
    moi: str
    submitter: str


def read_gencc(path: str) -> dict[str, list[GenccEntry]]:
    """gene -> GenCC submissions."""
    out: dict[str, list[GenccEntry]] = {}
    for row in table_rows(path, "\t", first_column="gene_symbol"):
        gene = row.get("gene_symbol", "")
        if gene:
            out.setdefault(gene, []).append(
                GenccEntry(
                    gene,
                    row.get("disease_title", ""),
                    row.get("disease_curie", ""),
                    row.get("classification_title", ""),
                    row.get("moi_title", ""),
                    row.get("submitter_title", ""),
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# HPO
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HpoGene:
    symbol: str
    ncbi_gene_id: str
    terms: frozenset[str]
    diseases: frozenset[str]


def read_hpo_genes(path: str) -> dict[str, HpoGene]:
    """gene -> phenotype terms and diseases (genes_to_phenotype.txt)."""
    terms: dict[str, set[str]] = {}
    diseases: dict[str, set[str]] = {}
    ids: dict[str, str] = {}
    for row in table_rows(path, "\t", first_column="gene_symbol"):
        g = row["gene_symbol"]
        ids.setdefault(g, row.get("ncbi_gene_id", ""))
        terms.setdefault(g, set()).add(row["hpo_id"])
        if row.get("disease_id"):
            diseases.setdefault(g, set()).add(row["disease_id"])
    return {
        g: HpoGene(g, ids[g], frozenset(terms[g]), frozenset(diseases.get(g, ()))) for g in terms
    }


@dataclass(frozen=True)
class HpoDisease:
    id: str
    name: str
    phenotypes: frozenset[str]
    inheritance: frozenset[str]  # HPO mode-of-inheritance term ids


def read_hpo_annotations(path: str) -> dict[str, HpoDisease]:
    """disease id -> name, phenotypes (aspect P, NOT excluded) and modes of inheritance."""
    names: dict[str, str] = {}
    pheno: dict[str, set[str]] = {}
    inh: dict[str, set[str]] = {}
    for row in table_rows(path, "\t", first_column="database_id"):
        did = row["database_id"]
        names.setdefault(did, row.get("disease_name", ""))
        if row.get("qualifier") == "NOT":
            continue
        if row.get("aspect") == "P":
            pheno.setdefault(did, set()).add(row["hpo_id"])
        elif row.get("aspect") == "I":
            inh.setdefault(did, set()).add(row["hpo_id"])
    return {
        d: HpoDisease(d, n, frozenset(pheno.get(d, ())), frozenset(inh.get(d, ())))
        for d, n in names.items()
    }


# HPO mode-of-inheritance terms -> short codes used in gene facts.
INHERITANCE_CODES = {
    "HP:0000006": "AD",
    "HP:0000007": "AR",
    "HP:0001417": "XL",
    "HP:0001419": "XLR",
    "HP:0001423": "XLD",
    "HP:0001427": "MT",
    "HP:0001450": "YL",
    "HP:0012275": "AD",  # autosomal dominant inheritance with maternal imprinting
    "HP:0012274": "AD",  # ... with paternal imprinting
    "HP:0001442": "AD",  # somatic mosaicism is not a mode; typically dominant de novo
    "HP:0010984": "DIGENIC",
}


def inheritance_code(text: str) -> str | None:
    """'AD', 'AR', 'XL'... from G2P/GenCC/ACMG SF wording or an HPO id."""
    if text in INHERITANCE_CODES:
        return INHERITANCE_CODES[text]
    t = text.lower().replace("_", " ")
    if "mitochondrial" in t:
        return "MT"
    if "x-linked" in t or "x linked" in t or "monoallelic x" in t:
        return "XLR" if "recessive" in t or "hem" in t else ("XLD" if "dominant" in t else "XL")
    if "semidominant" in t:
        return "SD"
    if "dominant" in t or "monoallelic" in t or t.strip() == "ad":
        return "AD"
    if "recessive" in t or "biallelic" in t or t.strip() == "ar":
        return "AR"
    return None


# --------------------------------------------------------------------------------------------
# releases the files state (for the bundle's manifest)
# --------------------------------------------------------------------------------------------


def hpoa_version(path: str) -> str | None:
    """The ``#version:`` line of phenotype.hpoa's comment header, or None."""
    with open_text(path) as handle:
        for line in handle:
            if line.startswith("#version:"):
                return line.split(":", 1)[1].strip()
            if not line.startswith("#"):
                break
    return None


def gencc_run_date(path: str) -> str | None:
    """The latest ``submitted_run_date`` of a GenCC submissions table, or None."""
    dates = [r.get("submitted_run_date", "") for r in table_rows(path, "\t", "gene_symbol")]
    return max(dates) if any(dates) else None
