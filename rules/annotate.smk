# Consequences (bcftools csq on the GFF3), HGVS on the preferred transcript, GRCh38 coordinates.


rule annotate_consequences:
    input:
        bcf="results/calls/{patient}/normalized.bcf",
        ref=REF,
        gff="results/reference/annotation.gff3",
    output:
        temp("results/calls/{patient}/csq.bcf"),
    log:
        "logs/annotate_consequences/{patient}.log",
    conda:
        "../envs/call.yaml"
    shell:
        # -l: each variant on its own (unphased calls); -p a: use genotypes as they are
        "bcftools csq --fasta-ref {input.ref} --gff-annot {input.gff} --local-csq"
        " --phase a --force --output-type b --output {output} {input.bcf} 2> {log}"


rule finalize_calls:
    input:
        bcf="results/calls/{patient}/csq.bcf",
        ref=REF,
        fai=f"{REF}.fai",
        transcripts="results/reference/transcripts.json",
        contig_map=config["reference"]["contig_map"] or [],
    output:
        vcf="results/{patient}/calls.vcf.gz",
        tbi="results/{patient}/calls.vcf.gz.tbi",
    log:
        "logs/finalize_calls/{patient}.log",
    conda:
        "../envs/python.yaml"
    params:
        code=BIGMED_HASH,
    script:
        "../scripts/finalize_calls.py"
