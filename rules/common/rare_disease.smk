# rare_disease pilot: families (sheet, PED, Phenopackets) with their HPO ids checked at
# start; input functions of rules/rare_disease.smk.


def load_rare_disease_families(hpo_files, rd_config):
    """Families of the rare_disease patients, HPO ids checked (InputError: stop the run)."""
    from bigmed.knowledge.hpo import read_ontology
    from bigmed.pilots.rare_disease.pedigree import check_sheet_terms, load_families

    wanted = any(p.pilot == "rare_disease" for p in PATIENTS.values())
    has_terms = any(s.phenotypes for s in SAMPLES) or rd_config["phenopackets"]
    ontology = None
    if "ontology" in hpo_files and (wanted or has_terms):
        ontology = read_ontology(hpo_files["ontology"])
    elif has_terms:
        sys.stderr.write(
            "bigmed: warning: HPO ids are not checked against the ontology "
            "(knowledge.sources.hpo_ontology is not configured)\n"
        )
    warnings = (
        check_sheet_terms(ontology, config["samples"], SAMPLES) if ontology else []
    )
    families = load_families(
        PATIENTS,
        config["samples"],
        ontology=ontology,
        ped=rd_config["pedigree"],
        phenopackets=rd_config["phenopackets"],
    )
    for fam in families.values():
        warnings += [w for w in fam.warnings if w not in warnings]
    for w in warnings:
        sys.stderr.write(f"bigmed: warning: {w}\n")
    return families


def rare_disease_read_samples(patient):
    """Sequenced members with reads (a VCF-only sample has no exon depth)."""
    return [m.id for m in RD_FAMILIES[patient].sequenced if m.id not in VCF_SAMPLES]


def get_rare_disease_inputs(wildcards):
    fam = RD_FAMILIES[wildcards.patient]
    out = {
        "exons": [
            f"results/qc/mosdepth/{s}.exons.regions.bed.gz"
            for s in rare_disease_read_samples(wildcards.patient)
        ]
    }
    if fam.proband not in VCF_SAMPLES:
        out["proband_exons"] = (
            f"results/qc/mosdepth/{fam.proband}.exons.thresholds.bed.gz"
        )
    elif fam.proband in GVCF_SAMPLES:  # depth from its gVCF records
        out["proband_exons"] = gvcf_depth_file(fam.proband)
    if "ontology" in HPO_FILES and "genes" in HPO_FILES:
        out["index"] = HPO_INDEX
    return out


RD_CONFIG = config["rare_disease"]
HPO_KEYS = {
    "ontology": "hpo_ontology",
    "genes": "hpo_genes",
    "annotations": "hpo_annotations",
}
HPO_FILES = {k: KNOWLEDGE[s].files[0] for k, s in HPO_KEYS.items() if s in KNOWLEDGE}
HPO_INDEX = f"{KB_DIR}/hpo_similarity.npz"

try:
    RD_FAMILIES = load_rare_disease_families(HPO_FILES, RD_CONFIG)
except InputError as _err:
    _fail(_err)
