# Trimming, alignment, duplicate marking: one coordinate-sorted, indexed BAM per sample.


rule map_reads:
    # fastp, then bwa mem on its trimmed pairs, in one job per unit. Not piped (fastp
    # --stdout | bwa mem -p): fastp's stdout order varies with its threads, which changes
    # bwa's batches and so some alignments; its file output is in input order.
    input:
        unpack(get_fastqs),
        ref=REF,
        index=BWA_INDEX,
    output:
        bam=temp("results/mapped/{sample}/{unit}.bam"),
        json="results/qc/fastp/{sample}/{unit}.fastp.json",
        html="results/qc/fastp/{sample}/{unit}.fastp.html",
        # removed as soon as the job is done (nothing else reads them)
        r1=temp("results/trimmed/{sample}/{unit}_R1.fastq.gz"),
        r2=temp("results/trimmed/{sample}/{unit}_R2.fastq.gz"),
    log:
        fastp="logs/map_reads/{sample}/{unit}.fastp.log",
        bwa="logs/map_reads/{sample}/{unit}.log",
    benchmark:
        "results/benchmarks/map_reads/{sample}/{unit}.tsv"
    conda:
        "../envs/align.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        min_length=config["trimming"]["min_length"],
        qualified=config["trimming"]["qualified_quality"],
        read_group=r"@RG\tID:{sample}.{unit}\tSM:{sample}\tLB:{sample}\tPL:ILLUMINA\tPU:{unit}",
    shell:
        "fastp --in1 {input.r1:q} --in2 {input.r2:q} --out1 {output.r1} --out2 {output.r2}"
        " --detect_adapter_for_pe --length_required {params.min_length}"
        " --qualified_quality_phred {params.qualified} --thread {threads}"
        " --json {output.json} --html {output.html} --report_title '{wildcards.sample} {wildcards.unit}'"
        " 2> {log.fastp}"
        " && (bwa mem -t {threads} -R '{params.read_group}' {input.ref} {output.r1} {output.r2}"
        " | samtools fixmate -m -u - -"
        " | samtools sort -@ {threads} -m 500M -T {output.bam}.tmp -o {output.bam} -) 2> {log.bwa}"


rule mark_duplicates:
    # lanes merged and duplicates marked, then the sample's QC and input checksums in the
    # same job (scripts/sample_qc.py; the same outputs as rule sample_qc)
    input:
        **SAMPLE_QC_INPUT,
        bams=get_unit_bams,
        ref=REF,
        files=get_sample_input_files,
    output:
        **SAMPLE_QC_OUTPUT,
        bam=f"results/alignments/{{sample}}.{ALN}",
        bai=f"results/alignments/{{sample}}.{ALN}.{ALN_INDEX}",
        metrics="results/qc/markdup/{sample}.txt",
    log:
        "logs/mark_duplicates/{sample}.log",
    benchmark:
        "results/benchmarks/mark_duplicates/{sample}.tsv"
    wildcard_constraints:
        sample=MARKED_RE,
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=2000,
    params:
        **SAMPLE_QC_PARAMS,
        # CRAM 3.0 against the prepared reference; BAM otherwise
        fmt="--output-fmt cram,version=3.0" if ALN == "cram" else "--output-fmt bam",
    script:
        "../scripts/sample_qc.py"


if ALN == "cram":

    # Stop-gap for rules that still read results/alignments/{sample}.bam: a temporary BAM
    # decoded from the CRAM, deleted once they are done. Rules using get_patient_bams()
    # read the CRAM itself.
    rule decode_cram:
        input:
            cram="results/alignments/{sample}.cram",
            crai="results/alignments/{sample}.cram.crai",
            ref=REF,
        output:
            bam=temp("results/alignments/{sample}.bam"),
            bai=temp("results/alignments/{sample}.bam.bai"),
        log:
            "logs/decode_cram/{sample}.log",
        conda:
            "../envs/align.yaml"
        threads: 2
        shell:
            "samtools view -@ {threads} --bam --reference {input.ref} --write-index"
            " -o {output.bam}##idx##{output.bai} {input.cram} 2> {log}"
