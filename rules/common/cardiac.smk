# cardiac pilot: indications, the panels' source and the targeted items checked at
# start; input functions of rules/cardiac.smk.


def get_index_exons(wildcards):
    index = PATIENTS[wildcards.patient].with_role("proband")[0].sample
    return f"results/qc/mosdepth/{index}.exons.thresholds.bed.gz"


def get_targeted_reports():
    return [
        f"results/{SAMPLE_BY_ID[t['sample']].patient}/targeted_{t['sample']}.{ext}"
        for t in config["cardiac"]["targeted"]
        for ext in ("json", "html")
    ]


def get_sample_alignment(wildcards):
    return f"results/alignments/{wildcards.sample}.{ALN}"


from bigmed.pilots.cardiac import panels as bm_panels
from bigmed.pilots.cardiac import targeted as bm_targeted

CARDIAC = config["cardiac"]
TARGETED = {t["sample"]: t for t in CARDIAC["targeted"]}
# indication codes of each cardiac patient, and the targeted items, checked before any job
try:
    CARDIAC_INDICATIONS = (
        bm_panels.patient_indications(
            PATIENTS.values(),
            bm_panels.g2p_indications(KNOWLEDGE["cardiac_g2p"].files[0]),
            CARDIAC["indications"],
            config["samples"],
        )
        if "cardiac_g2p" in KNOWLEDGE
        else {}
    )
    if (
        any(p.pilot == "cardiac" for p in PATIENTS.values())
        and "cardiac_g2p" not in KNOWLEDGE
    ):
        raise InputError(
            "config",
            "the cardiac pilot needs the Cardiac G2P source (its panels)",
            field="knowledge.sources.cardiac_g2p",
        )
    bm_targeted.check_items(
        CARDIAC["targeted"],
        SAMPLE_BY_ID,
        annotation=config["reference"]["annotation"],
        fasta=config["reference"]["fasta"],
        contigs=REF_CONTIGS,
        cmap=CONTIG_MAP if config["reference"]["contig_map"] else None,
    )
except InputError as _err:
    _fail(_err)
