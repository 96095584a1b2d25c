"""HPO ontology parsing, obsolete-term mapping and the phenotype similarity index."""

from __future__ import annotations

import numpy as np
import pytest
from bigmed.base.errors import InputError
from bigmed.knowledge.hpo import map_patient_terms, read_ontology
from bigmed.pilots.rare_disease.phenotype import (
    PhenotypeIndex,
    disease_term_pairs,
    read_disease_terms,
    read_gene_terms,
)
from conftest import ROOT

from unit.rdfixtures import GENES, write_obo

HPO = ROOT / "resources" / "knowledge_sources" / "hpo"


@pytest.fixture
def ontology(tmp_path):
    return read_ontology(write_obo(tmp_path))


@pytest.fixture
def index(ontology):
    return PhenotypeIndex.build(ontology, GENES)


def test_read_ontology(ontology):
    assert ontology.version == "2099-01-01"
    assert ontology.terms["HP:0000102"].parents == ["HP:0000101"]
    assert ontology.alt["HP:0000199"] == "HP:0000103"
    assert ontology.terms["HP:0000901"].consider == ["HP:0000201", "HP:0000202"]


@pytest.mark.parametrize(
    "given,ids,warning",
    [
        ("HP:0000102", ("HP:0000102",), None),
        ("HP:0000199", ("HP:0000103",), "alternative id"),  # its primary term
        ("HP:0000900", ("HP:0000101",), "replaced_by"),
        ("HP:0000901", ("HP:0000201", "HP:0000202"), "consider"),
        ("HP:0000902", (), "no replacement"),
    ],
)
def test_map_term(ontology, given, ids, warning):
    m = ontology.map_term(given)
    assert m is not None and m.ids == ids
    assert (m.warning is None) if warning is None else (warning in m.warning)


def test_unknown_term_is_an_error(ontology):
    with pytest.raises(InputError) as err:
        map_patient_terms(ontology, ["HP:0000102", "HP:9999999"], path="s.tsv", line=3)
    assert str(err.value) == "s.tsv: line 3: field 'phenotypes': unknown HPO term HP:9999999"


def test_real_ontology_obsolete_terms():
    ont = read_ontology(str(HPO / "hp.obo.gz"))
    assert ont.version == "2025-01-16"
    assert ont.map_term("HP:0000057").ids == ("HP:0008665",)  # replaced_by
    assert ont.map_term("HP:0001726").ids == ("HP:0001654",)  # consider
    # obsolete with 'consider' and also listed as an alt_id: the stanza's own pointers win
    assert ont.map_term("HP:0000489").ids == ("HP:0100886", "HP:0100887")
    assert ont.map_term("HP:0004715") is not None  # an alt_id


def test_index_scores_the_matching_gene_first(index):
    scores = index.gene_scores(["HP:0000102", "HP:0000103"])
    assert max(scores, key=scores.__getitem__) == "HEART1"
    scores = index.gene_scores(["HP:0000202"])
    assert max(scores, key=scores.__getitem__) == "SKEL1"
    assert scores["NEURO1"] == 0.0  # shares only the phenotypic-abnormality root (IC 0)


def test_index_ignores_inheritance_terms(index):
    assert "HP:0000006" not in index.index
    assert index.gene_scores(["HP:0000006"]) == dict.fromkeys(index.genes, 0.0)


def test_bma_penalises_unspecific_genes(index):
    # MIXED1 has the atrial septal defect too, but also unrelated terms
    bma = index.gene_scores(["HP:0000102"], "bma")
    p2g = index.gene_scores(["HP:0000102"], "p2g")
    assert p2g["MIXED1"] == p2g["HEART1"]
    assert bma["MIXED1"] < bma["HEART1"]


def test_resnik_is_ic_of_the_mica(index):
    ic = dict(zip(index.term_ids, index.ic.tolist(), strict=True))
    s = index.gene_scores(["HP:0000103"], "p2g")
    # MIXED1 has HP:0000102 only: the MICA of ASD and VSD is 'Septal defect'
    assert s["MIXED1"] == pytest.approx(ic["HP:0000101"])
    assert s["HEART1"] == pytest.approx(ic["HP:0000103"])


def test_matches_name_the_mica(index):
    m = {x.term: x for x in index.matches(["HP:0000103", "HP:0000301"], "MIXED1")}
    assert m["HP:0000103"].mica == "HP:0000101" and not m["HP:0000103"].exact
    assert m["HP:0000301"].exact and m["HP:0000301"].mica_name == "Seizure"


def test_disease_term_pairs(ontology, tmp_path):
    """Patient terms match a disease's terms when one subsumes the other; siblings do not."""
    diseases = {"OMIM:1": {"HP:0000102", "HP:0000201"}, "OMIM:2": {"HP:0000101"}}
    idx = PhenotypeIndex.build(ontology, GENES, diseases)
    pairs = {p.patient: p for p in disease_term_pairs(idx, ["HP:0000102", "HP:0000103"], "OMIM:1")}
    assert set(pairs) == {"HP:0000102"}  # HP:0000103 is only a sibling of HP:0000102
    assert pairs["HP:0000102"].relation == "same"
    general = disease_term_pairs(idx, ["HP:0000101"], "OMIM:1")
    assert [(p.disease, p.relation) for p in general] == [
        ("HP:0000102", "disease term more specific")
    ]
    specific = disease_term_pairs(idx, ["HP:0000103"], "OMIM:2")
    assert [(p.disease, p.relation) for p in specific] == [
        ("HP:0000101", "patient term more specific")
    ]
    assert disease_term_pairs(idx, ["HP:0000102"], "OMIM:404") == []
    path = str(tmp_path / "idx.npz")
    idx.save(path)
    assert disease_term_pairs(PhenotypeIndex.load(path), ["HP:0000102"], "OMIM:1") == [
        pairs["HP:0000102"]
    ]


def test_save_and_load(index, tmp_path):
    path = str(tmp_path / "idx.npz")
    index.save(path)
    back = PhenotypeIndex.load(path)
    terms = ["HP:0000102", "HP:0000201"]
    assert np.array_equal(back.score(terms), index.score(terms))
    assert back.version == index.version and back.genes == index.genes


def test_real_index_scores_every_annotated_gene_after_a_reload(tmp_path):
    # how fast is measured by benchmarks/phenotype_ranking (ms per patient), not here
    ont = read_ontology(str(HPO / "hp.obo.gz"))
    genes = read_gene_terms(str(HPO / "genes_to_phenotype.txt.gz"))
    diseases = read_disease_terms(str(HPO / "phenotype.hpoa.gz"))
    index = PhenotypeIndex.build(ont, genes, diseases)
    path = str(tmp_path / "hpo.npz")
    index.save(path)
    loaded = PhenotypeIndex.load(path)
    # the demo proband RD01-P (Myhre syndrome, SMAD4)
    lines = (ROOT / "config" / "samples.tsv").read_text().splitlines()
    row = dict(zip(lines[0].split("\t"), lines[1].split("\t"), strict=False))
    scores = loaded.gene_scores(row["phenotypes"].split(";"))
    assert len(scores) > 4000
    ranked = sorted(scores, key=lambda g: -scores[g])
    assert ranked[0] == "SMAD4"
    # Myhre syndrome (OMIM:139210) shares terms with RD01-P; each pair names both terms
    pairs = disease_term_pairs(loaded, row["phenotypes"].split(";"), "OMIM:139210")
    assert len(pairs) >= 10
    assert {"HP:0004322", "HP:0001072"} <= {p.patient for p in pairs}  # short stature, skin
