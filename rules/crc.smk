# crc pilot: biomarker card, AMP/ASCO/CAP tiers and therapy lines of a tumor (and normal),
# written as an interpretation document (workflow/schemas/interpretation.schema.json).
# Evidence: the knowledge sources of rules/knowledge.smk (MOAlmanac, CIViC, cancer hotspots)
# with versions from the bundle manifest; OncoTree ships in resources/crc/. With
# crc.germline_findings, germline predisposition from the patient's joint germline calls
# (normal and tumor), their knowledge join and the lab's own classifications (the store
# lookup: lookup_store -> interpret_crc -> build_report), in the normal (tumor-only: the tumor).


rule interpret_crc:
    input:
        unpack(get_crc_inputs),
        unpack(get_crc_germline_inputs),
        vcf="results/somatic/{patient}/somatic.vcf.gz",
        tbi="results/somatic/{patient}/somatic.vcf.gz.tbi",
        tmb="results/tmb/{patient}.json",
        transcripts="results/reference/transcripts.json",
        manifest=KB_BUNDLE["manifest"],
        sources=get_crc_sources,
        oncotree=ONCOTREE,
    output:
        "results/interpretation/crc/{patient}.json",
    log:
        "logs/interpret/crc/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        patient=lambda wc: wc.patient,
        tumor_type=lambda wc: get_tumor_sample(wc).tumor_type,
        purity=lambda wc: get_tumor_sample(wc).purity,
        sources={
            key: (KNOWLEDGE[key].files[0] if key in KNOWLEDGE else None)
            for key in CRC_KNOWLEDGE_KEYS
        },
        crc=config["crc"],
        min_alt_reads=config["somatic"]["min_alt_reads"],
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
        no_reads=somatic_from_vcf,
        tumor_only=lambda wc: get_normal(wc) is None,
        germline_sample=get_germline_sample,
        mmr_ihc=lambda wc: config["crc"]["mmr_ihc"].get(wc.patient),
        min_depth=config["calling"]["min_depth"],
        coverage_depth=config["coverage"]["min_depth"],
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_crc.py"
