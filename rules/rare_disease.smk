# rare_disease pilot: families (sheet, PED, Phenopackets; checked at parse time), the HPO
# similarity index, and the interpretation: inheritance models, sample checks, phenotype
# ranking and ACMG/AMP (bigmed.pilots.rare_disease.interpret; workflow/schemas/interpretation.schema.json).


rule build_phenotype_index:
    input:
        **HPO_FILES,
    output:
        HPO_INDEX,
    log:
        "logs/rare_disease/build_phenotype_index.log",
    benchmark:
        "results/benchmarks/rare_disease/build_phenotype_index.tsv"
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/build_phenotype_index.py"


rule interpret_rare_disease:
    input:
        unpack(get_rare_disease_inputs),
        annotated="results/knowledge/{patient}.annotated.json",
        vcf="results/{patient}/calls.vcf.gz",
        overrides=ACMG_OVERRIDES,
        store=get_store_lookup,  # the lab's own classifications (known-variant path)
        targets="results/reference/targets.bed",
        contig_map=config["reference"]["contig_map"] or [],
    output:
        "results/interpretation/rare_disease/{patient}.json",
    log:
        "logs/interpret/rare_disease/{patient}.log",
    benchmark:
        "results/benchmarks/interpret/rare_disease/{patient}.tsv"
    conda:
        "../envs/python.yaml"
    params:
        family=lambda wc: json.dumps(RD_FAMILIES[wc.patient].as_dict()),
        no_reads=lambda wc: sorted(VCF_SAMPLES & set(PATIENTS[wc.patient].sample_ids)),
        settings=RD_CONFIG,
        min_depth=config["calling"]["min_depth"],
        coverage_depth=config["coverage"]["min_depth"],
        padding=config["coverage"]["exon_padding"],
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_rare_disease.py"
