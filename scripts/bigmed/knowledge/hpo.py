"""The Human Phenotype Ontology: terms, obsolete-term mapping and patient term checks.

:func:`read_ontology` reads ``hp.obo`` (plain or gzip) into an :class:`Ontology` with names,
``is_a`` parents, alternative ids and the obsolete terms' ``replaced_by`` / ``consider``
pointers. :meth:`Ontology.map_term` turns a patient's term id into the ids used for
analysis: a current id as is, an alternative id to its primary term, an obsolete term
through ``replaced_by`` (or every ``consider`` term) with a warning, and an unknown id into
an :class:`~bigmed.base.errors.InputError` naming the sheet, line and field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bigmed.base.errors import InputError
from bigmed.base.textio import open_text

ROOT = "HP:0000001"
PHENOTYPIC_ABNORMALITY = "HP:0000118"  # phenotype similarity is computed inside this branch
MODE_OF_INHERITANCE = "HP:0000005"


@dataclass
class Term:
    id: str
    name: str = ""
    parents: list[str] = field(default_factory=list)
    alt_ids: list[str] = field(default_factory=list)
    obsolete: bool = False
    replaced_by: str | None = None
    consider: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mapped:
    """A patient term after mapping: the ids used and, for obsolete terms, a warning."""

    given: str
    ids: tuple[str, ...]
    warning: str | None = None


@dataclass
class Ontology:
    version: str
    terms: dict[str, Term]
    alt: dict[str, str]  # alternative id -> primary id

    def name(self, term_id: str) -> str:
        t = self.terms.get(self.alt.get(term_id, term_id))
        return t.name if t else ""

    def _current(self, term_id: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """Current ids a term id stands for (empty when an obsolete term has no successor)."""
        term = self.terms.get(term_id)
        if term is None or not (term.replaced_by or term.consider or not term.obsolete):
            term = self.terms.get(self.alt.get(term_id, term_id))
        if term is None or term.id in seen:
            return ()
        tid = term.id
        if not term.obsolete:
            return (tid,)
        targets = [term.replaced_by] if term.replaced_by else term.consider
        out: list[str] = []
        for t in targets:
            out += [x for x in self._current(t, seen | {tid}) if x not in out]
        return tuple(out)

    def map_term(self, term_id: str) -> Mapped | None:
        """The analysis ids for a patient term; None when the id is not in the ontology.

        A current id maps to itself; an obsolete term through ``replaced_by`` (else every
        ``consider`` term, else the term that lists it as an ``alt_id``), and an alternative
        id to its primary term, each with a warning.
        """
        own = self.terms.get(term_id)
        if own is not None and not own.obsolete:
            return Mapped(term_id, (term_id,))
        if own is not None and (own.replaced_by or own.consider):
            ids = self._current(term_id)
            how = "replaced_by" if own.replaced_by else "consider"
        elif term_id in self.alt:
            ids = self._current(self.alt[term_id])
            how = "merged into it: alt_id"
        elif own is not None:
            return Mapped(term_id, (), f"{term_id} is obsolete and has no replacement: ignored")
        else:
            return None
        if not ids:
            return Mapped(term_id, (), f"{term_id} is obsolete and has no replacement: ignored")
        names = ", ".join(f"{i} ({self.name(i)})" for i in ids)
        what = "obsolete" if own is not None else "an alternative id"
        return Mapped(term_id, ids, f"{term_id} is {what}; using {names} ({how})")

    def ancestors(self, term_id: str) -> set[str]:
        """The term and all its is_a ancestors."""
        seen: set[str] = set()
        stack = [term_id]
        while stack:
            t = stack.pop()
            if t in seen or t not in self.terms:
                continue
            seen.add(t)
            stack.extend(self.terms[t].parents)
        return seen


def read_ontology(path: str) -> Ontology:
    """hp.obo: [Term] stanzas with id, name, is_a, alt_id, is_obsolete, replaced_by, consider."""
    terms: dict[str, Term] = {}
    version = ""
    cur: Term | None = None
    in_term = False
    with open_text(path, errors="strict") as handle:
        for line in handle:
            if line.startswith("["):
                in_term = line.startswith("[Term]")
                cur = None
                continue
            key, sep, value = line.partition(": ")
            if not sep:
                continue
            value = value.rstrip("\n")
            if not in_term:
                if key == "data-version":
                    version = value.strip().rsplit("/", 1)[-1]
                continue
            if key == "id":
                cur = terms.setdefault(value, Term(value))
            elif cur is None:
                continue
            elif key == "name":
                cur.name = value
            elif key == "is_a":
                cur.parents.append(value.split(" ", 1)[0])
            elif key == "alt_id":
                cur.alt_ids.append(value.split(" ", 1)[0])
            elif key == "is_obsolete":
                cur.obsolete = value.strip() == "true"
            elif key == "replaced_by":
                cur.replaced_by = value.split(" ", 1)[0]
            elif key == "consider":
                cur.consider.append(value.split(" ", 1)[0])
    if not terms:
        raise InputError(path, "no [Term] stanza found: is this an OBO ontology file?")
    alt = {a: t.id for t in terms.values() for a in t.alt_ids}
    return Ontology(version, terms, alt)


def map_patient_terms(
    ontology: Ontology,
    terms: Iterable[str],
    *,
    path: str,
    line: int | None,
    field_name: str = "phenotypes",
) -> tuple[list[str], list[str]]:
    """(analysis ids in order, warnings) for one patient's terms; unknown ids raise InputError."""
    out: list[str] = []
    warnings: list[str] = []
    for t in terms:
        m = ontology.map_term(t)
        if m is None:
            raise InputError(path, f"unknown HPO term {t}", line=line, field=field_name)
        if m.warning:
            warnings.append(m.warning)
        out += [i for i in m.ids if i not in out]
    return out, warnings
