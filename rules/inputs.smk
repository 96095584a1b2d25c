# Patients that enter as called variants (config `calls`, bigmed.vcfinput): header checks
# at parse time, then the VCF is mapped into the reference's coordinates and joins the
# germline path at results/calls/{patient}/raw.bcf (normalised like the pipeline's own calls).

from bigmed import vcfinput as bm_vcfin

try:
    CALL_RENAMES = {
        (c.patient, c.kind): bm_vcfin.check_callset(
            c,
            SAMPLES,
            REF_CONTIGS,
            CONTIG_MAP if config["reference"]["contig_map"] else None,
            config["inputs"]["rename_contigs"],
        )
        for c in CALLSETS
    }
except InputError as _err:
    _fail(_err)

CALLSET_BY_KEY = {(c.patient, c.kind): c for c in CALLSETS}
# a regex that matches no patient when the calls sheet has no germline VCF
VCF_GERMLINE = "|".join(c.patient for c in CALLSETS if c.kind == "germline") or "(?!)"


ruleorder: convert_input_calls > gather_calls


rule import_germline_vcf:
    input:
        vcf=lambda wc: CALLSET_BY_KEY[(wc.patient, "germline")].vcf,
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
        callset=lambda wc: json.dumps(
            {
                **CALLSET_BY_KEY[(wc.patient, "germline")].__dict__,
                "renames": CALL_RENAMES[(wc.patient, "germline")],
            }
        ),
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


# --- aligned input: units.tsv `bam` (BAM or CRAM), checked at parse time (bigmed.aligned)
from bigmed import aligned as bm_aligned

try:
    ALIGNED = bm_aligned.check_units(
        UNITS,
        config["units"],
        REF_CONTIGS,
        config["reference"]["fasta"],
        ".bigmed/reference_md5.json",
    )
except InputError as _err:
    _fail(_err)

# samples whose BAM/CRAM is used as it is; with inputs.realign they take the FASTQ path
AS_ALIGNED = "|".join(s for s in ALIGNED if not config["inputs"]["realign"]) or "(?!)"
REALIGNED = "|".join(s for s in ALIGNED if config["inputs"]["realign"]) or "(?!)"
ALN_FMT = "--output-fmt cram,version=3.0" if ALN == "cram" else "--output-fmt bam"


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
        "(samtools collate -O -u --reference {input.ref} {input.aln}"
        " | samtools fastq -F 0x900 -1 {output.r1} -2 {output.r2} -0 /dev/null"
        " -s /dev/null -n -) 2> {log}"
