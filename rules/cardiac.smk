# cardiac pilot: gene panel by referral indication, ACMG/AMP findings, panel coverage and
# cascade testing (bigmed.pilots.cardiac.interpret), and known-familial-variant reports (bigmed.pilots.cardiac.targeted).


rule interpret_cardiac:
    input:
        annotated="results/knowledge/{patient}.annotated.json",
        vcf="results/{patient}/calls.vcf.gz",
        tbi="results/{patient}/calls.vcf.gz.tbi",
        store=get_store_lookup,  # the lab's own classifications (known-variant path)
        overrides=ACMG_OVERRIDES,
        manifest=KB_BUNDLE["manifest"],
        genes=KB_BUNDLE["genes"],
        transcripts="results/reference/transcripts.json",
        targets="results/reference/targets.bed",
        exons=get_index_exons,
        alignments=get_patient_bams,
        indexes=get_patient_bais,
        ref=REF,
        fai=f"{REF}.fai",
        contig_map=config["reference"]["contig_map"] or [],
    output:
        "results/interpretation/cardiac/{patient}.json",
    log:
        "logs/interpret/cardiac/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        samples=lambda wc: patient_samples_json(wc.patient),
        indications=lambda wc: CARDIAC_INDICATIONS[wc.patient],
        cfg={k: v for k, v in CARDIAC.items() if k != "targeted"},
        min_depth=config["coverage"]["min_depth"],
        padding=config["coverage"]["exon_padding"],
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
        code=BIGMED_HASH,
    script:
        "../scripts/interpret_cardiac.py"


rule report_targeted_variant:
    input:
        vcf="results/{patient}/calls.vcf.gz",
        tbi="results/{patient}/calls.vcf.gz.tbi",
        alignment=get_sample_alignment,
        index=lambda wc: f"{get_sample_alignment(wc)}.{ALN_INDEX}",
        transcripts="results/reference/transcripts.json",
        ref=REF,
        fai=f"{REF}.fai",
        contig_map=config["reference"]["contig_map"] or [],
        # the family's classification of the variant decides whether a result is predictive
        interpretation="results/interpretation/cardiac/{patient}.json",
    output:
        json="results/{patient}/targeted_{sample}.json",
        html="results/{patient}/targeted_{sample}.html",
    log:
        "logs/report_targeted/{patient}/{sample}.log",
    conda:
        "../envs/python.yaml"
    params:
        spec=lambda wc: json.dumps(TARGETED[wc.sample]),
        sample=lambda wc: json.dumps(
            {k: v for k, v in SAMPLE_BY_ID[wc.sample].__dict__.items() if k != "line"}
        ),
        min_depth=config["coverage"]["min_depth"],
        min_alt_reads=CARDIAC["min_alt_reads"],
        min_vaf=CARDIAC["min_vaf"],
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
        config_hash=CONFIG_HASH,
        pipeline_version=PIPELINE_VERSION,
        git_commit=GIT_COMMIT,
        code=BIGMED_HASH,
    script:
        "../scripts/report_targeted.py"
