# Patients that enter as called variants (config `calls`, bigmed.intake.vcfinput): header checks
# at parse time, then the VCF is mapped into the reference's coordinates and joins the
# germline path at results/calls/{patient}/raw.bcf (normalised like the pipeline's own calls).


ruleorder: convert_input_calls > no_germline_calls > gather_calls
ruleorder: convert_input_somatic > gather_somatic


rule import_germline_vcf:
    input:
        vcf=lambda wc: CALLSET_BY_KEY[(wc.patient, "germline")].vcfs,
        ref=REF,
        fai=f"{REF}.fai",
        contig_map=config["reference"]["contig_map"] or [],
    output:
        temp("results/inputs/{patient}/germline.vcf"),
    log:
        "logs/inputs/import_germline_vcf/{patient}.log",
    wildcard_constraints:
        patient=VCF_GERMLINE,
    conda:
        "../envs/python.yaml"
    params:
        callset=lambda wc: callset_json(wc.patient, "germline"),
        code=BIGMED_HASH,
    script:
        "../scripts/import_vcf.py"


rule convert_input_calls:
    input:
        "results/inputs/{patient}/germline.vcf",
    output:
        temp("results/calls/{patient}/raw.bcf"),
    log:
        "logs/inputs/convert_input_calls/{patient}.log",
    wildcard_constraints:
        patient=VCF_GERMLINE,
    conda:
        "../envs/call.yaml"
    shell:
        "bcftools view --output-type b --output {output} {input} 2> {log}"


# Depth over the coding exons of a sample that entered as a germline gVCF (recognised at
# start: bigmed.intake.gvcfdepth.is_gvcf) from its records (reference blocks: MIN_DP,
# else DP; variant records: DP), in mosdepth's thresholds form plus the bases inside any
# record; a plain VCF gives no depth (its samples have no such job: no reads).
rule gvcf_exon_depth:
    input:
        vcf=lambda wc: CALLSET_BY_KEY[
            (SAMPLE_BY_ID[wc.sample].patient, "germline")
        ].vcfs,
        exons="results/reference/coding_exons.bed",
        ref=REF,
        fai=f"{REF}.fai",
        contig_map=config["reference"]["contig_map"] or [],
    output:
        gvcf_depth_file("{sample}"),
    log:
        "logs/inputs/gvcf_exon_depth/{sample}.log",
    wildcard_constraints:
        sample=GVCF_SAMPLES_RE,
    conda:
        "../envs/python.yaml"
    params:
        callset=lambda wc: callset_json(SAMPLE_BY_ID[wc.sample].patient, "germline"),
        thresholds=sorted({1, 10, config["coverage"]["min_depth"], 30, 50, 100}),
        code=BIGMED_HASH,
    script:
        "../scripts/gvcf_exon_depth.py"


# A crc patient enters with its somatic VCF: tumor (and normal) columns in the pipeline's
# order, one record per ALT, population frequency from the knowledge bundle; then the
# somatic path's consequence annotation and finalisation, as for its own calls.
rule import_somatic_vcf:
    input:
        vcf=lambda wc: CALLSET_BY_KEY[(wc.patient, "somatic")].vcfs,
        ref=REF,
        fai=f"{REF}.fai",
        contig_map=config["reference"]["contig_map"] or [],
        population=get_population_files,
    output:
        temp("results/inputs/{patient}/somatic.vcf"),
    log:
        "logs/inputs/import_somatic_vcf/{patient}.log",
    wildcard_constraints:
        patient=VCF_SOMATIC,
    conda:
        "../envs/python.yaml"
    params:
        callset=lambda wc: callset_json(
            wc.patient,
            "somatic",
            order=[s for s in (get_tumor(wc), get_normal(wc)) if s],
            population_style=get_population_style(wc),
        ),
        code=BIGMED_HASH,
    script:
        "../scripts/import_vcf.py"


rule convert_input_somatic:
    input:
        vcf="results/inputs/{patient}/somatic.vcf",
        ref=REF,
        fai=f"{REF}.fai",
    output:
        temp("results/somatic/{patient}/raw.bcf"),
    log:
        "logs/inputs/convert_input_somatic/{patient}.log",
    wildcard_constraints:
        patient=VCF_SOMATIC,
    conda:
        "../envs/call.yaml"
    shell:
        # left-aligned like the pipeline's own calls; a REF that disagrees with the
        # reference is dropped (and counted in the log)
        "bcftools norm --fasta-ref {input.ref} --check-ref x --output-type b"
        " --output {output} {input.vcf} 2> {log}"


# ... and has no germline calls: an empty call set (the report says so) keeps the
# germline path and results/{patient}/calls.vcf.gz the same for every patient
rule no_germline_calls:
    input:
        fai=f"{REF}.fai",
    output:
        temp("results/calls/{patient}/raw.bcf"),
    log:
        "logs/inputs/no_germline_calls/{patient}.log",
    wildcard_constraints:
        patient=VCF_SOMATIC,
    conda:
        "../envs/call.yaml"
    params:
        samples=lambda wc: "\\t".join(PATIENTS[wc.patient].sample_ids),
    shell:
        "((echo '##fileformat=VCFv4.2';"
        " echo '##bigmed_note=no germline calls: the patient entered as a somatic VCF';"
        " echo '##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Raw read depth\">';"
        " echo '##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">';"
        " echo '##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">';"
        " echo '##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">';"
        ' awk -v OFS= \'{{print "##contig=<ID=", $1, ",length=", $2, ">"}}\' {input.fai};'
        " printf '#CHROM\\tPOS\\tID\\tREF\\tALT\\tQUAL\\tFILTER\\tINFO\\tFORMAT\\t{params.samples}\\n')"
        " | bcftools view --output-type b --output {output}) 2> {log}"


# --- aligned input: units.tsv `bam` (BAM or CRAM), checks in rules/common/inputs.smk
ruleorder: import_alignment > mark_duplicates


rule import_alignment:
    input:
        aln=lambda wc: next(iter(UNITS_BY_SAMPLE[wc.sample].values())).bam,
        ref=REF,
        fai=f"{REF}.fai",
    output:
        aln=f"results/alignments/{{sample}}.{ALN}",
        index=f"results/alignments/{{sample}}.{ALN}.{ALN_INDEX}",
        metrics="results/qc/markdup/{sample}.txt",
    log:
        "logs/inputs/import_alignment/{sample}.log",
    wildcard_constraints:
        sample=AS_ALIGNED,
    conda:
        "../envs/align.yaml"
    params:
        # (head, tail): sort and mark duplicates only where the header says it is needed
        cmd=lambda wc, input, output: bm_aligned.import_commands(
            ALIGNED[wc.sample],
            input.aln,
            input.ref,
            ALN_FMT,
            output.aln,
            output.index,
            output.metrics,
        ),
    shell:
        "({params.cmd[0]} | {params.cmd[1]}) 2> {log}"


rule extract_reads:
    input:
        aln=lambda wc: UNITS_BY_SAMPLE[wc.sample][wc.unit].bam,
        ref=REF,
        fai=f"{REF}.fai",
    output:
        r1=temp("results/inputs/fastq/{sample}/{unit}_R1.fastq.gz"),
        r2=temp("results/inputs/fastq/{sample}/{unit}_R2.fastq.gz"),
    log:
        "logs/inputs/extract_reads/{sample}/{unit}.log",
    wildcard_constraints:
        sample=REALIGNED,
    conda:
        "../envs/align.yaml"
    shell:
        # pairs together (collate), primary reads only; singletons and unpaired are dropped
        "(samtools collate -O -u --reference {input.ref} {input.aln:q}"
        " | samtools fastq -F 0x900 -1 {output.r1} -2 {output.r2} -0 /dev/null"
        " -s /dev/null -n -) 2> {log}"
