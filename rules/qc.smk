# Per-sample QC (samtools stats, mosdepth over targets and coding exons) and MultiQC.


rule samtools_stats:
    input:
        bam=f"results/alignments/{{sample}}.{ALN}",
        ref=REF,
    output:
        "results/qc/samtools_stats/{sample}.txt",
    log:
        "logs/samtools_stats/{sample}.log",
    conda:
        "../envs/qc.yaml"
    shell:
        "samtools stats --reference {input.ref} -r {input.ref} {input.bam} > {output} 2> {log}"


rule mosdepth_coverage:
    input:
        bam=f"results/alignments/{{sample}}.{ALN}",
        bai=f"results/alignments/{{sample}}.{ALN}.{ALN_INDEX}",
        ref=REF,
        targets="results/reference/targets.bed",
        exons="results/reference/coding_exons.bed",
    output:
        summary="results/qc/mosdepth/{sample}.mosdepth.summary.txt",
        dist="results/qc/mosdepth/{sample}.mosdepth.global.dist.txt",
        regions="results/qc/mosdepth/{sample}.regions.bed.gz",
        thresholds="results/qc/mosdepth/{sample}.thresholds.bed.gz",
        exons="results/qc/mosdepth/{sample}.exons.regions.bed.gz",
        exon_thresholds="results/qc/mosdepth/{sample}.exons.thresholds.bed.gz",
    log:
        "logs/mosdepth/{sample}.log",
    conda:
        "../envs/qc.yaml"
    threads: 2
    params:
        prefix="results/qc/mosdepth/{sample}",
        min_mapq=config["calling"]["min_mapq"],
        thresholds=f"1,10,{config['coverage']['min_depth']},30,50,100",
    shell:
        "(mosdepth -t {threads} -n -Q {params.min_mapq} --fasta {input.ref} --by {input.targets}"
        " --thresholds {params.thresholds} {params.prefix} {input.bam}"
        " && mosdepth -t {threads} -n -Q {params.min_mapq} --fasta {input.ref} --by {input.exons}"
        " --thresholds {params.thresholds} {params.prefix}.exons {input.bam}) 2> {log}"


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
    output:
        html="results/qc/multiqc.html",
        data=directory("results/qc/multiqc_data"),
    log:
        "logs/multiqc/multiqc.log",
    conda:
        "../envs/qc.yaml"
    shell:
        "multiqc --force --no-ansi --outdir results/qc --filename multiqc.html"
        " {input} > {log} 2>&1"
