"""Load and validate the knowledge base (knowledge/*.yaml).

Each file is validated against its definition in ``knowledge/schema.yaml``
with a real JSON Schema validator; then the checks a schema cannot express
run over the whole base: unique IDs, references that resolve, no cycles,
every question and cause reachable from the root, every contract cause
present, observations that some probe declares. Every problem names the
file, the node ID and the field. Nothing here imports torch or textual.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from loss_advisor.core.i18n import LANGS

# CONTRACT.md section 1: these IDs are public and must always exist.
CONTRACT_CAUSES = (
    "lr_too_high", "lr_too_low",
    "inputs_not_normalized", "label_noise", "class_imbalance", "nonfinite_data",
    "underfitting", "overfitting",
    "loss_task_mismatch", "output_activation_mismatch", "constant_loss",
    "vanishing_gradients", "exploding_gradients", "dead_relu",
    "batch_too_small", "data_not_shuffled",
    "eval_mode_during_training", "missing_zero_grad", "step_before_backward",
    "device_mismatch", "loss_not_averaged", "params_not_updated",
    "bad_initialization", "seed_sensitivity",
    "actually_decreasing",
    "lr_schedule_misconfigured", "mixed_precision_misconfigured", "accumulation_not_scaled",
    "padding_in_loss", "attention_mask_wrong", "gradient_clipping_too_strong", "over_regularized",
    "sampler_epoch_not_set", "ranks_out_of_sync",
)

# Log-odds of a cause before any evidence: sigmoid(-3) = 0.047, so a cause
# needs evidence worth +3 (for instance one strong probe finding) to reach
# the 0.5 line where CONTRACT.md says the user should act.
DEFAULT_PRIOR = -3.0

# {observation.name} or {observation.name:format_spec} inside evidence text.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)(?::([^{}]*))?\}")

FILE_KINDS = {
    "sections.yaml": "sections_file",
    "checklist.yaml": "checklist_file",
    "tree.yaml": "tree_file",
    "thresholds.yaml": "thresholds_file",
}


class KBError(Exception):
    """The knowledge base is malformed; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


# --- the knowledge as objects ------------------------------------------------

@dataclass(frozen=True)
class Remedy:
    text: Mapping[str, str]
    code: str | None = None


@dataclass(frozen=True)
class Intervention:
    """How a short paired run tests a cause: a mechanism id (the code is in
    probes/interventions.py) and what it changes, in both languages; or no
    mechanism (None) and why no change applied from outside tests it."""
    mechanism: str | None
    text: Mapping[str, str]


@dataclass(frozen=True)
class Cause:
    id: str
    kind: str
    section: str
    also_sections: tuple[str, ...]
    title: Mapping[str, str]
    summary: Mapping[str, str]
    theory: Mapping[str, str]
    symptoms: tuple[Mapping[str, str], ...]
    confirm: tuple[Mapping[str, str], ...]
    remedies: tuple[Remedy, ...]
    # Derived when the KB loads (linked_observations): the observations whose
    # rules decide answers that move this cause materially.
    observations: tuple[str, ...]
    prior: float
    file: str
    intervention: Intervention | None = None


@dataclass(frozen=True)
class Section:
    id: str
    number: int
    title: Mapping[str, str]
    theory: Mapping[str, str]


@dataclass(frozen=True)
class ChecklistRow:
    id: str
    category: Mapping[str, str]
    check: Mapping[str, str]
    causes: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    id: str
    label: Mapping[str, str]
    next: str | None
    effects: Mapping[str, float]


@dataclass(frozen=True)
class Rule:
    answer: str
    when: Mapping[str, Any]
    evidence: Mapping[str, str]
    reason: str
    optional: frozenset[str] = frozenset()   # placeholders that may show "—" (not measured)
    id: str = ""                             # stable and unique across the tree


@dataclass(frozen=True)
class Question:
    id: str
    section: str | None
    text: Mapping[str, str]
    why: Mapping[str, str]
    answers: tuple[Answer, ...]
    auto: tuple[Rule, ...]

    def answer(self, answer_id: str) -> Answer:
        for a in self.answers:
            if a.id == answer_id:
                return a
        raise KeyError(answer_id)

    def observations(self) -> set[str]:
        names: set[str] = set()
        for rule in self.auto:
            names |= condition_observations(rule.when)
            names |= {m.group(1) for lang in LANGS for m in PLACEHOLDER.finditer(rule.evidence[lang])}
        return names


@dataclass
class KnowledgeBase:
    introduction: Mapping[str, str]
    conclusion: Mapping[str, str]
    sections: dict[str, Section]
    causes: dict[str, Cause]
    checklist: tuple[ChecklistRow, ...]
    root: str
    questions: dict[str, Question]
    source: str = ""
    _parents: dict[str, list[str]] = field(default_factory=dict, repr=False)
    # The lines probes draw while measuring (thresholds.yaml), by `<probe>.<name>`.
    thresholds: dict[str, float] = field(default_factory=dict)

    def question(self, qid: str) -> Question:
        return self.questions[qid]

    def cause(self, cid: str) -> Cause:
        return self.causes[cid]

    def rules(self) -> dict[str, tuple[Question, Rule]]:
        """Every auto rule by its ID, with its question."""
        return {r.id: (q, r) for q in self.questions.values() for r in q.auto}

    def referenced_observations(self) -> set[str]:
        names: set[str] = set()
        for q in self.questions.values():
            names |= q.observations()
        for c in self.causes.values():
            names |= set(c.observations)
        return names


# An answer moves a cause "materially" from this many log-odds on: the
# observations that decide such answers are the ones listed with each cause.
MATERIAL_EFFECT = 2.0


def linked_observations(kb: "KnowledgeBase") -> dict[str, set[str]]:
    """Per cause, the observations whose rules decide answers that move it materially."""
    linked: dict[str, set[str]] = {cid: set() for cid in kb.causes}
    for q in kb.questions.values():
        if q.id == kb.root:
            continue
        effects = {a.id: a.effects for a in q.answers}
        for rule in q.auto:
            for cid, weight in effects.get(rule.answer, {}).items():   # check_kb reports unknown ones
                if abs(weight) >= MATERIAL_EFFECT and cid in linked:
                    linked[cid] |= condition_observations(rule.when)
    return linked


def guaranteed_present(cond: Mapping[str, Any], holds: bool = True) -> set[frozenset[str]]:
    """What a condition promises about presence when it evaluates to ``holds``.

    A set of clauses; each clause is a set of observations of which at least
    one is present. A comparison is True or False only on a present value (a
    missing one makes it unknown), so any decided leaf but `present`/`absent`
    promises its observation.
    """
    if "obs" in cond:
        op = cond["op"]
        if op == "present":
            return {frozenset([cond["obs"]])} if holds else set()
        if op == "absent":
            return set() if holds else {frozenset([cond["obs"]])}
        return {frozenset([cond["obs"]])}
    if "not" in cond:
        return guaranteed_present(cond["not"], not holds)
    key = "all" if "all" in cond else "any"
    parts = [guaranteed_present(sub, holds) for sub in cond[key]]
    if (key == "all") == holds:        # every part holds (all True, any False)
        return set().union(*parts)
    # One part, not known which: a clause of each part, joined.
    out: set[frozenset[str]] = {frozenset()}
    for part in parts:
        if not part:
            return set()
        out = {a | b for a in out for b in part}
        if len(out) > 64:              # keep the promise small; drop what grows
            out = set(sorted(out, key=len)[:64])
    return out


# Placeholders written side by side ("{a.x}{b.y}") show whichever is present.
_PLACEHOLDER_RUN = re.compile(r"(?:\{[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*(?::[^{}]*)?\})+")


def unfilled_placeholders(rule: "Rule") -> list[str]:
    """Placeholders in a rule's evidence that its condition does not promise to fill.

    A placeholder with a format spec may be listed in the rule's `optional`
    (shown as "—", not measured); one without a spec would leave a hole in
    the sentence ("from step )"), so its observation must be promised, or one
    of a run of adjacent placeholders must be.
    """
    promised = guaranteed_present(rule.when)
    bad: list[str] = []
    for lang in LANGS:
        for run in _PLACEHOLDER_RUN.finditer(rule.evidence[lang]):
            marks = list(PLACEHOLDER.finditer(run.group(0)))
            names = {m.group(1) for m in marks}
            if len(marks) > 1 and any(clause <= names for clause in promised):
                continue
            for m in marks:
                name = m.group(1)
                if frozenset([name]) in promised or (m.group(2) and name in rule.optional):
                    continue
                if m.group(0) not in bad:
                    bad.append(m.group(0))
    return bad


def condition_observations(cond: Mapping[str, Any]) -> set[str]:
    if "obs" in cond:
        return {cond["obs"]}
    if "not" in cond:
        return condition_observations(cond["not"])
    key = "all" if "all" in cond else "any"
    names: set[str] = set()
    for sub in cond[key]:
        names |= condition_observations(sub)
    return names


# --- loading -------------------------------------------------------------------

class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):   # libyaml's parser when built with it
    """A YAML loader that refuses a key given twice (PyYAML keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, display: str) -> Any:
    """Parse one YAML file; a syntax error becomes one line with its position."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KBError([f"{display}: cannot read: {exc.strerror or exc}"]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KBError([f"{display}:{where} invalid YAML: {problem}"]) from None


def default_kb_dir() -> Path:
    return Path(str(resources.files("loss_advisor.knowledge")))


def _schema_validator(kb_dir: Path) -> dict[str, Any]:
    import jsonschema          # only when validating: its import alone costs a quarter of a second

    schema_path = kb_dir / "schema.yaml"
    if not schema_path.exists():
        schema_path = default_kb_dir() / "schema.yaml"
    schema = read_yaml(schema_path, "schema.yaml")
    cls = jsonschema.validators.validator_for(schema)
    return {
        kind: cls({"$ref": f"#/$defs/{kind}", "$defs": schema["$defs"]})
        for kind in ("sections_file", "causes_file", "checklist_file", "tree_file", "thresholds_file")
    }


def _node_and_field(doc: Any, path: Iterable[Any]) -> tuple[str, str]:
    """Name the innermost node with an `id` on `path`, and the field below it."""
    node_id, rest, here = "", [], doc
    for step in path:
        here = here[step] if isinstance(here, (dict, list)) else None
        rest.append(step)
        if isinstance(here, dict) and isinstance(here.get("id"), str):
            node_id, rest = here["id"], []
    field_name = ""
    for step in rest:
        field_name += f"[{step}]" if isinstance(step, int) else (f".{step}" if field_name else str(step))
    return node_id, field_name


def _schema_problems(validator, doc: Any, display: str) -> list[str]:
    import jsonschema

    problems = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        # For oneOf failures, report the most specific branch's error.
        best = jsonschema.exceptions.best_match([err]) if err.context else err
        node, fld = _node_and_field(doc, best.absolute_path)
        where = f" node {node!r}:" if node else ""
        fld_txt = f" field {fld!r}:" if fld else ""
        problems.append(f"{display}:{where}{fld_txt} {best.message}")
    return problems


# --- the probes' thresholds -----------------------------------------------------

@lru_cache(maxsize=1)
def _shipped_thresholds() -> dict[str, float]:
    """knowledge/thresholds.yaml alone, so that a probe module imports even
    while the rest of the KB is being edited (`kb check` validates it all)."""
    doc = read_yaml(default_kb_dir() / "thresholds.yaml", "knowledge/thresholds.yaml")
    try:
        values = {row["id"]: row["value"] for row in doc["thresholds"]}
    except (TypeError, KeyError):
        raise KBError(["knowledge/thresholds.yaml: malformed; run: loss-advisor kb check"]) from None
    bad = sorted(k for k, v in values.items() if isinstance(v, bool) or not isinstance(v, (int, float)))
    if bad:
        raise KBError([f"knowledge/thresholds.yaml: node {k!r}: field 'value': not a number" for k in bad])
    return {k: float(v) for k, v in values.items()}


def threshold(name: str) -> float:
    """The value of one threshold a probe draws a line with (see thresholds.yaml)."""
    values = _shipped_thresholds()
    if name not in values:
        raise KBError([f"knowledge/thresholds.yaml: threshold {name!r} is missing"])
    return values[name]


# --- the validated-load cache ---------------------------------------------------
#
# Validation (JSON Schema over every file, then the whole-base checks) costs
# most of a second, and every command loads the KB. A KB that passed it is
# cached as JSON under the user's cache folder, keyed by the hash of every
# file it was read from and of this loader; any edit, to the KB or to the
# code that checks it, misses the cache and validates again. `kb check`
# (declared_observations given) always validates in full.

def _kb_files(base: Path) -> list[Path]:
    return [base / name for name in FILE_KINDS] + sorted((base / "causes").glob("*.yaml"))


def cache_dir() -> Path | None:
    """Where validated KBs are kept; LOSS_ADVISOR_CACHE_DIR="" turns the cache off."""
    configured = os.environ.get("LOSS_ADVISOR_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "loss-advisor"


def _cache_key(base: Path) -> str | None:
    digest = hashlib.sha256()
    schema = base / "schema.yaml"
    try:
        for path in [Path(__file__), schema if schema.exists() else default_kb_dir() / "schema.yaml",
                     *_kb_files(base)]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None                  # a file missing or unreadable: validate, and say so
    return digest.hexdigest()[:40]


def _cache_read(key: str) -> KnowledgeBase | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"kb-{key}.json").read_text(encoding="utf-8"))
        return _build({display: (kind, doc) for display, kind, doc in data["docs"]}, data["source"])
    except Exception:                # absent, unreadable or tampered with: validate instead
        return None


def _cache_write(key: str, docs: dict[str, tuple[str, Any]], source: str) -> None:
    folder = cache_dir()
    if folder is None:
        return
    payload = {"docs": [[display, kind, doc] for display, (kind, doc) in docs.items()], "source": source}
    try:
        text = json.dumps(payload, ensure_ascii=False)
        if json.loads(text) != payload:
            return                   # something JSON would not give back as it was: do not cache
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".kb-{key}.{os.getpid()}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / f"kb-{key}.json")
        for old in folder.glob("kb-*.json"):          # keep the latest few versions only
            if old.name != f"kb-{key}.json" and len(list(folder.glob("kb-*.json"))) > 4:
                old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass                         # a read-only home is no reason to fail


def load_kb(kb_dir: str | Path | None = None, declared_observations: Iterable[str] | None = None,
            *, cache: bool = True) -> KnowledgeBase:
    """Load, validate and return the knowledge base; raise KBError on any problem.

    ``declared_observations``: when given, every observation the KB reads
    must be among them (the probes' declarations), and the KB is validated
    in full. Otherwise a KB whose exact files already passed validation is
    read from the cache (``cache=False`` validates regardless).
    """
    base = Path(kb_dir) if kb_dir is not None else default_kb_dir()
    if not base.is_dir():
        raise KBError([f"{base}: knowledge folder not found"])
    key = _cache_key(base) if cache and declared_observations is None else None
    if key is not None:
        cached = _cache_read(key)
        if cached is not None:
            cached.source = str(base)     # the same files may sit in another folder too
            return cached
    kb, docs = _load_and_validate(base, declared_observations)
    if key is not None:
        _cache_write(key, docs, kb.source)
    return kb


def _load_and_validate(base: Path, declared_observations: Iterable[str] | None) -> tuple[KnowledgeBase, dict]:
    validators = _schema_validator(base)
    docs: dict[str, Any] = {}
    problems: list[str] = []
    files = _kb_files(base)
    for path in files:
        display = str(path.relative_to(base.parent)) if base.parent in path.parents else str(path)
        if not path.exists():
            problems.append(f"{display}: file missing")
            continue
        doc = read_yaml(path, display)
        kind = FILE_KINDS.get(path.name, "causes_file") if path.parent == base else "causes_file"
        found = _schema_problems(validators[kind], doc, display)
        problems += found
        if not found:
            docs[display] = (kind, doc)
    if not any(kind == "causes_file" for kind, _ in docs.values()) and not problems:
        problems.append(f"{base.name}/causes: no cause files")
    if problems:
        raise KBError(problems)
    kb = _build(docs, str(base))
    problems = check_kb(kb, docs, declared_observations)
    if problems:
        raise KBError(problems)
    return kb, docs


def _text(d: Mapping[str, str]) -> Mapping[str, str]:
    return {lang: d[lang] for lang in LANGS}


def _intervention(doc: Mapping[str, Any] | None) -> Intervention | None:
    if not doc:
        return None
    if "mechanism" in doc:
        return Intervention(doc["mechanism"], _text(doc["change"]))
    return Intervention(None, _text(doc["none"]))


def _build(docs: dict[str, tuple[str, Any]], source: str) -> KnowledgeBase:
    sections: dict[str, Section] = {}
    causes: dict[str, Cause] = {}
    checklist: list[ChecklistRow] = []
    questions: dict[str, Question] = {}
    intro = concl = {}
    root = ""
    thresholds: dict[str, float] = {}
    for display, (kind, doc) in docs.items():
        if kind == "sections_file":
            intro, concl = _text(doc["introduction"]), _text(doc["conclusion"])
            for s in doc["sections"]:
                sections.setdefault(s["id"], Section(s["id"], s["number"], _text(s["title"]), _text(s["theory"])))
        elif kind == "checklist_file":
            checklist = [ChecklistRow(r["id"], _text(r["category"]), _text(r["check"]), tuple(r["causes"]))
                         for r in doc["checklist"]]
        elif kind == "thresholds_file":
            for row in doc["thresholds"]:
                thresholds.setdefault(row["id"], float(row["value"]))
        elif kind == "tree_file":
            root = doc["root"]
            for q in doc["questions"]:
                questions.setdefault(q["id"], Question(
                    id=q["id"], section=q.get("section"), text=_text(q["text"]), why=_text(q["why"]),
                    answers=tuple(Answer(a["id"], _text(a["label"]), a.get("next"), dict(a.get("effects", {})))
                                  for a in q["answers"]),
                    auto=tuple(Rule(r["answer"], r["when"], _text(r["evidence"]), r["reason"],
                                    frozenset(r.get("optional", ())), r["id"])
                               for r in q.get("auto", [])),
                ))
        else:
            for c in doc["causes"]:
                causes.setdefault(c["id"], Cause(
                    id=c["id"], kind=c.get("kind", "fault"), section=c["section"],
                    also_sections=tuple(c.get("also_sections", [])), title=_text(c["title"]),
                    summary=_text(c["summary"]), theory=_text(c["theory"]),
                    symptoms=tuple(_text(s) for s in c["symptoms"]),
                    confirm=tuple(_text(s) for s in c["confirm"]),
                    remedies=tuple(Remedy(_text(r["text"]), r.get("code")) for r in c["remedies"]),
                    observations=(),          # derived below, from the tree
                    prior=float(c.get("prior", DEFAULT_PRIOR)), file=display,
                    intervention=_intervention(c.get("intervention")),
                ))
    kb = KnowledgeBase(intro, concl, sections, causes, tuple(checklist), root, questions, source,
                       thresholds=thresholds)
    # Derived, never written by hand: the observations that decide each cause.
    linked = linked_observations(kb)
    kb.causes = {cid: replace(c, observations=tuple(sorted(linked[cid]))) for cid, c in causes.items()}
    return kb


# --- checks the schema cannot express ----------------------------------------

def check_kb(kb: KnowledgeBase, docs: dict[str, tuple[str, Any]],
             declared_observations: Iterable[str] | None = None) -> list[str]:
    problems: list[str] = []
    files = {kind: display for display, (kind, _) in docs.items()}
    tree_file = files.get("tree_file", "tree.yaml")
    checklist_file = files.get("checklist_file", "checklist.yaml")
    sections_file = files.get("sections_file", "sections.yaml")

    # Unique IDs (the builder kept the first; report every repeat).
    def dupes(kind_filter: str, list_key: str, label: str) -> None:
        seen: dict[str, str] = {}
        for display, (kind, doc) in docs.items():
            if kind != kind_filter:
                continue
            for item in doc[list_key]:
                if item["id"] in seen:
                    problems.append(f"{display}: node {item['id']!r}: field 'id': duplicate {label} ID "
                                    f"(first defined in {seen[item['id']]})")
                else:
                    seen[item["id"]] = display
    dupes("causes_file", "causes", "cause")
    dupes("tree_file", "questions", "question")
    dupes("sections_file", "sections", "section")
    dupes("checklist_file", "checklist", "checklist row")
    dupes("thresholds_file", "thresholds", "threshold")
    rule_ids: dict[str, str] = {}
    for q in kb.questions.values():
        for i, r in enumerate(q.auto):
            if r.id in rule_ids:
                problems.append(f"{tree_file}: node {q.id!r}: field 'auto[{i}].id': duplicate rule ID {r.id!r} "
                                f"(first used in {rule_ids[r.id]!r})")
            else:
                rule_ids[r.id] = q.id

    for c in kb.causes.values():
        for s in (c.section, *c.also_sections):
            if s not in kb.sections:
                problems.append(f"{c.file}: node {c.id!r}: field 'section': unknown section {s!r}")
    for row in kb.checklist:
        for cid in row.causes:
            if cid not in kb.causes:
                problems.append(f"{checklist_file}: node {row.id!r}: field 'causes': unknown cause {cid!r}")
    for missing in [c for c in CONTRACT_CAUSES if c not in kb.causes]:
        problems.append(f"causes: node {missing!r}: contract cause missing (CONTRACT.md section 1)")
    numbers = [s.number for s in kb.sections.values()]
    if len(set(numbers)) != len(numbers):
        problems.append(f"{sections_file}: field 'number': section numbers repeat")

    if kb.root not in kb.questions:
        problems.append(f"{tree_file}: field 'root': unknown question {kb.root!r}")
    for q in kb.questions.values():
        if q.section and q.section not in kb.sections:
            problems.append(f"{tree_file}: node {q.id!r}: field 'section': unknown section {q.section!r}")
        answer_ids = [a.id for a in q.answers]
        for i, a in enumerate(q.answers):
            if answer_ids.count(a.id) > 1 and answer_ids.index(a.id) == i:
                problems.append(f"{tree_file}: node {q.id!r}: field 'answers[{i}].id': duplicate answer {a.id!r}")
            if a.next is not None and a.next not in kb.questions:
                problems.append(f"{tree_file}: node {q.id!r}: field 'answers[{i}].next': unknown question {a.next!r}")
            for cid in a.effects:
                if cid not in kb.causes:
                    problems.append(f"{tree_file}: node {q.id!r}: field 'answers[{i}].effects': unknown cause {cid!r}")
        for i, r in enumerate(q.auto):
            if r.answer not in answer_ids:
                problems.append(f"{tree_file}: node {q.id!r}: field 'auto[{i}].answer': {r.answer!r} is not an answer of this question")
            for lang in LANGS:
                for m in PLACEHOLDER.finditer(r.evidence[lang]):
                    if m.group(2) and not _valid_spec(m.group(2)):
                        problems.append(f"{tree_file}: node {q.id!r}: field 'auto[{i}].evidence.{lang}': bad format {m.group(2)!r}")
                if {"{", "}"} & set(PLACEHOLDER.sub("", r.evidence[lang])):
                    # fill() replaces whole placeholders only; a brace left over
                    # would reach the user as is (an unquoted YAML text is cut
                    # at " #", which a signed spec's wording holds: "fell #")
                    problems.append(f"{tree_file}: node {q.id!r}: field 'auto[{i}].evidence.{lang}': a brace outside "
                                    "a whole {observation.name:spec} placeholder (cut short? in YAML, ' #' in an "
                                    "unquoted text starts a comment: quote the text)")
            problems += _condition_problems(r.when, f"{tree_file}: node {q.id!r}: field 'auto[{i}].when'")
            shown = {m.group(1) for lang in LANGS for m in PLACEHOLDER.finditer(r.evidence[lang]) if m.group(2)}
            promised = guaranteed_present(r.when)
            for name in sorted(r.optional):
                if name not in shown or frozenset([name]) in promised:
                    problems.append(f"{tree_file}: node {q.id!r}: field 'auto[{i}].optional': {name!r} is not a "
                                    "formatted placeholder of the evidence that the condition leaves unpromised")
            for mark in unfilled_placeholders(r):
                problems.append(f"{tree_file}: node {q.id!r}: field 'auto[{i}].evidence': {mark} is not promised "
                                "by the rule's condition (require it, or list it in 'optional' with a format spec)")

    if declared_observations is not None:
        declared = set(declared_observations)
        for q in kb.questions.values():
            for name in sorted(q.observations() - declared):
                problems.append(f"{tree_file}: node {q.id!r}: field 'auto': observation {name!r} is not declared by any probe")
        for c in kb.causes.values():
            for name in c.observations:
                if name not in declared:
                    problems.append(f"{c.file}: node {c.id!r}: field 'observations': {name!r} is not declared by any probe")

    if problems:
        return problems
    problems += _graph_problems(kb, tree_file)
    return problems


def _valid_spec(spec: str) -> bool:
    """A format spec that fits a number, a count or a label; or a signed one,
    SPEC|WORDS IF >= 0|WORDS IF < 0, each wording with # for the size."""
    if "|" in spec:
        parts = spec.split("|")
        return len(parts) == 3 and all("#" in p for p in parts[1:]) and _valid_spec(parts[0])
    for sample in (1.5, 2, "label"):
        try:
            format(sample, spec)
            return True
        except (ValueError, TypeError):
            pass
    return False


def _condition_problems(cond: Mapping[str, Any], where: str) -> list[str]:
    if "obs" in cond:
        op, has_value = cond["op"], "value" in cond
        if op in ("present", "absent"):
            return [f"{where}: op {op!r} takes no value"] if has_value else []
        if not has_value:
            return [f"{where}: op {op!r} needs a value"]
        value = cond["value"]
        if op in ("<", "<=", ">", ">=") and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            return [f"{where}: op {op!r} needs a number, not {value!r}"]
        if op in ("in", "not_in") and not isinstance(value, list):
            return [f"{where}: op {op!r} needs a list"]
        if op == "matches":
            try:
                re.compile(value)
            except (re.error, TypeError) as exc:
                return [f"{where}: bad regular expression {value!r}: {exc}"]
        return []
    if "not" in cond:
        return _condition_problems(cond["not"], where)
    key = "all" if "all" in cond else "any"
    out: list[str] = []
    for i, sub in enumerate(cond[key]):
        out += _condition_problems(sub, f"{where}.{key}[{i}]")
    return out


def _graph_problems(kb: KnowledgeBase, tree_file: str) -> list[str]:
    problems: list[str] = []
    # Cycles: depth-first search over answer.next edges.
    state: dict[str, int] = {}
    order = list(kb.questions)

    def visit(qid: str, trail: list[str]) -> None:
        state[qid] = 1
        for a in kb.questions[qid].answers:
            if a.next is None:
                continue
            if state.get(a.next) == 1:
                loop = trail[trail.index(a.next):] + [a.next] if a.next in trail else [qid, a.next]
                problems.append(f"{tree_file}: node {qid!r}: field 'answers.{a.id}.next': cycle " + " -> ".join(loop))
            elif a.next not in state:
                visit(a.next, trail + [a.next])
        state[qid] = 2

    for qid in order:
        if qid not in state:
            visit(qid, [qid])
    if problems:
        return problems

    reachable: list[str] = []
    stack = [kb.root]
    while stack:
        qid = stack.pop()
        if qid in reachable:
            continue
        reachable.append(qid)
        stack += [a.next for a in kb.questions[qid].answers if a.next]
    for qid in order:
        if qid not in reachable:
            problems.append(f"{tree_file}: node {qid!r}: question not reachable from the root {kb.root!r}")
    raised = {cid for qid in reachable for a in kb.questions[qid].answers
              for cid, w in a.effects.items() if w > 0}
    for cid, cause in kb.causes.items():
        if cid not in raised:
            problems.append(f"{cause.file}: node {cid!r}: no answer reachable from the root raises this cause")
    return problems
