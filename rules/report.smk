# Provenance, the per-patient report (JSON, HTML, TSV) and the batch summary.


rule collect_tool_versions:
    output:
        "results/provenance/tools.json",
    log:
        "logs/provenance/collect_tool_versions.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/collect_tool_versions.py"


# samples with reads get their input checksums with their QC (mark_duplicates or
# sample_qc: scripts/sample_qc.py); this rule covers the samples that entered as a VCF
# (no reads, no QC job)
rule checksum_inputs:
    input:
        files=get_sample_input_files,
    output:
        "results/provenance/inputs/{sample}.json",
    log:
        "logs/provenance/checksum_inputs/{sample}.log",
    wildcard_constraints:
        sample=NO_READS,
    conda:
        "../envs/python.yaml"
    params:
        units=get_sample_inputs,
        code=BIGMED_HASH,
    script:
        "../scripts/checksum_inputs.py"


rule checksum_reference:
    input:
        fasta=config["reference"]["fasta"],
        annotation=config["reference"]["annotation"],
        contig_map=config["reference"]["contig_map"] or [],
    output:
        "results/provenance/reference.json",
    log:
        "logs/provenance/checksum_reference.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/checksum_reference.py"


rule build_report:
    input:
        unpack(get_patient_qc),
        # coverage of germline-VCF samples from their gVCF records (none: no reads)
        gvcf_depth=get_gvcf_depth,
        vcf="results/{patient}/calls.vcf.gz",
        tbi="results/{patient}/calls.vcf.gz.tbi",
        interpretation=get_interpretation,
        somatic=get_somatic_calls,
        store=get_store_lookup,
        targets="results/reference/targets.bed",
        tools="results/provenance/tools.json",
        reference="results/provenance/reference.json",
        knowledge=KB_BUNDLE["manifest"],
        contig_map=config["reference"]["contig_map"] or [],
        # names of the referral's HPO terms
        hpo_ontology=HPO_FILES.get("ontology", []),
    output:
        json="results/{patient}/report.json",
        html="results/{patient}/report.html",
        tsv="results/{patient}/variants.tsv",
        gaps="results/{patient}/coverage_gaps.tsv",
    log:
        "logs/build_report/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        patient=lambda wc: wc.patient,
        pilot=lambda wc: PATIENTS[wc.patient].pilot,
        samples=lambda wc: patient_samples_json(wc.patient),
        no_reads=lambda wc: sorted(VCF_SAMPLES & set(PATIENTS[wc.patient].sample_ids)),
        gvcf_samples=lambda wc: [
            s for s in PATIENTS[wc.patient].sample_ids if s in GVCF_SAMPLES
        ],
        # a crc patient that entered as a somatic VCF has no germline calls
        no_germline=lambda wc: wc.patient in SOMATIC_VCF_PATIENTS,
        min_depth=config["coverage"]["min_depth"],
        padding=config["coverage"]["exon_padding"],
        max_variants_html=config["report"]["max_variants_html"],
        previous=lambda wc: (
            os.path.join(config["report"]["previous_dir"], wc.patient, "report.json")
            if config["report"]["previous_dir"]
            else ""
        ),
        config_hash=CONFIG_HASH,
        pipeline_version=PIPELINE_VERSION,
        git_commit=GIT_COMMIT,
        code=BIGMED_HASH,
    script:
        "../scripts/build_report.py"


rule summarize_batch:
    input:
        expand("results/{patient}/report.json", patient=PATIENTS),
    output:
        "results/batch/summary.html",
    log:
        "logs/summarize_batch.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/summarize_batch.py"


rule export_pdf:
    input:
        "results/{patient}/report.html",
    output:
        "results/{patient}/report.pdf",
    log:
        "logs/export_pdf/{patient}.log",
    conda:
        "../envs/report.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/export_pdf.py"


rule export_fhir:
    input:
        "results/{patient}/report.json",
    output:
        "results/{patient}/report.fhir.json",
    log:
        "logs/export_fhir/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/export_fhir.py"
