"""Phenotype-driven gene prioritisation: HPO semantic similarity, precomputed with numpy.

Model (Resnik similarity, best-match average; Köhler et al. 2009, Phenomizer):

- Information content ``IC(t) = -ln(n_t / N)``: ``n_t`` is the number of annotated
  diseases (``phenotype.hpoa``, OMIM/ORPHA/DECIPHER, aspect P, NOT rows excluded) with ``t``
  or a descendant among their terms, ``N`` the number of diseases. Without disease
  annotations, the genes of ``genes_to_phenotype.txt`` are the corpus.
- Similarity of two terms: the IC of their most informative common ancestor (MICA).
- A patient P and a gene G (every phenotype term HPO links to the gene):
  ``score = (mean_{p in P} max_{g in G} sim(p, g) + mean_{g in G} max_{p in P} sim(p, g)) / 2``
  (symmetric best-match average; the second half keeps genes with hundreds of annotations
  from matching everything).

Only terms below *Phenotypic abnormality* (HP:0000118) take part; modes of inheritance,
onset and frequency terms do not. Everything that does not depend on the patient is
precomputed into a :class:`PhenotypeIndex` (``save``/``load`` as one ``.npz``): each term's
ancestors and IC, each gene's annotation and the closure of its annotation under ``is_a``.
With those, ``max_{g in G} sim(p, g)`` is the largest IC among the ancestors of ``p`` that
lie in G's closure, so scoring every gene is a few array operations per patient term.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bigmed.base.textio import open_text
from bigmed.knowledge.hpo import PHENOTYPIC_ABNORMALITY, Ontology

INDEX_FORMAT = 2  # 2: disease annotations added (which patient terms match which disease)

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]


def _table(path: str, first: str) -> Iterable[dict[str, str]]:
    header: list[str] | None = None
    with open_text(path, errors="strict") as handle:
        for line in handle:
            if header is None:
                if line.startswith(first):
                    header = line.rstrip("\n").split("\t")
                continue
            cells = line.rstrip("\n").split("\t")
            yield dict(zip(header, cells, strict=False))


def read_gene_terms(path: str) -> dict[str, set[str]]:
    """gene symbol -> HPO term ids (``genes_to_phenotype.txt``)."""
    out: dict[str, set[str]] = {}
    for row in _table(path, "ncbi_gene_id"):
        out.setdefault(row["gene_symbol"], set()).add(row["hpo_id"])
    return out


def read_disease_terms(path: str) -> dict[str, set[str]]:
    """disease id -> phenotype terms (``phenotype.hpoa``: aspect P, NOT rows left out)."""
    out: dict[str, set[str]] = {}
    for row in _table(path, "database_id"):
        if row.get("aspect") == "P" and row.get("qualifier") != "NOT":
            out.setdefault(row["database_id"], set()).add(row["hpo_id"])
    return out


def _csr(lists: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
    indptr = np.zeros(len(lists) + 1, dtype=np.int32)
    indptr[1:] = np.cumsum([len(x) for x in lists])
    flat = [i for x in lists for i in x]
    return indptr, np.asarray(flat, dtype=np.int32)


class _Terms:
    """The analysed terms (below Phenotypic abnormality, not obsolete) of an ontology, numbered
    in id order, with each term's ancestors among them."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self.ids = sorted(
            t.id
            for t in ontology.terms.values()
            if not t.obsolete and PHENOTYPIC_ABNORMALITY in ontology.ancestors(t.id)
        )
        self.index = {t: i for i, t in enumerate(self.ids)}
        self.ancestors = [
            sorted(self.index[a] for a in ontology.ancestors(t) if a in self.index)
            for t in self.ids
        ]

    def mapped(self, terms: Iterable[str]) -> list[int]:
        """Numbers of the analysed terms the given ids map to (obsolete ids replaced)."""
        out: set[int] = set()
        for t in terms:
            m = self.ontology.map_term(t)
            out.update(self.index[i] for i in (m.ids if m else ()) if i in self.index)
        return sorted(out)

    def closure(self, direct: list[int]) -> list[int]:
        """The terms and all their ancestors."""
        return sorted({a for i in direct for a in self.ancestors[i]})


def _information_content(corpus: Sequence[Sequence[int]], n_terms: int) -> FloatArray:
    """-ln(share of the corpus annotated with the term); unannotated terms get the IC of a
    single annotation: specific, never shared."""
    counts = np.zeros(n_terms, dtype=np.float64)
    for c in corpus:
        counts[c] += 1
    n = max(len(corpus), 1)
    ic = -np.log(np.maximum(counts, 1.0) / n)
    return ic.astype(np.float32)


@dataclass
class Match:
    """How one patient term matches a gene: its MICA with the gene's terms."""

    term: str
    term_name: str
    mica: str | None
    mica_name: str
    ic: float
    exact: bool  # the gene carries the term itself or a more specific one


class PhenotypeIndex:
    """Precomputed ontology and gene-annotation arrays (see the module docstring)."""

    def __init__(self, arrays: Mapping[str, Any]) -> None:
        self.version = str(arrays["version"])
        self.corpus = str(arrays["corpus"])
        self.term_ids: list[str] = str(arrays["term_ids"]).split("\n")
        self.term_names: list[str] = str(arrays["term_names"]).split("\n")
        self.genes: list[str] = str(arrays["genes"]).split("\n")
        self.anc_indptr: IntArray = np.asarray(arrays["anc_indptr"], dtype=np.int32)
        self.anc: IntArray = np.asarray(arrays["anc"], dtype=np.int32)
        self.ic: FloatArray = np.asarray(arrays["ic"], dtype=np.float32)
        self.gene_indptr: IntArray = np.asarray(arrays["gene_indptr"], dtype=np.int32)
        self.gene_terms: IntArray = np.asarray(arrays["gene_terms"], dtype=np.int32)
        self.clos_indptr: IntArray = np.asarray(arrays["clos_indptr"], dtype=np.int32)
        self.clos: IntArray = np.asarray(arrays["clos"], dtype=np.int32)
        self.disease_ids: list[str] = [d for d in str(arrays["disease_ids"]).split("\n") if d]
        self.dis_indptr: IntArray = np.asarray(arrays["dis_indptr"], dtype=np.int32)
        self.dis_terms: IntArray = np.asarray(arrays["dis_terms"], dtype=np.int32)
        self.disease_index = {d: i for i, d in enumerate(self.disease_ids)}
        self.index = {t: i for i, t in enumerate(self.term_ids)}
        self.gene_index = {g: i for i, g in enumerate(self.genes)}
        # term -> genes whose closure holds it (the transpose of clos)
        owner = np.repeat(np.arange(len(self.genes), dtype=np.int32), np.diff(self.clos_indptr))
        order = np.argsort(self.clos, kind="stable")
        self.tg_genes: IntArray = owner[order]
        counts = np.bincount(self.clos, minlength=len(self.term_ids))
        self.tg_indptr: IntArray = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        self._n_gene_terms = np.diff(self.gene_indptr).astype(np.float32)

    # ---------------------------------------------------------------- building and storing

    @classmethod
    def build(
        cls,
        ontology: Ontology,
        gene_terms: Mapping[str, Iterable[str]],
        disease_terms: Mapping[str, Iterable[str]] | None = None,
    ) -> PhenotypeIndex:
        """The index of an ontology and gene annotations (IC over diseases when given)."""
        terms = _Terms(ontology)
        genes = sorted(g for g, ts in gene_terms.items() if terms.mapped(ts))
        direct = [terms.mapped(gene_terms[g]) for g in genes]
        closures = [terms.closure(d) for d in direct]
        dis_direct = {d: terms.mapped(ts) for d, ts in sorted((disease_terms or {}).items())}
        dis_direct = {d: ts for d, ts in dis_direct.items() if ts}
        if disease_terms:
            corpus = [terms.closure(ts) for ts in dis_direct.values()]
            corpus_name = f"{len(corpus)} annotated diseases"
        else:
            corpus = closures
            corpus_name = f"{len(corpus)} annotated genes"
        dis_indptr, dis_terms = _csr(list(dis_direct.values()))
        anc_indptr, anc = _csr(terms.ancestors)
        gene_indptr, gterms = _csr(direct)
        clos_indptr, clos = _csr(closures)
        return cls(
            {
                "version": ontology.version,
                "corpus": corpus_name,
                "term_ids": "\n".join(terms.ids),
                "term_names": "\n".join(
                    ontology.terms[t].name.replace("\n", " ") for t in terms.ids
                ),
                "genes": "\n".join(genes),
                "anc_indptr": anc_indptr,
                "anc": anc,
                "ic": _information_content(corpus, len(terms.ids)),
                "gene_indptr": gene_indptr,
                "gene_terms": gterms,
                "clos_indptr": clos_indptr,
                "clos": clos,
                "disease_ids": "\n".join(dis_direct),
                "dis_indptr": dis_indptr,
                "dis_terms": dis_terms,
            }
        )

    def save(self, path: str) -> None:
        """One uncompressed .npz (no pickles), written atomically."""
        tmp = f"{path}.tmp.{os.getpid()}.npz"
        np.savez(
            tmp,
            format=np.int32(INDEX_FORMAT),
            version=np.str_(self.version),
            corpus=np.str_(self.corpus),
            term_ids=np.str_("\n".join(self.term_ids)),
            term_names=np.str_("\n".join(self.term_names)),
            genes=np.str_("\n".join(self.genes)),
            anc_indptr=self.anc_indptr,
            anc=self.anc,
            ic=self.ic,
            gene_indptr=self.gene_indptr,
            gene_terms=self.gene_terms,
            clos_indptr=self.clos_indptr,
            clos=self.clos,
            disease_ids=np.str_("\n".join(self.disease_ids)),
            dis_indptr=self.dis_indptr,
            dis_terms=self.dis_terms,
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str) -> PhenotypeIndex:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != INDEX_FORMAT:
                raise ValueError(f"{path}: phenotype index format {int(data['format'])}")
            return cls({k: data[k] for k in data.files})

    # ---------------------------------------------------------------- scoring

    def term_indices(self, terms: Iterable[str]) -> list[int]:
        """Indices of the (already mapped) patient terms that lie in the analysed branch."""
        out: list[int] = []
        for t in terms:
            i = self.index.get(t)
            if i is not None and i not in out:
                out.append(i)
        return out

    def _ancestors(self, i: int) -> IntArray:
        return self.anc[self.anc_indptr[i] : self.anc_indptr[i + 1]]

    def best_per_term(self, q: int) -> FloatArray:
        """max over each gene's terms of sim(q, term): one value per gene."""
        best = np.zeros(len(self.genes), dtype=np.float32)
        anc = self._ancestors(q)
        for t in anc[np.argsort(self.ic[anc], kind="stable")]:  # increasing IC: last wins
            best[self.tg_genes[self.tg_indptr[t] : self.tg_indptr[t + 1]]] = self.ic[t]
        return best

    def score(self, terms: Iterable[str], method: str = "bma") -> FloatArray:
        """Similarity of the patient's terms to every gene (``genes`` order).

        ``method``: ``bma`` (symmetric best-match average) or ``p2g`` (patient to gene only).
        """
        qs = self.term_indices(terms)
        if not qs:
            return np.zeros(len(self.genes), dtype=np.float32)
        p2g = np.zeros(len(self.genes), dtype=np.float32)
        for q in qs:
            p2g += self.best_per_term(q)
        p2g /= len(qs)
        if method == "p2g":
            return p2g
        # gene -> patient: for every term a, the largest IC in (ancestors of a) ∩ closure(P)
        in_p = np.zeros(len(self.term_ids), dtype=bool)
        for q in qs:
            in_p[self._ancestors(q)] = True
        v = np.where(in_p, self.ic, np.float32(0.0)).astype(np.float32)
        s = np.maximum.reduceat(v[self.anc], self.anc_indptr[:-1])
        g2p = np.add.reduceat(s[self.gene_terms], self.gene_indptr[:-1]) / self._n_gene_terms
        return ((p2g + g2p) / 2).astype(np.float32)

    def gene_scores(self, terms: Iterable[str], method: str = "bma") -> dict[str, float]:
        return dict(zip(self.genes, (float(x) for x in self.score(terms, method)), strict=True))

    def matches(self, terms: Iterable[str], gene: str) -> list[Match]:
        """Per patient term: the MICA with the gene's terms (None when the gene is unknown)."""
        gi = self.gene_index.get(gene)
        clos = (
            set(self.clos[self.clos_indptr[gi] : self.clos_indptr[gi + 1]].tolist())
            if gi is not None
            else set()
        )
        out = []
        for q in self.term_indices(terms):
            common = [int(a) for a in self._ancestors(q) if int(a) in clos]
            # ties (same IC): the more specific term, i.e. the one with more ancestors
            mica = (
                max(common, key=lambda a: (self.ic[a], self.anc_indptr[a + 1] - self.anc_indptr[a]))
                if common
                else None
            )
            out.append(
                Match(
                    term=self.term_ids[q],
                    term_name=self.term_names[q],
                    mica=None if mica is None else self.term_ids[mica],
                    mica_name="" if mica is None else self.term_names[mica],
                    ic=0.0 if mica is None else round(float(self.ic[mica]), 3),
                    exact=q in clos,
                )
            )
        return out


@dataclass
class TermPair:
    """A patient term and the disease term it matches (one subsumes the other)."""

    patient: str
    patient_name: str
    disease: str
    disease_name: str
    relation: str  # "same", "disease term more specific", "patient term more specific"

    def as_dict(self) -> dict[str, str]:
        return {
            "patient_term": self.patient,
            "patient_name": self.patient_name,
            "disease_term": self.disease,
            "disease_name": self.disease_name,
            "relation": self.relation,
        }


def disease_term_pairs(index: PhenotypeIndex, terms: Iterable[str], disease: str) -> list[TermPair]:
    """Which patient terms match which of a disease's annotated terms (``phenotype.hpoa``).

    A patient term matches a disease term when they are the same term or one is an
    ancestor of the other (the disease's feature is the patient's, stated more or less
    specifically); terms related only through a common ancestor do not count. Per patient
    term the closest disease term is kept (same, then the one with the highest IC).
    """
    di = index.disease_index.get(disease)
    if di is None:
        return []
    dterms = [int(x) for x in index.dis_terms[index.dis_indptr[di] : index.dis_indptr[di + 1]]]
    d_anc = {d: set(index._ancestors(d).tolist()) for d in dterms}
    out = []
    for q in index.term_indices(terms):
        q_anc = set(index._ancestors(q).tolist())
        best: tuple[int, float, int, str] | None = None
        for d in dterms:
            if d == q:
                rel, rank = "same", 2
            elif q in d_anc[d]:
                rel, rank = "disease term more specific", 1
            elif d in q_anc:
                rel, rank = "patient term more specific", 1
            else:
                continue
            key = (rank, float(index.ic[d]), d, rel)
            if best is None or key[:2] > best[:2]:
                best = key
        if best is not None:
            d = best[2]
            out.append(
                TermPair(
                    index.term_ids[q], index.term_names[q], index.term_ids[d],
                    index.term_names[d], best[3],
                )
            )  # fmt: skip
    return out
