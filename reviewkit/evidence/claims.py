"""The claims register (data/claims.yml) and its evidence model.

The register holds *statements* (what the review, or a chapter, says about IL-6 and exercise) and
*checks* (one statement weighed against one study). A check records what the study measured, how
closely that matches the statement's outcome (``match``), the significance as reported, and how
the study's finding is recomputed from the datasets. The finding (supports, no effect, opposite)
is computed from the data, and the verdict is derived from match, finding and significance by
:func:`derive_verdict`, so that, e.g., a plasma measurement can never "contradict" a statement
about release from muscle. "Contradicted" needs a direct measure with a significant opposite
effect.

:func:`problems` lists every problem of the register as ``data/claims.yml:LINE: message``;
:func:`evidence_matrix` is the tidy table (statement x study x match x finding x verdict) and
:func:`synthesis` counts, per statement, the studies that support it, find no effect or oppose it.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from reviewkit import paths
from reviewkit.evidence.data import bib_keys, load, resources

CLAIMS_PATH = paths.DATA_DIR / "claims.yml"

CRITERIA = ("made_by_muscle", "released_in_amounts", "acts_on_distant_organs",
            "regulated_by_metabolic_state", "reproduced_by_infusion", "specific_to_exercise")
MATCHES = ("direct", "proxy", "upstream", "different outcome")
INDIRECT_MATCHES = ("proxy", "upstream")
FINDINGS = ("supports", "no effect", "opposite")
VERDICTS = ("supported", "consistent (indirect)", "no effect found (direct)",
            "no effect found (proxy)", "no effect found (upstream)", "contradicted",
            "at odds (indirect)", "at odds (significance not reported)", "not a test",
            "not recomputable")
# Evidence-table directions that report the absence of an effect.
NULL_DIRECTIONS = ("no change", "not attenuated", "no difference", "not detected")
SIGNIFICANCE_PATTERN = re.compile(
    r"^(?P<level>P (?P<relation>[<=]) (?P<p>\d*\.?\d+)|not significant|significant|not reported"
    r"|from the compilation)"
    r"(?: \(.+\))?$")
SUPPORTS_IF_PATTERN = re.compile(r"^(?P<relation>[<>]) (?P<value>-?\d*\.?\d+)$")
# supports_if of a statement that asserts the absence of an effect (e.g. "mode matters little").
NO_DIFFERENCE = "no difference"

STATEMENT_FIELDS = ("id", "chapter", "text", "outcome", "source", "locator", "url")
CRITERION_FIELDS = ("id", "label", "requires", "would_change")
CHECK_FIELDS = ("id", "statement", "measured_outcome", "match", "significance", "recompute",
                "expected_verdict")
# What a check against the whole compilation (recompute kind "compilation") may recompute: the
# estimate and, where the fit gives one, its P value (reviewkit.evidence.compilation).
COMPILATION_ESTIMATES = ("duration slope", "running vs other modes", "largest fold")
COMPILATION_SIGNIFICANCE = "from the compilation"
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv}


class ClaimError(ValueError):
    """A register that cannot be used; ``problems`` lists every ``file:line: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# ---------------------------------------------------------------------------------------------
# Reading the YAML with the line of every node, so that problems name the physical line.

class Located(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LocatingLoader(yaml.SafeLoader):
    duplicate_keys: list[tuple[int, str]]


def _construct_located_mapping(loader: _LocatingLoader, node: yaml.MappingNode):
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    yield mapping
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping.key_lines:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        mapping.key_lines[key] = key_node.start_mark.line + 1
    mapping.update(loader.construct_mapping(node, deep=True))


_LocatingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                _construct_located_mapping)


def read_located(path: Path) -> tuple[object, list[tuple[int, str]]]:
    """The YAML document with Located mappings, and (line, message) for parse problems."""
    from reviewkit.textfiles import InputError, read_text

    try:
        text = read_text(path)
    except InputError as error:  # missing or not UTF-8: already "file:line: message"
        return None, [(int(message.split(":")[1]), message.split(": ", 1)[1])
                      for message in error.problems]
    loader = _LocatingLoader(text)
    loader.duplicate_keys = []
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [(line, f"YAML error: {getattr(error, 'problem', error)}")]
    finally:
        loader.dispose()
    return document, [(line, f"duplicate key {key!r}") for line, key in loader.duplicate_keys]


# ---------------------------------------------------------------------------------------------
# The evidence model: finding and verdict.

def significance_level(significance: str) -> bool | None:
    """True if the reported significance is significant, False if not, None if not reported."""
    found = SIGNIFICANCE_PATTERN.match(significance)
    if not found:
        raise ValueError(f"significance {significance!r} is not in a known form")
    level = found["level"]
    if level == COMPILATION_SIGNIFICANCE:
        raise ValueError(f"significance {significance!r} is computed by the compilation fit")
    if found["p"] is not None:
        return float(found["p"]) <= 0.05
    return {"significant": True, "not significant": False, "not reported": None}[level]


def finding_from_number(value: float, supports_if: str, significant: bool | None) -> str:
    """A recomputed number as a finding: in the statement's direction, opposite, or neither.

    A difference the source reports as not significant is no effect, whatever its sign."""
    if supports_if == NO_DIFFERENCE:
        # The statement asserts an absence: a significant estimate of either sign goes against
        # it, and a non-significant one is no effect found, consistent with it but no proof.
        return "opposite" if significant else "no effect"
    rule = SUPPORTS_IF_PATTERN.match(supports_if)
    threshold = float(rule["value"])
    if significant is False or value == threshold:
        return "no effect"
    above = value > threshold
    return "supports" if above == (rule["relation"] == ">") else "opposite"


def finding_from_direction(direction: str, supports_when: list[str],
                           opposite_when: list[str]) -> str:
    """An evidence-table direction as a finding; a direction the check does not classify is an
    error, so that a new or edited direction is looked at rather than guessed."""
    if direction in supports_when:
        return "supports"
    if direction in opposite_when:
        return "opposite"
    if direction in NULL_DIRECTIONS:
        return "no effect"
    raise ValueError(f"direction {direction!r} is in neither supports_when, opposite_when nor "
                     f"the null directions {NULL_DIRECTIONS}")


def derive_verdict(match: str, finding: str, significant: bool | None) -> str:
    """The verdict of one check. Only a direct measure with a significant opposite effect is
    "contradicted"; indirect evidence and null results are named for what they are."""
    if finding == "not recomputable":
        return "not recomputable"
    if match == "different outcome":
        return "not a test"
    if finding == "no effect":
        return f"no effect found ({match})"
    if finding == "supports":
        return "supported" if match == "direct" else "consistent (indirect)"
    if match != "direct":
        return "at odds (indirect)"
    if significant:
        return "contradicted"
    return "at odds (significance not reported)" if significant is None else "no effect found (direct)"


# ---------------------------------------------------------------------------------------------
# Validating the register.

@dataclass
class Register:
    statements: dict[str, Located]
    checks: list[Located]
    criteria: dict[str, Located] = field(default_factory=dict)


def _missing(mapping: Located, fields: tuple[str, ...], what: str) -> list[tuple[int, str]]:
    return [(mapping.line, f"{what} {mapping.get('id', '<no id>')}: missing field {name!r}")
            for name in fields if mapping.get(name) in (None, "")]


def _enum(mapping: Located, key: str, allowed: tuple[str, ...], what: str) -> list[tuple[int, str]]:
    value = mapping.get(key)
    if value is None or value in allowed:
        return []
    return [(mapping.line_of(key), f"{what} {mapping.get('id')}: {key} {value!r} is not one of "
             + ", ".join(repr(a) for a in allowed))]


def _row_spec_problems(spec, line: int, where: str, datasets: set[str]) -> list[tuple[int, str]]:
    if not isinstance(spec, dict) or "dataset" not in spec:
        return [(line, f"{where}: needs a mapping with 'dataset' and column filters")]
    if spec["dataset"] not in datasets:
        return [(spec.line_of("dataset"), f"unknown dataset {spec['dataset']!r}")]
    return []


def _recompute_problems(check: Located, datasets: set[str]) -> list[tuple[int, str]]:
    recipe, ident = check["recompute"], check["id"]
    if not isinstance(recipe, Located):
        return [(check.line_of("recompute"), f"check {ident}: recompute must be a mapping")]
    kinds = [kind for kind in ("inputs", "evidence", "unavailable", "compilation")
             if kind in recipe]
    if len(kinds) != 1:
        return [(recipe.line, f"check {ident}: recompute needs exactly one of inputs, evidence, "
                 "compilation or unavailable")]
    found = []
    if "compilation" in recipe:
        found += _compilation_problems(check, recipe)
    if "inputs" in recipe:
        for name in ("expression", "supports_if"):
            if name not in recipe:
                found.append((recipe.line, f"check {ident}: recompute.inputs needs {name!r}"))
        if "supports_if" in recipe and not SUPPORTS_IF_PATTERN.match(str(recipe["supports_if"])):
            found.append((recipe.line_of("supports_if"),
                          f"check {ident}: supports_if {recipe['supports_if']!r} is not "
                          "'> number' or '< number'"))
        inputs = recipe["inputs"] if isinstance(recipe["inputs"], dict) else {}
        for name, spec in inputs.items():
            found += _row_spec_problems(spec, recipe["inputs"].line_of(name),
                                        f"check {ident}: input {name}", datasets)
    if "evidence" in recipe:
        if "supports_when" not in recipe:
            found.append((recipe.line, f"check {ident}: recompute.evidence needs 'supports_when'"))
    if "p_value" in recipe:
        found += _row_spec_problems(recipe["p_value"], recipe.line_of("p_value"),
                                    f"check {ident}: p_value", datasets)
    return found


def _compilation_problems(check: Located, recipe: Located) -> list[tuple[int, str]]:
    """A check against the whole compilation names an estimate the fit gives, a supports_if,
    no source_key (it weighs many studies) and the significance "from the compilation"."""
    ident, found = check["id"], []
    if recipe["compilation"] not in COMPILATION_ESTIMATES:
        found.append((recipe.line_of("compilation"), f"check {ident}: compilation estimate "
                      f"{recipe['compilation']!r} is not one of "
                      + ", ".join(repr(e) for e in COMPILATION_ESTIMATES)))
    supports_if = str(recipe.get("supports_if", ""))
    if supports_if != NO_DIFFERENCE and not SUPPORTS_IF_PATTERN.match(supports_if):
        found.append((recipe.line, f"check {ident}: recompute.compilation needs supports_if "
                      f"'> number', '< number' or '{NO_DIFFERENCE}'"))
    if "source_key" in check:
        found.append((check.line_of("source_key"), f"check {ident}: a compilation check weighs "
                      "many studies and names no source_key"))
    if check.get("significance") != COMPILATION_SIGNIFICANCE:
        found.append((check.line_of("significance"), f"check {ident}: a compilation check's "
                      f"significance is {COMPILATION_SIGNIFICANCE!r} (the fit computes it)"))
    return found


def _is_compilation_check(check: Located) -> bool:
    return isinstance(check.get("recompute"), dict) and "compilation" in check["recompute"]


def _check_problems(check: Located, statements: dict, keys: frozenset[str],
                    datasets: set[str]) -> list[tuple[int, str]]:
    found = _missing(check, CHECK_FIELDS, "check")
    if not _is_compilation_check(check) and check.get("source_key") in (None, ""):
        found.append((check.line, f"check {check.get('id', '<no id>')}: missing field "
                      "'source_key'"))
    ident = check.get("id")
    if check.get("statement") and check["statement"] not in statements:
        found.append((check.line_of("statement"),
                      f"check {ident}: unknown statement {check['statement']!r}"))
    if check.get("source_key") and check["source_key"] not in keys:
        found.append((check.line_of("source_key"),
                      f"check {ident}: source_key {check['source_key']!r} is not a key of "
                      "references.bib"))
    found += _enum(check, "match", MATCHES, "check")
    found += _enum(check, "expected_verdict", VERDICTS, "check")
    if check.get("significance") and not SIGNIFICANCE_PATTERN.match(str(check["significance"])):
        found.append((check.line_of("significance"),
                      f"check {ident}: significance {check['significance']!r} is not 'P < x', "
                      "'P = x', 'significant', 'not significant' or 'not reported'"))
    if "recompute" in check:
        found += _recompute_problems(check, datasets)
    return found


def _statement_problems(statement: Located, keys: frozenset[str]) -> list[tuple[int, str]]:
    found = _missing(statement, STATEMENT_FIELDS, "statement")
    ident = statement.get("id")
    found += _enum(statement, "criterion", CRITERIA, "statement")
    if statement.get("source") and statement["source"] not in keys:
        found.append((statement.line_of("source"), f"statement {ident}: source "
                      f"{statement['source']!r} is not a key of references.bib"))
    if statement.get("url") and not paths.URL_PATTERN.match(str(statement["url"])):
        found.append((statement.line_of("url"),
                      f"statement {ident}: url {statement['url']!r} is not an http(s) URL"))
    return found


def _criterion_problems(criterion: Located) -> list[tuple[int, str]]:
    found = _missing(criterion, CRITERION_FIELDS, "criterion")
    if criterion.get("id") and criterion["id"] not in CRITERIA:
        found.append((criterion.line_of("id"), f"criterion {criterion['id']!r} is not one of "
                      + ", ".join(CRITERIA)))
    return found


def _entries(document, key: str) -> list:
    entries = document.get(key) if isinstance(document, Located) else None
    return entries if isinstance(entries, list) else []


def _structure_problems(document, keys: frozenset[str],
                        datasets: set[str]) -> list[tuple[int, str]]:
    if not isinstance(document, Located):
        return [(1, "the register must be a mapping with 'statements' and 'checks'")]
    # 'criteria' is optional: a register without it weighs statements but scores no verdict.
    found = [(document.line, f"missing section {name!r}")
             for name in ("statements", "checks") if not isinstance(document.get(name), list)]
    statements: dict[str, Located] = {}
    seen: set[str] = set()
    for entry in _entries(document, "criteria"):
        if not isinstance(entry, Located):
            found.append((document.line_of("criteria"), "every criterion must be a mapping"))
            continue
        found += _criterion_problems(entry)
    listed = {entry.get("id") for entry in _entries(document, "criteria")
              if isinstance(entry, Located)}
    found += [(document.line_of("criteria"), f"criterion {name!r} is not described")
              for name in CRITERIA if "criteria" in document and name not in listed]
    for section, what in (("statements", "statement"), ("checks", "check")):
        for entry in _entries(document, section):
            if not isinstance(entry, Located):
                found.append((document.line_of(section), f"every {what} must be a mapping"))
                continue
            ident = entry.get("id")
            if ident in seen:
                found.append((entry.line_of("id"), f"duplicate id {ident!r}"))
            seen.add(ident)
            if section == "statements":
                found += _statement_problems(entry, keys)
                statements[ident] = entry
            else:
                found += _check_problems(entry, statements, keys, datasets)
    return found


def _dataset_names(datapackage_path: Path) -> set[str]:
    return {resource.name for resource in resources(datapackage_path)}


def _messages(path: Path, located: list[tuple[int, str]]) -> list[str]:
    label = paths.display_path(path)
    return [f"{label}:{line}: {message}" for line, message in sorted(located, key=lambda p: p[0])]


def load_register(path: Path = CLAIMS_PATH, bib_path: Path = paths.BIB_PATH,
                  datapackage_path: Path = paths.DATAPACKAGE_PATH) -> Register:
    """The validated register; raises ClaimError listing every structural problem."""
    document, located = read_located(path)
    if document is not None:
        located += _structure_problems(document, bib_keys(bib_path),
                                       _dataset_names(datapackage_path))
    if located:
        raise ClaimError(_messages(path, located))
    statements = {entry["id"]: entry for entry in document["statements"]}
    criteria = {entry["id"]: entry for entry in document.get("criteria") or []}
    return Register(statements, list(document["checks"]), criteria)


def problems(path: Path = CLAIMS_PATH, bib_path: Path = paths.BIB_PATH,
             datapackage_path: Path = paths.DATAPACKAGE_PATH, recompute: bool = True) -> list[str]:
    """Every problem of the register as ``file:line: message``: structure, enum values, unknown
    datasets and source keys, checks that cannot be recomputed, and verdicts that differ from
    the reviewed ``expected_verdict``. With ``recompute=False`` (the datasets have problems of
    their own, which every check would repeat) only the register's structure is checked."""
    try:
        register = load_register(path, bib_path, datapackage_path)
    except ClaimError as error:
        return error.problems
    if not recompute:
        return []
    located = []
    datasets: dict[str, pd.DataFrame] = {}
    for check in register.checks:
        try:
            result = evaluate_check(check, register.statements, datasets, datapackage_path)
        except ValueError as error:  # includes DataValidationError and ClaimError
            located.append((check.line_of("recompute"), f"check {check['id']}: {error}"))
            continue
        if result["verdict"] != check["expected_verdict"]:
            located.append((check.line_of("expected_verdict"),
                            f"check {check['id']}: verdict is now {result['verdict']!r}, "
                            f"expected {check['expected_verdict']!r} ({result['how']})"))
    return _messages(path, located)


# ---------------------------------------------------------------------------------------------
# Recomputing one check from the datasets.

def select_row(spec: dict, datasets: dict[str, pd.DataFrame],
               datapackage_path: Path = paths.DATAPACKAGE_PATH) -> pd.Series:
    """The one row of ``spec['dataset']`` that matches every other key of ``spec``."""
    name = spec["dataset"]
    if name not in datasets:
        datasets[name] = load(name, datapackage_path)
    frame = datasets[name]
    mask = pd.Series(True, index=frame.index)
    for column, wanted in spec.items():
        if column == "dataset":
            continue
        if column not in frame.columns:
            raise ValueError(f"dataset {name} has no column {column!r}")
        mask &= frame[column].astype("string") == str(wanted)
    matches = frame[mask]
    if len(matches) != 1:
        filters = {k: v for k, v in spec.items() if k != "dataset"}
        raise ValueError(f"{len(matches)} rows of {name} match {filters}; need 1")
    return matches.iloc[0]


def evaluate(expression: str, values: dict[str, float]) -> float:
    """Arithmetic (+ - * / and parentheses) over named inputs; nothing else is allowed."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in values:
            return values[node.id]
        raise ValueError(f"expression {expression!r}: {ast.dump(node)} is not allowed")
    return walk(ast.parse(expression, mode="eval"))


def _reported_p(row: pd.Series) -> str:
    relation = "<" if row["qualifier"] == "<" else "="
    return f"P {relation} {row['value']:g}"


def _check_significance_against_data(check: dict, row: pd.Series) -> None:
    """The typed significance must say what the named P row of the data says."""
    reported = _reported_p(row)
    typed = SIGNIFICANCE_PATTERN.match(check["significance"])["level"]
    if typed != reported:
        raise ValueError(f"significance {check['significance']!r} differs from the data "
                         f"({reported})")


def _numeric_finding(recipe: dict, significant: bool | None, datasets, datapackage_path):
    rows = {name: select_row(spec, datasets, datapackage_path)
            for name, spec in recipe["inputs"].items()}
    values = {name: float(row["value"]) for name, row in rows.items()}
    number = evaluate(recipe["expression"], values)
    finding = finding_from_number(number, recipe["supports_if"], significant)
    how = (f"{recipe['expression']} = {number:.3g} from "
           + ", ".join(f"{name} = {values[name]:g}" for name in rows)
           + f"; supports if {recipe['supports_if']}")
    return f"{number:.3g}", how, finding, next(iter(rows.values()))


def _evidence_finding(recipe: dict, datasets, datapackage_path):
    row = select_row({"dataset": "evidence", **recipe["evidence"]}, datasets, datapackage_path)
    direction = str(row["direction"])
    finding = finding_from_direction(direction, list(recipe["supports_when"]),
                                     list(recipe.get("opposite_when", [])))
    how = f"evidence table: {recipe['evidence']['source_key']}, {recipe['evidence']['outcome']}"
    return direction, how, finding, row


def _compilation_finding(recipe: dict):
    """(recomputed, how, finding, significant, significance, study) of a check against the
    whole compilation: the named estimate of its main fit, or the largest fold it holds."""
    from reviewkit.evidence import compilation

    table = compilation.effects()
    used = compilation.main_effects(table)
    estimate = recipe["compilation"]
    if estimate == "largest fold":
        folds = table[table["fold"].notna()]
        value, p = float(folds["fold"].max()), None
        how = (f"largest fold over baseline among {folds['source_key'].nunique()} studies "
               f"({folds.loc[folds['fold'].idxmax(), 'source_key']})")
        studies = folds["source_key"].nunique()
    else:
        if estimate == "duration slope":
            term = compilation.fit(used).slope
        else:
            term = compilation.fit(used, moderators=("running",)).term("running (vs other modes)")
        value, p = term["estimate"], term["p"]
        how = (f"{estimate} of the random-effects meta-regression on {len(used)} effects from "
               f"{used['source_key'].nunique()} studies = {value:.3g} (95% CI "
               f"{term['ci_low']:.3g} to {term['ci_high']:.3g})")
        studies = used["source_key"].nunique()
    significant = None if p is None else p < 0.05
    significance = "not reported (a single largest value)" if p is None else \
        f"P = {p:.2g} (from the compilation fit)"
    finding = finding_from_number(value, recipe["supports_if"], significant)
    return (f"{value:.3g}", how + f"; supports if {recipe['supports_if']}", finding, significant,
            significance, f"compilation ({studies} studies)")


def evaluate_check(check: dict, statements: dict, datasets: dict | None = None,
                   datapackage_path: Path = paths.DATAPACKAGE_PATH) -> dict:
    """One check with its recomputed finding and derived verdict."""
    datasets = {} if datasets is None else datasets
    recipe = check["recompute"]
    significance = check["significance"]
    locator = url = ""
    study = check.get("source_key", "")
    if "compilation" in recipe:
        recomputed, how, finding, significant, significance, study = _compilation_finding(recipe)
    elif "unavailable" in recipe:
        significant = significance_level(significance)
        recomputed, how, finding = "—", recipe["unavailable"], "not recomputable"
    else:
        significant = significance_level(significance)
        if "inputs" in recipe:
            recomputed, how, finding, row = _numeric_finding(recipe, significant, datasets,
                                                             datapackage_path)
        else:
            recomputed, how, finding, row = _evidence_finding(recipe, datasets, datapackage_path)
        locator, url = str(row["locator"]), str(row["url"])
        if "p_value" in recipe:
            _check_significance_against_data(check, select_row(recipe["p_value"], datasets,
                                                               datapackage_path))
    statement = statements[check["statement"]]
    return {
        "check": check["id"],
        "statement": statement["id"],
        "statement_text": statement["text"],
        "criterion": statement.get("criterion") or "",
        "chapter": statement["chapter"],
        "study": study,
        "measured": check["measured_outcome"],
        "match": check["match"],
        "finding": finding,
        "significance": significance,
        "verdict": derive_verdict(check["match"], finding, significant),
        "expected_verdict": check["expected_verdict"],
        "recomputed": recomputed,
        "how": how,
        "locator": locator,
        "url": url,
    }


# ---------------------------------------------------------------------------------------------
# Tables for the chapters and for the verdict chapter.

def evidence_matrix(path: Path = CLAIMS_PATH, chapter: str | None = None) -> pd.DataFrame:
    """Tidy table, one row per check: statement x study x match x finding x verdict.

    With ``chapter``, only the checks of that chapter's statements are recomputed: a chapter
    then reads (and re-executes on edits of) only the datasets it discusses."""
    register = load_register(path)
    datasets: dict[str, pd.DataFrame] = {}
    rows = [evaluate_check(check, register.statements, datasets) for check in register.checks
            if chapter is None or register.statements[check["statement"]]["chapter"] == chapter]
    return pd.DataFrame(rows)


def synthesis(path: Path = CLAIMS_PATH, chapter: str | None = None) -> pd.DataFrame:
    """Per statement, the number of studies whose direct or indirect (proxy, upstream) evidence
    supports it, finds no effect or opposes it, and of studies that do not test it or cannot be
    recomputed. A study counts once per cell; it can sit in two cells when its checks differ
    (e.g. two time points)."""
    matrix = evidence_matrix(path, chapter=chapter)
    register = load_register(path)
    evidence_class = matrix["match"].map(
        lambda match: "direct" if match == "direct" else
        "indirect" if match in INDIRECT_MATCHES else "other")
    rows = []
    for ident, statement in register.statements.items():
        if chapter is not None and statement["chapter"] != chapter:
            continue
        mine = matrix["statement"] == ident
        row = {"statement": ident, "text": statement["text"],
               "criterion": statement.get("criterion") or "", "chapter": statement["chapter"]}
        for kind in ("direct", "indirect"):
            for finding in FINDINGS:
                cell = mine & (evidence_class == kind) & (matrix["finding"] == finding)
                row[f"{kind} {finding}"] = matrix.loc[cell, "study"].nunique()
        row["not a test"] = matrix.loc[mine & (matrix["verdict"] == "not a test"), "study"].nunique()
        row["not recomputable"] = matrix.loc[mine & (matrix["finding"] == "not recomputable"),
                                             "study"].nunique()
        row["studies"] = matrix.loc[mine, "study"].nunique()
        rows.append(row)
    return pd.DataFrame(rows)
