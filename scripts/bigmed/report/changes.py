"""Re-analysis: what changed between a previous report.json and the new one."""

from __future__ import annotations

from typing import Any


def _index(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in report.get("variants", [])}


def _finding_keys(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for f in report.get("findings", []):
        key = f.get("variant_id") or f.get("summary", "")
        out[str(key)] = f
    return out


def compare(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Changes from ``previous`` to ``current``: findings, classifications, sources.

    Returns ``{"previous": {...}, "items": [{"change", "what", "before", "after"}]}`` where
    change is one of new finding, removed finding, reclassified, new call, removed call,
    knowledge base.
    """
    items: list[dict[str, Any]] = []
    old_f, new_f = _finding_keys(previous), _finding_keys(current)
    for key in sorted(new_f.keys() - old_f.keys()):
        f = new_f[key]
        items.append(
            {
                "change": "new finding",
                "what": _label(f),
                "before": None,
                "after": f.get("classification"),
            }
        )
    for key in sorted(old_f.keys() - new_f.keys()):
        f = old_f[key]
        items.append(
            {
                "change": "removed finding",
                "what": _label(f),
                "before": f.get("classification"),
                "after": None,
            }
        )
    old_v, new_v = _index(previous), _index(current)
    for vid in sorted(old_v.keys() & new_v.keys()):
        a, b = old_v[vid].get("classification"), new_v[vid].get("classification")
        if a != b:
            items.append(
                {"change": "reclassified", "what": _label(new_v[vid]), "before": a, "after": b}
            )
    for vid in sorted(new_v.keys() - old_v.keys()):
        if new_v[vid].get("filter") == "PASS":
            items.append(
                {
                    "change": "new call",
                    "what": _label(new_v[vid]),
                    "before": None,
                    "after": new_v[vid].get("classification"),
                }
            )
    for vid in sorted(old_v.keys() - new_v.keys()):
        if old_v[vid].get("filter") == "PASS":
            items.append(
                {
                    "change": "removed call",
                    "what": _label(old_v[vid]),
                    "before": old_v[vid].get("classification"),
                    "after": None,
                }
            )
    old_kb = {
        k["name"]: k.get("version") for k in previous["provenance"].get("knowledge_bases", [])
    }
    new_kb = {k["name"]: k.get("version") for k in current["provenance"].get("knowledge_bases", [])}
    for name in sorted(old_kb.keys() | new_kb.keys()):
        if old_kb.get(name) != new_kb.get(name):
            items.append(
                {
                    "change": "knowledge base",
                    "what": name,
                    "before": old_kb.get(name),
                    "after": new_kb.get(name),
                }
            )
    prov = previous.get("provenance", {})
    return {
        "previous": {
            "generated": previous.get("generated"),
            "pipeline_version": prov.get("pipeline_version"),
            "config_hash": prov.get("config_hash"),
        },
        "items": items,
    }


def _label(v: dict[str, Any]) -> str:
    gene = v.get("gene") or ""
    change = v.get("hgvs_p") or v.get("hgvs_c") or v.get("id") or v.get("variant_id") or ""
    return f"{gene} {change}".strip() or str(v.get("summary", ""))
