"""Re-analysis: what changed between a previous report.json and the new one."""

from __future__ import annotations

from typing import Any

Change = dict[str, Any]


def _index(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in report.get("variants", [])}


def _finding_keys(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for f in report.get("findings", []):
        key = f.get("variant_id") or f.get("summary", "")
        out[str(key)] = f
    return out


def _change(change: str, what: str, before: Any, after: Any) -> Change:
    return {"change": change, "what": what, "before": before, "after": after}


def _finding_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """Findings reported now but not before, then those reported before but not now."""
    old_f, new_f = _finding_keys(previous), _finding_keys(current)
    added = [
        _change("new finding", _label(new_f[k]), None, new_f[k].get("classification"))
        for k in sorted(new_f.keys() - old_f.keys())
    ]
    removed = [
        _change("removed finding", _label(old_f[k]), old_f[k].get("classification"), None)
        for k in sorted(old_f.keys() - new_f.keys())
    ]
    return added + removed


def _call_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """Reclassified calls (any filter), then PASS calls that are new or gone."""
    old_v, new_v = _index(previous), _index(current)
    items = []
    for vid in sorted(old_v.keys() & new_v.keys()):
        a, b = old_v[vid].get("classification"), new_v[vid].get("classification")
        if a != b:
            items.append(_change("reclassified", _label(new_v[vid]), a, b))
        la, lb = _lab_class(old_v[vid]), _lab_class(new_v[vid])
        if la != lb:  # the lab's own classification (bigmed store classify)
            items.append(_change("reclassified by the lab", _label(new_v[vid]), la, lb))
    items += [
        _change("new call", _label(new_v[vid]), None, new_v[vid].get("classification"))
        for vid in sorted(new_v.keys() - old_v.keys())
        if new_v[vid].get("filter") == "PASS"
    ]
    items += [
        _change("removed call", _label(old_v[vid]), old_v[vid].get("classification"), None)
        for vid in sorted(old_v.keys() - new_v.keys())
        if old_v[vid].get("filter") == "PASS"
    ]
    return items


def _lab_class(v: dict[str, Any]) -> str | None:
    lab = v.get("lab_classification")
    return f"{lab['class']} ({lab['condition']})" if lab else None


def _knowledge_bases(report: dict[str, Any]) -> dict[str, Any]:
    return {k["name"]: k.get("version") for k in report["provenance"].get("knowledge_bases", [])}


def _source_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """Knowledge bases added, removed or at another version."""
    old_kb, new_kb = _knowledge_bases(previous), _knowledge_bases(current)
    return [
        _change("knowledge base", name, old_kb.get(name), new_kb.get(name))
        for name in sorted(old_kb.keys() | new_kb.keys())
        if old_kb.get(name) != new_kb.get(name)
    ]


def compare(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Changes from ``previous`` to ``current``: findings, classifications, sources.

    Returns ``{"previous": {...}, "items": [{"change", "what", "before", "after"}]}`` where
    change is one of new finding, removed finding, reclassified, reclassified by the lab,
    new call, removed call, knowledge base.
    """
    prov = previous.get("provenance", {})
    return {
        "previous": {
            "generated": previous.get("generated"),
            "pipeline_version": prov.get("pipeline_version"),
            "config_hash": prov.get("config_hash"),
        },
        "items": _finding_changes(previous, current)
        + _call_changes(previous, current)
        + _source_changes(previous, current),
    }


def _label(v: dict[str, Any]) -> str:
    gene = v.get("gene") or ""
    change = v.get("hgvs_p") or v.get("hgvs_c") or v.get("id") or v.get("variant_id") or ""
    return f"{gene} {change}".strip() or str(v.get("summary", ""))
