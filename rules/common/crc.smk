# crc pilot: input functions of somatic calling, MSI and TMB (rules/call_somatic.smk),
# of the crc interpretation (rules/crc.smk) and of a somatic VCF import (rules/inputs.smk).

CRC_KNOWLEDGE_KEYS = ("moalmanac", "civic", "hotspots_residues", "hotspots_indels")


def get_tumor(wildcards):
    return PATIENTS[wildcards.patient].with_role("tumor")[0].sample


def get_normal(wildcards):
    normals = PATIENTS[wildcards.patient].with_role("normal")
    return normals[0].sample if normals else None


def get_somatic_bams(wildcards):
    ids = [get_tumor(wildcards), get_normal(wildcards)]
    return [f"results/alignments/{s}.bam" for s in ids if s]


def get_somatic_bais(wildcards):
    return [f"{bam}.bai" for bam in get_somatic_bams(wildcards)]


def get_somatic_shard_alignments(wildcards):
    """What the somatic pileup and model read in a shard: with calling.realign_indels the
    shard's realigned BAMs (reads clipped at a long indel carry it), else the alignments.
    """
    if config["calling"]["realign_indels"]:
        return {
            "realigned": f"results/calls/{wildcards.patient}/realigned/{wildcards.shard}"
        }
    return {"bams": get_somatic_bams(wildcards), "bais": get_somatic_bais(wildcards)}


def get_somatic_shard_bam_list(wildcards):
    """The files of get_somatic_shard_alignments, tumor first."""
    if not config["calling"]["realign_indels"]:
        return get_somatic_bams(wildcards)
    ids = [get_tumor(wildcards), get_normal(wildcards)]
    folder = f"results/calls/{wildcards.patient}/realigned/{wildcards.shard}"
    return [f"{folder}/{s}.bam" for s in ids if s]


def get_somatic_shards(wildcards):
    return [f"results/somatic/{wildcards.patient}/shards/{i}.vcf.gz" for i in SHARDS]


def get_depth_beds(wildcards):
    # none for a patient that entered as a somatic VCF (compute_tmb: tmb.vcf_callable_mb)
    ids = [get_tumor(wildcards), get_normal(wildcards)]
    return [
        f"results/callable/{s}.quantized.bed.gz"
        for s in ids
        if s and s not in VCF_SAMPLES
    ]


def somatic_from_vcf(wildcards):
    """The patient entered as a somatic VCF: no reads for coverage, MSI or ERBB2."""
    return get_tumor(wildcards) in VCF_SAMPLES


def get_callable_depth(wildcards):
    role = SAMPLE_BY_ID[wildcards.sample].role
    return config["tmb"]["min_tumor_depth" if role == "tumor" else "min_normal_depth"]


def get_msi_lengths(wildcards):
    normal = get_normal(wildcards)
    ids = [get_tumor(wildcards), normal]
    out = {"tumor": f"results/msi/lengths/{ids[0]}.tsv"}
    if normal:
        out["normal"] = f"results/msi/lengths/{normal}.tsv"
    else:
        out["baseline"] = config["msi"]["baseline"] or "results/msi/baseline.tsv"
    return out


def get_baseline_normals(wildcards):
    return [
        f"results/msi/lengths/{s.sample}.tsv" for s in SAMPLES if s.role == "normal"
    ]


def get_population_files(wildcards):
    # the knowledge bundle's gnomAD source (rules/knowledge.smk), with its indexes
    if "gnomad" not in KNOWLEDGE:
        return []
    files = KNOWLEDGE["gnomad"].files
    return [*files, *(f"{f}.tbi" for f in files if os.path.exists(f"{f}.tbi"))]


def get_population_style(wildcards):
    return KNOWLEDGE["gnomad"].chrom_style if "gnomad" in KNOWLEDGE else None


def get_somatic_calls(wildcards):
    """The somatic call set a crc patient's report lists next to the germline calls."""
    if PATIENTS[wildcards.patient].pilot != "crc":
        return []
    return f"results/somatic/{wildcards.patient}/somatic.vcf.gz"


def get_crc_inputs(wildcards):
    """Read-level inputs of the crc interpretation; none for a somatic VCF patient."""
    if somatic_from_vcf(wildcards):
        return {}
    tumor, normal = get_tumor(wildcards), get_normal(wildcards)
    out = {
        "tumor_bam": f"results/alignments/{tumor}.bam",
        "tumor_bai": f"results/alignments/{tumor}.bam.bai",
        "tumor_exons": f"results/qc/mosdepth/{tumor}.exons.regions.bed.gz",
        "msi": f"results/msi/{wildcards.patient}.json",
    }
    if normal:
        out["normal_exons"] = f"results/qc/mosdepth/{normal}.exons.regions.bed.gz"
    return out


def get_crc_sources(wildcards):
    files = []
    for key in CRC_KNOWLEDGE_KEYS:
        for f in KNOWLEDGE[key].files if key in KNOWLEDGE else []:
            p = Path(f)
            files += (
                sorted(str(x) for x in p.iterdir() if x.is_file())
                if p.is_dir()
                else [f]
            )
    return files


def get_tumor_sample(wildcards):
    return PATIENTS[wildcards.patient].with_role("tumor")[0]


def get_germline_sample(wildcards):
    """The sample that stands for the germline: the normal, else (tumor-only) the tumor."""
    return get_normal(wildcards) or get_tumor(wildcards)


def get_crc_germline_inputs(wildcards):
    """Germline predisposition inputs (crc.germline_findings): the patient's joint germline
    calls, their knowledge join, the ACMG overrides, the store lookup (the lab's own
    classifications), and the germline sample's exon depth and reads.
    """
    # off, or a somatic VCF patient (no germline calls): the report says so
    if not config["crc"]["germline_findings"] or somatic_from_vcf(wildcards):
        return {}
    out = {
        "calls": f"results/{wildcards.patient}/calls.vcf.gz",
        "calls_tbi": f"results/{wildcards.patient}/calls.vcf.gz.tbi",
        "annotated": f"results/knowledge/{wildcards.patient}.annotated.json",
        "overrides": ACMG_OVERRIDES,
    }
    if STORE_ENABLED:  # the lab's own classifications (known-variant path)
        out["store"] = get_store_lookup(wildcards)
    sample = get_germline_sample(wildcards)
    if sample not in VCF_SAMPLES:
        out["germline_exons"] = f"results/qc/mosdepth/{sample}.exons.thresholds.bed.gz"
        # the reads behind each listed call (bigmed.pilots.crc.retrocopy)
        out["germline_aln"] = f"results/alignments/{sample}.{ALN}"
        out["germline_aln_index"] = f"results/alignments/{sample}.{ALN}.{ALN_INDEX}"
        out["ref"] = REF
        if config["reference"]["contig_map"]:
            out["contig_map"] = config["reference"]["contig_map"]
    return out


try:  # crc.mmr_ihc names crc patients of the samples sheet
    for _p in config["crc"]["mmr_ihc"]:
        if _p not in PATIENTS or PATIENTS[_p].pilot != "crc":
            raise InputError(
                "config",
                f"{_p} is not a crc patient of the samples sheet",
                field=f"crc.mmr_ihc.{_p}",
            )
except InputError as _err:
    _fail(_err)


ONCOTREE = config["crc"]["oncotree"] or str(
    Path(workflow.basedir) / "resources" / "crc" / "oncotree.tsv"
)


def batch_normals():
    """Normals of the batch's crc patients that have reads (a VCF patient has none)."""
    return [
        s.sample
        for s in SAMPLES
        if s.role == "normal" and s.pilot == "crc" and s.sample not in VCF_SAMPLES
    ]


def get_batch_pon(wildcards):
    """The batch panel of normals, when enough normals other than the patient's own
    exist to reach somatic.pon_min_normals (tumor-only patients use it too)."""
    som = config["somatic"]
    others = [s for s in batch_normals() if s != get_normal(wildcards)]
    if not som["batch_panel_of_normals"] or len(others) < som["pon_min_normals"]:
        return []
    return [
        "results/somatic/panel_of_normals.vcf.gz",
        "results/somatic/panel_of_normals.vcf.gz.tbi",
    ]
