"""Small synthetic families, genotype sites and ontologies for the rare-disease unit tests."""

from __future__ import annotations

import random
from pathlib import Path

from bigmed.genome.genotypes import Call, Site
from bigmed.pilots.rare_disease.pedigree import Family, Member

DEPTH = 30


def call(spec: str) -> Call:
    """'0/1', '0/0', '1/1', './.', haploid '1'/'0'.

    '@N' sets the depth, '+N' the alt reads, '~N' the GQ.
    """
    gq = 99
    dp = DEPTH
    alt: int | None = None
    for mark in ("~", "+", "@"):
        if mark in spec:
            spec, val = spec.split(mark, 1)
            if mark == "~":
                gq = int(val)
            elif mark == "+":
                alt = int(val)
            else:
                dp = int(val)
    if spec == "./.":
        return Call((None, None), None, None, None, None)
    alleles = tuple(int(a) for a in spec.replace("|", "/").split("/"))
    n_alt = sum(1 for a in alleles if a)
    if alt is None:
        alt = dp if n_alt == len(alleles) else {0: 0, 1: dp // 2}[n_alt]  # '1': haploid
    return Call(alleles, dp, gq, dp - alt, alt, "|" in spec)


def site(
    calls: dict[str, str],
    *,
    chrom: str = "chr1",
    pos: int = 1000,
    gene: str = "GENE1",
    consequence: str = "missense",
    ref: str = "C",
    alt: str = "T",
    filt: str = "PASS",
    hgvs_c: str | None = None,
) -> Site:
    return Site(
        id=f"{chrom}-{pos}-{ref}-{alt}",
        chrom=chrom,
        pos=pos,
        ref=ref,
        alt=alt,
        filter=filt,
        gene=gene,
        consequence=consequence,
        hgvs_c=hgvs_c or f"c.{pos}{ref}>{alt}",
        hgvs_p="p.(Xaa1Yaa)",
        calls={s: call(c) for s, c in calls.items()},
    )


def trio(
    *,
    proband_sex: str = "female",
    father_affected: str = "no",
    mother_affected: str = "no",
    sibling: str | None = None,
    sibling_affected: str = "no",
) -> Family:
    members = {
        "P": Member("P", proband_sex, "yes", "F", "M", True, "proband"),
        "M": Member("M", "female", mother_affected, None, None, True, "mother"),
        "F": Member("F", "male", father_affected, None, None, True, "father"),
    }
    if sibling:
        members["S"] = Member("S", sibling, sibling_affected, "F", "M", True, "sibling")
    return Family("FAM", "P", members, hpo=[], sources=["samples sheet"])


def singleton(sex: str = "female") -> Family:
    return Family("FAM", "P", {"P": Member("P", sex, "yes", None, None, True, "proband")})


OBO = """format-version: 1.2
data-version: hp/releases/2099-01-01

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001

[Term]
id: HP:0000005
name: Mode of inheritance
is_a: HP:0000001

[Term]
id: HP:0000006
name: Autosomal dominant inheritance
is_a: HP:0000005

[Term]
id: HP:0000100
name: Abnormal heart
is_a: HP:0000118

[Term]
id: HP:0000101
name: Septal defect
is_a: HP:0000100

[Term]
id: HP:0000102
name: Atrial septal defect
is_a: HP:0000101

[Term]
id: HP:0000103
name: Ventricular septal defect
is_a: HP:0000101
alt_id: HP:0000199

[Term]
id: HP:0000200
name: Abnormal skeleton
is_a: HP:0000118

[Term]
id: HP:0000201
name: Short stature
is_a: HP:0000200

[Term]
id: HP:0000202
name: Brachydactyly
is_a: HP:0000200

[Term]
id: HP:0000300
name: Abnormal nervous system
is_a: HP:0000118

[Term]
id: HP:0000301
name: Seizure
is_a: HP:0000300

[Term]
id: HP:0000900
name: obsolete Heart hole
is_obsolete: true
replaced_by: HP:0000101

[Term]
id: HP:0000901
name: obsolete Odd bones
is_obsolete: true
consider: HP:0000201
consider: HP:0000202

[Term]
id: HP:0000902
name: obsolete Nothing
is_obsolete: true
"""

GENES = {
    "HEART1": {"HP:0000102", "HP:0000103"},
    "SKEL1": {"HP:0000201", "HP:0000202"},
    "NEURO1": {"HP:0000301"},
    "MIXED1": {"HP:0000102", "HP:0000201", "HP:0000301", "HP:0000006"},
}


def write_obo(tmp_path: Path) -> str:
    path = tmp_path / "hp.obo"
    path.write_text(OBO)
    return str(path)


def random_genotypes(rng: random.Random, n: int, relation: str) -> tuple[list[int], list[int]]:
    """Alt-allele counts of two people at n independent biallelic sites."""
    a, b = [], []
    for _ in range(n):
        p = rng.uniform(0.05, 0.5)

        def hap(p: float = p) -> int:
            return 1 if rng.random() < p else 0

        if relation == "parent-offspring":
            h1, h2 = hap(), hap()
            a.append(h1 + h2)
            b.append((h1 if rng.random() < 0.5 else h2) + hap())
        elif relation == "duplicate":
            x = hap() + hap()
            a.append(x)
            b.append(x)
        else:
            a.append(hap() + hap())
            b.append(hap() + hap())
    return a, b


GT = {0: "0/0", 1: "0/1", 2: "1/1"}


def pair_sites(a: list[int], b: list[int], names: tuple[str, str] = ("P", "F")) -> list[Site]:
    """Sites of two people; sites where both are hom-ref are left out, as in a joint VCF."""
    out = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x == 0 and y == 0:
            continue
        out.append(site({names[0]: GT[x], names[1]: GT[y]}, pos=1000 + 10 * i, gene="BG"))
    return out
