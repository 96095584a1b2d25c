"""``bigmed store ...``: the store's command-line side.

    bigmed store info            schema version, patients per pilot, classifications, partners
    bigmed store load            load a finished run's results (backfill; the pipeline's
                                 load_store rule does this at the end of every batch)
    bigmed store remove-patient  delete a patient's observations (consent withdrawn)
    bigmed store classify        record the lab's classification of a variant (new version)
    bigmed store history         every version of a variant's classifications
    bigmed store export          anonymised exchange folder for partner labs
    bigmed store import          take a partner lab's export as a knowledge source

The store is ``--url``, else ``store.url`` of ``--configfile``, else the default SQLite
file ``results/store/bigmed.sqlite`` of the current directory.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pysam
import yaml

from bigmed.base.errors import InputError
from bigmed.genome.reference import read_contig_map
from bigmed.genome.variant_spec import VariantSpecError, parse_grch38
from bigmed.intake.config import validate_config
from bigmed.intake.sheets import group_patients, read_samples
from bigmed.store import classifications as cls
from bigmed.store.db import Store, open_store
from bigmed.store.exchange import MIN_COUNT, export, import_export
from bigmed.store.lookup import cohort
from bigmed.store.observations import Variant, load_patients, read_patient, remove_patient
from bigmed.store.vrs import LocalSequenceProxy


def _config(args: argparse.Namespace) -> dict[str, Any] | None:
    if not getattr(args, "configfile", None):
        return None
    path = args.configfile
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except OSError as err:
        raise InputError(path, f"cannot read the config ({err.strerror})") from None
    return validate_config(data, source=path)


def _store(args: argparse.Namespace) -> Store:
    cfg = _config(args)
    url = args.url or ((cfg or {}).get("store") or {}).get("url")
    return open_store(url)


def _reference(args: argparse.Namespace) -> tuple[str, str | None] | None:
    """(FASTA, contig map) from --reference/--contig-map or the config's reference."""
    if getattr(args, "reference", None):
        return args.reference, args.contig_map
    cfg = _config(args)
    if cfg is None:
        return None
    return cfg["reference"]["fasta"], cfg["reference"]["contig_map"]


def cmd_info(args: argparse.Namespace) -> int:
    store = _store(args)
    with store.begin() as conn:
        doc = cohort(conn, None)
        n_cls = len(cls.all_latest(conn))
    print(f"store {store.url} ({store.backend}, schema version {store.version})")
    print(f"patients: {doc['total_patients']} {json.dumps(doc['patients'], sort_keys=True)}")
    print(f"individuals with germline genotypes: {doc['individuals']}; normals: {doc['normals']}")
    print(f"classified variant-condition pairs: {n_cls}")
    for p in doc["partners"]:
        print(
            f"partner lab {p['lab']}: export of {p['exported']} "
            f"(counts below {p['min_count']} suppressed)"
        )
    store.close()
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    cfg = _config(args)
    if cfg is None:
        raise InputError("--configfile", "load needs the run's config (its samples sheet)")
    results = Path(args.results)
    batch = []
    for name, p in group_patients(read_samples(cfg["samples"])).items():
        calls = results / name / "calls.vcf.gz"
        somatic = results / "somatic" / name / "somatic.vcf.gz"
        if not calls.exists():
            raise InputError(
                str(calls), f"no final call set for patient '{name}' (run not finished?)"
            )
        roles = {s.sample: s.role for s in p.samples}
        batch.append(
            read_patient(
                name,
                p.pilot,
                roles,
                str(calls),
                str(somatic) if somatic.exists() else None,
                cfg["store"]["pon_min_alt_reads"],
            )
        )
    store = open_store(args.url or cfg["store"]["url"])
    for patient, action in load_patients(store, batch).items():
        print(f"{patient}: {action}")
    store.close()
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    store = _store(args)
    gone = remove_patient(store, args.patient)
    store.close()
    if gone < 0:
        raise InputError(store.url, f"patient '{args.patient}' is not in the store")
    print(f"removed patient {args.patient} and {gone} observation(s) from {store.url}")
    return 0


def _checked_variant(args: argparse.Namespace) -> Variant:
    """The variant as given; with a reference, its bases are checked and it is left-aligned
    like the pipeline's calls (so that it matches them)."""
    v = cls.parse_variant_key(args.variant)
    ref = _reference(args)
    if ref is None:
        print(
            "bigmed: warning: no reference (--configfile/--reference): the variant's "
            "bases are not checked",
            file=sys.stderr,
        )
        return v
    fasta, cmap_path = ref
    fa = pysam.FastaFile(fasta)
    cmap = read_contig_map(cmap_path) if cmap_path else None
    contigs = dict(zip(fa.references, fa.lengths, strict=True))
    try:
        loc = parse_grch38(
            v.chrom,
            v.pos,
            v.ref,
            v.alt,
            lambda c, s, e: str(fa.fetch(c, s - 1, e)).upper(),
            contigs,
            cmap,
        )
    except VariantSpecError as err:
        raise InputError("--variant", str(err)) from None
    return Variant(loc.chrom, loc.grch38_pos, loc.ref, loc.alt)


def cmd_classify(args: argparse.Namespace) -> int:
    variant = _checked_variant(args)
    klass = cls.parse_class(args.klass)
    criteria = cls.parse_criteria(args.criteria or "")
    store = _store(args)
    version = cls.record(
        store,
        variant,
        args.condition,
        klass,
        criteria,
        args.reviewer,
        cls.parse_date(args.date),
        args.comment or "",
    )
    store.close()
    print(f"{variant.key} {args.condition}: {klass}, version {version} recorded in {store.url}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store = _store(args)
    rows = cls.history(store, cls.parse_variant_key(args.variant).key)
    store.close()
    if not rows:
        print(f"no classification of {args.variant}")
    for r in rows:
        crit = ",".join(f"{c['code']}_{c['strength']}" for c in r.criteria)
        print(
            f"{r.condition}\tversion {r.version}\t{r.klass}\t{crit}\t{r.reviewer}\t"
            f"{r.evaluated}\t{r.comment}"
        )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    ref = _reference(args)
    if ref is None:
        raise InputError(
            "--reference",
            "export computes VRS ids from the reference: pass "
            "--configfile (its reference) or --reference FASTA [--contig-map TSV]",
        )
    store = _store(args)
    done = export(
        store,
        args.out,
        args.lab,
        LocalSequenceProxy(*ref),
        args.min_count,
        comments=args.with_comments,
        omit_suppressed=args.omit_suppressed,
    )
    store.close()
    print(
        f"exported {done.classifications} classification(s) and {done.counts} count row(s) "
        f"({done.suppressed} below {args.min_count}, written '<{args.min_count}') to {done.folder}"
    )
    for key in done.no_vrs:
        print(
            f"bigmed: warning: {key}: no VRS id (reference sequence not available)", file=sys.stderr
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    store = _store(args)
    doc = import_export(store, args.folder, args.partner)
    store.close()
    print(
        f"partner lab {doc['partner']} (export of {doc['exported']}): {doc['classifications']} "
        f"classification(s), {doc['counts']} count row(s) imported into {store.url}"
    )
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--url",
        help="store URL (default: store.url of --configfile, or results/store/bigmed.sqlite)",
    )
    p.add_argument("--configfile", help="the run's config YAML (store.url, reference, samples)")


def _ref_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reference", help="reference FASTA (default: the config's)")
    p.add_argument("--contig-map", help="contig map of a sliced reference (default: the config's)")


def _store_parsers(ss: Any) -> None:
    """info, load, remove-patient: the store and its observations."""
    p = ss.add_parser("info", help="what the store holds")
    _common(p)
    p.set_defaults(func=cmd_info)
    p = ss.add_parser("load", help="load a finished run's calls (the pipeline does it per batch)")
    _common(p)
    p.add_argument("--results", default="results", help="the run's results folder")
    p.set_defaults(func=cmd_load)
    p = ss.add_parser("remove-patient", help="delete a patient's observations (consent withdrawn)")
    _common(p)
    p.add_argument("patient")
    p.set_defaults(func=cmd_remove)


def _classification_parsers(ss: Any) -> None:
    """classify, history: the lab's own classifications."""
    p = ss.add_parser("classify", help="record the lab's classification (a new version)")
    _common(p)
    _ref_args(p)
    p.add_argument("--variant", required=True, help="GRCh38 chrom-pos-ref-alt (chr7-140753336-A-T)")
    p.add_argument(
        "--condition", required=True, help="disease name or id (MONDO:…, OMIM:…) or gene"
    )
    p.add_argument("--class", dest="klass", required=True, help="P, LP, VUS, LB, B (or full name)")
    p.add_argument("--criteria", default="", help="criteria met, e.g. PVS1,PM2_Supporting")
    p.add_argument("--reviewer", required=True)
    p.add_argument("--date", help="date of the review, YYYY-MM-DD (default: today)")
    p.add_argument("--comment", default="")
    p.set_defaults(func=cmd_classify)
    p = ss.add_parser("history", help="every version of a variant's classifications")
    _common(p)
    p.add_argument("--variant", required=True)
    p.set_defaults(func=cmd_history)


def _exchange_parsers(ss: Any) -> None:
    """export, import: anonymised exchange with partner labs."""
    p = ss.add_parser("export", help="anonymised exchange folder (VRS, ClinVar-style TSV, counts)")
    _common(p)
    _ref_args(p)
    p.add_argument("--out", required=True, help="folder to write")
    p.add_argument("--lab", required=True, help="the lab's name as partners will see it")
    p.add_argument("--min-count", type=int, default=MIN_COUNT, help="counts below: '<N' (5)")
    p.add_argument("--with-comments", action="store_true", help="include comments (free text)")
    p.add_argument("--omit-suppressed", action="store_true", help="drop count rows below N")
    p.set_defaults(func=cmd_export)
    p = ss.add_parser("import", help="take a partner lab's export as a knowledge source")
    _common(p)
    p.add_argument("folder")
    p.add_argument("--partner", help="name to show (default: the export's lab)")
    p.set_defaults(func=cmd_import)


def add_parser(sub: Any) -> None:
    """The ``store`` command and its subcommands, under ``bigmed``."""
    top = sub.add_parser("store", help="the lab's variant store (observations, classes, exchange)")
    ss = top.add_subparsers(dest="store_command", required=True)
    _store_parsers(ss)
    _classification_parsers(ss)
    _exchange_parsers(ss)


def run(args: argparse.Namespace) -> int:
    """Run a store subcommand; bad input ends as one ``bigmed: error:`` line."""
    try:
        return int(args.func(args))
    except InputError as err:
        raise SystemExit(f"bigmed: error: {err}") from None
