# Joint germline calling of all samples of a patient, scattered over region shards.
# With calling.realign_indels, each shard's reads are first realigned around long indels
# (soft-clip aware, bigmed.genome.realign) and the callers read the realigned BAMs.


rule sample_ploidy:
    # males are called haploid on chrX outside the PARs and on chrY (bigmed.genome.ploidy):
    # sex from the sheet, or from the X/autosome depth where the sheet says unknown
    input:
        unpack(get_ploidy_inputs),
        ref=REF,
        fai=f"{REF}.fai",
    output:
        sexes="results/calls/{patient}/ploidy/sexes.tsv",
        cnv_map="results/calls/{patient}/ploidy/freebayes_cnv_map.bed",
        ploidy="results/calls/{patient}/ploidy/bcftools_ploidy.txt",
        samples="results/calls/{patient}/ploidy/bcftools_samples.txt",
    log:
        "logs/sample_ploidy/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        samples=lambda wildcards: [
            (s.sample, s.sex) for s in PATIENTS[wildcards.patient].samples
        ],
        unknown=lambda wildcards: ploidy_unknown_samples(wildcards.patient),
        contig_map=config["reference"]["contig_map"] or "",
        code=BIGMED_HASH,
    script:
        "../scripts/sample_ploidy.py"


rule realign_indels:
    input:
        bams=get_patient_bams,
        bais=get_patient_bais,
        ref=REF,
        fai=f"{REF}.fai",
        shard="results/reference/shards/{shard}.bed",
    output:
        temp(directory("results/calls/{patient}/realigned/{shard}")),
    log:
        "logs/realign_indels/{patient}/{shard}.log",
    benchmark:
        "results/benchmarks/realign_indels/{patient}/{shard}.tsv"
    conda:
        "../envs/python.yaml"
    params:
        samples=lambda wildcards: PATIENTS[wildcards.patient].sample_ids,
        code=BIGMED_HASH,
    script:
        "../scripts/realign_indels.py"


rule call_variants_bcftools:
    input:
        unpack(get_calling_alignments),
        ploidy="results/calls/{patient}/ploidy/bcftools_ploidy.txt",
        sexes="results/calls/{patient}/ploidy/bcftools_samples.txt",
        ref=REF,
        fai=f"{REF}.fai",
        shard="results/reference/shards/{shard}.bed",
    output:
        temp("results/calls/{patient}/bcftools/{shard}.bcf"),
    log:
        "logs/call_variants/{patient}/bcftools_{shard}.log",
    benchmark:
        "results/benchmarks/call_variants/{patient}/bcftools_{shard}.tsv"
    conda:
        "../envs/call.yaml"
    params:
        bams=get_calling_bam_list,
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
    shell:
        "(bcftools mpileup --fasta-ref {input.ref} --regions-file {input.shard}"
        " --min-MQ {params.min_mapq} --min-BQ {params.min_baseq} --max-depth 10000"
        " --annotate FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP,FORMAT/SP,INFO/AD"
        " --output-type u {params.bams}"
        " | bcftools call --multiallelic-caller --variants-only --output-type b"
        " --ploidy-file {input.ploidy} --samples-file {input.sexes}"
        " --output {output}) 2> {log}"


rule call_variants_freebayes:
    input:
        unpack(get_calling_alignments),
        cnv_map="results/calls/{patient}/ploidy/freebayes_cnv_map.bed",
        ref=REF,
        fai=f"{REF}.fai",
        shard="results/reference/shards/{shard}.bed",
    output:
        temp("results/calls/{patient}/freebayes/{shard}.bcf"),
    log:
        "logs/call_variants/{patient}/freebayes_{shard}.log",
    benchmark:
        "results/benchmarks/call_variants/{patient}/freebayes_{shard}.tsv"
    conda:
        "../envs/call.yaml"
    params:
        bams=get_calling_bam_list,
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
        # freebayes orders a family's samples differently from shard to shard: the
        # patient's order in every shard, so that shards concatenate and long indels merge
        samples=lambda wc: ",".join(PATIENTS[wc.patient].sample_ids),
    shell:
        "(freebayes --fasta-reference {input.ref} --targets {input.shard}"
        " --min-mapping-quality {params.min_mapq} --min-base-quality {params.min_baseq}"
        " --cnv-map {input.cnv_map} {params.bams}"
        " | bcftools view --samples {params.samples:q} --output-type b --output {output})"
        " 2> {log}"


rule call_long_indels_bcftools:
    input:
        unpack(get_calling_alignments),
        ploidy="results/calls/{patient}/ploidy/bcftools_ploidy.txt",
        sexes="results/calls/{patient}/ploidy/bcftools_samples.txt",
        ref=REF,
        fai=f"{REF}.fai",
        shard="results/reference/shards/{shard}.bed",
    output:
        temp("results/calls/{patient}/long_indels/{shard}.bcf"),
    log:
        "logs/call_variants/{patient}/long_indels_{shard}.log",
    conda:
        "../envs/call.yaml"
    params:
        bams=get_calling_bam_list,
        min_mapq=config["calling"]["min_mapq"],
        min_baseq=config["calling"]["min_baseq"],
        min_qual=config["calling"]["min_qual"],
        min_length=config["calling"]["long_indel_min_length"],
    shell:
        "(bcftools mpileup --fasta-ref {input.ref} --regions-file {input.shard}"
        " --min-MQ {params.min_mapq} --min-BQ {params.min_baseq} --max-depth 10000"
        " --annotate FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP,FORMAT/SP,INFO/AD"
        " --output-type u {params.bams}"
        " | bcftools call --multiallelic-caller --variants-only --skip-variants snps"
        " --ploidy-file {input.ploidy} --samples-file {input.sexes}"
        " --output-type u"
        " | bcftools norm --fasta-ref {input.ref} --multiallelics -any --output-type u"
        " | bcftools view --include 'QUAL>={params.min_qual}"
        " && abs(strlen(REF)-strlen(ALT))>={params.min_length}'"
        " --output-type b --output {output}) 2> {log}"


rule merge_long_indels:
    input:
        primary="results/calls/{patient}/freebayes/{shard}.bcf",
        long="results/calls/{patient}/long_indels/{shard}.bcf",
    output:
        temp("results/calls/{patient}/freebayes_long/{shard}.bcf"),
    log:
        "logs/merge_long_indels/{patient}/{shard}.log",
    conda:
        "../envs/python.yaml"
    params:
        min_length=config["calling"]["long_indel_min_length"],
        window=10,
        min_qual_primary=config["calling"]["min_qual_freebayes"],
        code=BIGMED_HASH,
    script:
        "../scripts/merge_long_indels.py"


rule gather_calls:
    input:
        get_shard_calls,
    output:
        temp("results/calls/{patient}/raw.bcf"),
    log:
        "logs/gather_calls/{patient}.log",
    conda:
        "../envs/call.yaml"
    shell:
        # shards are contiguous and in reference order, so concatenation keeps order
        "bcftools concat --output-type b --output {output} {input} 2> {log}"


rule normalize_calls:
    input:
        bcf="results/calls/{patient}/raw.bcf",
        ref=REF,
    output:
        temp("results/calls/{patient}/normalized.bcf"),
    log:
        "logs/normalize_calls/{patient}.log",
    conda:
        "../envs/call.yaml"
    params:
        # freebayes scores long het indels low (soft-clipped support): its own threshold
        min_qual=(
            config["calling"]["min_qual_freebayes"]
            if CALLER == "freebayes"
            else config["calling"]["min_qual"]
        ),
        min_depth=config["calling"]["min_depth"],
        # freebayes reports nearby SNVs as one MNP record; split them like bcftools does
        atomize="--atomize" if CALLER == "freebayes" else "",
    shell:
        "(bcftools norm --fasta-ref {input.ref} --multiallelics -any --check-ref x"
        " {params.atomize} --output-type u {input.bcf}"
        " | bcftools view --exclude 'ALT=\"*\"' --output-type u"
        " | bcftools filter --mode + --soft-filter LowQual --exclude 'QUAL<{params.min_qual}'"
        " --output-type u"
        " | bcftools filter --mode + --soft-filter LowDepth --exclude 'INFO/DP<{params.min_depth}'"
        " --output-type b --output {output}) 2> {log}"
