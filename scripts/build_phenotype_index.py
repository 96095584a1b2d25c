"""Rule script: the HPO similarity index (ancestors, information content, gene annotations)."""

from bigmed.base.rulelog import run_logged
from bigmed.knowledge.hpo import read_ontology
from bigmed.pilots.rare_disease.phenotype import PhenotypeIndex, read_disease_terms, read_gene_terms


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp = snakemake.input
    ontology = read_ontology(inp.ontology)
    genes = read_gene_terms(inp.genes)
    diseases = read_disease_terms(inp.annotations) if inp.get("annotations") else None
    index = PhenotypeIndex.build(ontology, genes, diseases)
    index.save(snakemake.output[0])
    print(
        f"HPO {index.version}: {len(index.term_ids)} phenotype terms, {len(index.genes)} genes, "
        f"information content over {index.corpus}"
    )


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
