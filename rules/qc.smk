# Per-sample QC (samtools stats, mosdepth over targets and coding exons, input checksums)
# and MultiQC.


rule sample_qc:
    # QC of a sample whose BAM/CRAM is used as it is (rules/inputs.smk): samtools stats,
    # mosdepth over the targets and the coding exons, sha256 of its input file. Samples
    # with FASTQ get the same files from their mark_duplicates job (rules/align.smk).
    input:
        **SAMPLE_QC_INPUT,
        bam=f"results/alignments/{{sample}}.{ALN}",
        bai=f"results/alignments/{{sample}}.{ALN}.{ALN_INDEX}",
        ref=REF,
        files=get_sample_input_files,
    output:
        **SAMPLE_QC_OUTPUT,
    log:
        "logs/sample_qc/{sample}.log",
    wildcard_constraints:
        sample=AS_ALIGNED_RE,
    conda:
        "../envs/python.yaml"
    threads: 2
    params:
        **SAMPLE_QC_PARAMS,
    script:
        "../scripts/sample_qc.py"


MULTIQC_DIR = os.path.join(workflow.basedir, "workflow", "multiqc")


# bigmed's own MultiQC sections (sample checks, coverage of the analysed regions), from the
# reports; MultiQC therefore runs after them
rule write_multiqc_tables:
    input:
        expand("results/{patient}/report.json", patient=PATIENTS),
    output:
        samples="results/qc/bigmed/bigmed_sample_checks_mqc.tsv",
        coverage="results/qc/bigmed/bigmed_coverage_mqc.tsv",
    log:
        "logs/multiqc/write_multiqc_tables.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/write_multiqc_tables.py"


rule multiqc:
    input:
        fastp=[
            f"results/qc/fastp/{u.sample}/{u.unit}.fastp.json"
            for u in UNITS
            if not uses_reads_as_aligned(u)
        ],
        stats=expand("results/qc/samtools_stats/{sample}.txt", sample=READ_SAMPLES),
        mosdepth=expand(
            "results/qc/mosdepth/{sample}.mosdepth.global.dist.txt",
            sample=READ_SAMPLES,
        ),
        markdup=expand("results/qc/markdup/{sample}.txt", sample=READ_SAMPLES),
        bigmed=rules.write_multiqc_tables.output,
    output:
        html="results/qc/multiqc.html",
        data=directory("results/qc/multiqc_data"),
    log:
        "logs/multiqc/multiqc.log",
    conda:
        "../envs/qc.yaml"
    params:
        config=os.path.join(MULTIQC_DIR, "multiqc_config.yaml"),
        css=os.path.join(MULTIQC_DIR, "bigmed.css"),
    shell:
        "multiqc --force --no-ansi --outdir results/qc --filename multiqc.html"
        " --config {params.config} --cl-config \"custom_css_files: ['{params.css}']\""
        " {input} > {log} 2>&1"


# A batch without reads (every patient entered as a VCF) has nothing for MultiQC: the
# page says so instead, and results/qc/multiqc.html exists in every batch.
if READ_SAMPLES:

    ruleorder: multiqc > note_no_reads_qc

else:

    ruleorder: note_no_reads_qc > multiqc


rule note_no_reads_qc:
    output:
        html="results/qc/multiqc.html",
        data=directory("results/qc/multiqc_data"),
    log:
        "logs/multiqc/no_reads.log",
    conda:
        "../envs/python.yaml"
    params:
        patients=sorted(PATIENTS),
        code=BIGMED_HASH,
    script:
        "../scripts/note_no_reads_qc.py"
