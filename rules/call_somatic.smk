# Somatic calling of a tumor (and its matched normal), callable regions, MSI and TMB.
# Input functions (the batch panel of normals' included): rules/common/crc.smk.


rule pileup_normals:
    input:
        bams=lambda wc: [f"results/alignments/{s}.bam" for s in batch_normals()],
        bais=lambda wc: [f"results/alignments/{s}.bam.bai" for s in batch_normals()],
        ref=REF,
        fai=f"{REF}.fai",
        shard="results/reference/shards/{shard}.bed",
    output:
        temp("results/somatic/panel_of_normals/{shard}.bcf"),
    log:
        "logs/pileup_normals/{shard}.log",
    conda:
        "../envs/call.yaml"
    params:
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
    shell:
        "(bcftools mpileup --fasta-ref {input.ref} --regions-file {input.shard}"
        " --min-MQ {params.min_mapq} --min-BQ {params.min_baseq} --max-depth 10000"
        " --gap-frac 0.01 --min-ireads 2 --annotate FORMAT/AD --output-type u {input.bams}"
        " | bcftools norm --fasta-ref {input.ref} --multiallelics -any --output-type u"
        " | bcftools view --include 'ALT!=\"<*>\"' --output-type b --output {output}) 2> {log}"


rule panel_of_normals:
    input:
        bcfs=expand("results/somatic/panel_of_normals/{shard}.bcf", shard=SHARDS),
    output:
        vcf="results/somatic/panel_of_normals.vcf.gz",
        tbi="results/somatic/panel_of_normals.vcf.gz.tbi",
    log:
        "logs/panel_of_normals.log",
    conda:
        "../envs/python.yaml"
    params:
        min_alt_reads=config["somatic"]["pon_min_alt_reads"],
        code=BIGMED_HASH,
    script:
        "../scripts/build_panel_of_normals.py"


rule pileup_somatic:
    input:
        unpack(get_somatic_shard_alignments),
        ref=REF,
        fai=f"{REF}.fai",
        shard="results/reference/shards/{shard}.bed",
    output:
        temp("results/somatic/{patient}/pileup/{shard}.bcf"),
    log:
        "logs/pileup_somatic/{patient}/{shard}.log",
    benchmark:
        "results/benchmarks/pileup_somatic/{patient}/{shard}.tsv"
    conda:
        "../envs/call.yaml"
    params:
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
        # candidates: >= 2 tumor alt reads (the model needs min_alt_reads, default 3)
        min_alt=min(2, config["somatic"]["min_alt_reads"]),
        bams=get_somatic_shard_bam_list,
        # indel candidates from 1 % gapped reads (mpileup's 5 % misses 5 % VAF indels)
        gap_frac=0.01,
    shell:
        # tumor is the first sample; records split to one ALT each, <*> dropped
        "(bcftools mpileup --fasta-ref {input.ref} --regions-file {input.shard}"
        " --min-MQ {params.min_mapq} --min-BQ {params.min_baseq} --max-depth 10000"
        " --gap-frac {params.gap_frac} --min-ireads 2"
        " --annotate FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP --output-type u {params.bams}"
        " | bcftools norm --fasta-ref {input.ref} --multiallelics -any --output-type u"
        " | bcftools view --include 'ALT!=\"<*>\" && FMT/AD[0:1]>={params.min_alt}'"
        " --output-type b --output {output}) 2> {log}"


rule call_somatic:
    input:
        unpack(get_somatic_shard_alignments),
        bcf="results/somatic/{patient}/pileup/{shard}.bcf",
        ref=REF,
        fai=f"{REF}.fai",
        contig_map=config["reference"]["contig_map"] or [],
        pon=config["somatic"]["panel_of_normals"] or [],
        batch_pon=get_batch_pon,
        population=get_population_files,
    output:
        temp("results/somatic/{patient}/shards/{shard}.vcf.gz"),
    log:
        "logs/call_somatic/{patient}/{shard}.log",
    benchmark:
        "results/benchmarks/call_somatic/{patient}/{shard}.tsv"
    conda:
        "../envs/python.yaml"
    params:
        tumor=get_tumor,
        normal=get_normal,
        bams=get_somatic_shard_bam_list,
        model=config["somatic"],
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
        population_style=get_population_style,
        code=BIGMED_HASH,
    script:
        "../scripts/call_somatic.py"


rule gather_somatic:
    input:
        get_somatic_shards,
    output:
        temp("results/somatic/{patient}/raw.bcf"),
    log:
        "logs/gather_somatic/{patient}.log",
    conda:
        "../envs/call.yaml"
    shell:
        # shards are contiguous and in reference order, so concatenation keeps order
        "bcftools concat --output-type b --output {output} {input} 2> {log}"


rule annotate_somatic:
    input:
        bcf="results/somatic/{patient}/raw.bcf",
        ref=REF,
        gff="results/reference/annotation.gff3",
    output:
        temp("results/somatic/{patient}/csq.bcf"),
    log:
        "logs/annotate_somatic/{patient}.log",
    conda:
        "../envs/call.yaml"
    shell:
        # --samples -: consequences of every ALT, independent of genotypes
        "bcftools csq --fasta-ref {input.ref} --gff-annot {input.gff} --local-csq"
        " --samples - --force --output-type b --output {output} {input.bcf} 2> {log}"


rule finalize_somatic:
    input:
        bcf="results/somatic/{patient}/csq.bcf",
        ref=REF,
        fai=f"{REF}.fai",
        transcripts="results/reference/transcripts.json",
        contig_map=config["reference"]["contig_map"] or [],
    output:
        vcf="results/somatic/{patient}/somatic.vcf.gz",
        tbi="results/somatic/{patient}/somatic.vcf.gz.tbi",
    log:
        "logs/finalize_somatic/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/finalize_calls.py"


rule quantize_depth:
    input:
        bam="results/alignments/{sample}.bam",
        bai="results/alignments/{sample}.bam.bai",
    output:
        bed="results/callable/{sample}.quantized.bed.gz",
        csi=temp("results/callable/{sample}.quantized.bed.gz.csi"),
        dist=temp("results/callable/{sample}.mosdepth.global.dist.txt"),
        summary=temp("results/callable/{sample}.mosdepth.summary.txt"),
    log:
        "logs/quantize_depth/{sample}.log",
    conda:
        "../envs/qc.yaml"
    threads: 2
    params:
        prefix="results/callable/{sample}",
        depth=get_callable_depth,
        min_mapq=config["calling"]["min_mapq"],
    shell:
        "(MOSDEPTH_Q0=LOW MOSDEPTH_Q1=CALLABLE mosdepth -t {threads} -n -Q {params.min_mapq}"
        " --quantize 0:{params.depth}: {params.prefix} {input.bam}) 2> {log}"


rule compute_tmb:
    input:
        vcf="results/somatic/{patient}/somatic.vcf.gz",
        coding="results/reference/coding_exons.bed",
        targets="results/reference/targets.bed",
        depth=get_depth_beds,
    output:
        json="results/tmb/{patient}.json",
        bed="results/tmb/{patient}.callable.bed",
    log:
        "logs/compute_tmb/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        tmb=config["tmb"],
        tumor_only=lambda wc: get_normal(wc) is None,
        vcf_input=somatic_from_vcf,
        code=BIGMED_HASH,
    script:
        "../scripts/compute_tmb.py"


rule find_microsatellites:
    input:
        ref=REF,
        fai=f"{REF}.fai",
        targets="results/reference/targets.bed",
    output:
        "results/msi/microsatellites.tsv",
    log:
        "logs/msi/find_microsatellites.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/find_microsatellites.py"


rule measure_repeats:
    input:
        bam="results/alignments/{sample}.bam",
        bai="results/alignments/{sample}.bam.bai",
        sites="results/msi/microsatellites.tsv",
    output:
        "results/msi/lengths/{sample}.tsv",
    log:
        "logs/msi/measure_repeats/{sample}.log",
    conda:
        "../envs/python.yaml"
    params:
        min_mapq=config["calling"]["min_mapq"],
        code=BIGMED_HASH,
    script:
        "../scripts/measure_repeats.py"


rule build_msi_baseline:
    input:
        get_baseline_normals,
    output:
        "results/msi/baseline.tsv",
    log:
        "logs/msi/build_msi_baseline.log",
    conda:
        "../envs/python.yaml"
    params:
        msi=config["msi"],
        code=BIGMED_HASH,
    script:
        "../scripts/build_msi_baseline.py"


rule score_msi:
    input:
        unpack(get_msi_lengths),
    output:
        json="results/msi/{patient}.json",
        sites="results/msi/{patient}.sites.tsv",
    log:
        "logs/msi/score_msi/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        msi=config["msi"],
        code=BIGMED_HASH,
    script:
        "../scripts/score_msi.py"
