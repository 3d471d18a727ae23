"""The claims register (data/claims.yml): every quantitative statement the review or a chapter
makes about the evidence, with how it is recomputed from the datasets and a tolerance.

Three kinds of claim:

- numeric: a stated value with a relation (``=`` or ``~`` within a relative tolerance, ``>``,
  ``<``, ``>=``, ``<=``); ``recompute.inputs`` name exactly one dataset row each and
  ``recompute.expression`` combines them arithmetically;
- direction: ``stated.relation: direction`` with a direction of effect as value;
  ``recompute.evidence`` names one row of the evidence table, whose direction is compared;
- not recomputable: ``recompute.unavailable`` says why (e.g. the numbers are not public).

The status is "consistent", "contradicted" or "not recomputable"; a contradicted claim stays in
the register and is shown as such.
"""
from __future__ import annotations

import ast
import operator
from pathlib import Path

import pandas as pd
import yaml

from reviewkit import paths
from reviewkit.data import bib_keys, load

CLAIMS_PATH = paths.DATA_DIR / "claims.yml"
REQUIRED = ("id", "chapter", "claim", "source", "locator", "url", "stated", "recompute",
            "expected_status")
RELATIONS = ("=", "~", ">", "<", ">=", "<=", "direction")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv}


class ClaimError(ValueError):
    """A claim that cannot be recomputed: the message names the claim and the reason."""


def load_claims(path: Path = CLAIMS_PATH, bib_path: Path = paths.BIB_PATH) -> list[dict]:
    claims = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    keys = bib_keys(bib_path)
    seen = set()
    for claim in claims:
        ident = claim.get("id", "<no id>")
        missing = [name for name in REQUIRED if name not in claim]
        if missing:
            raise ClaimError(f"{path}: claim {ident}: missing {', '.join(missing)}")
        if ident in seen:
            raise ClaimError(f"{path}: claim {ident}: duplicate id")
        seen.add(ident)
        if claim["source"] not in keys:
            raise ClaimError(f"{path}: claim {ident}: source {claim['source']!r} not in references.bib")
        relation = claim["stated"].get("relation")
        if relation not in RELATIONS:
            raise ClaimError(f"{path}: claim {ident}: relation {relation!r} not one of {RELATIONS}")
        if claim["expected_status"] not in ("consistent", "contradicted", "not recomputable"):
            raise ClaimError(f"{path}: claim {ident}: unknown expected_status")
        if relation in ("=", "~") and "tolerance" not in claim["stated"]:
            raise ClaimError(f"{path}: claim {ident}: relation {relation!r} needs a tolerance")
    return claims


def select_value(spec: dict, claim_id: str, datasets: dict[str, pd.DataFrame]) -> float:
    """The one dataset row matching every column named in ``spec`` (besides 'dataset')."""
    name = spec["dataset"]
    if name not in datasets:
        datasets[name] = load(name)
    frame = datasets[name]
    mask = pd.Series(True, index=frame.index)
    for column, wanted in spec.items():
        if column == "dataset":
            continue
        if column not in frame.columns:
            raise ClaimError(f"claim {claim_id}: dataset {name} has no column {column!r}")
        mask &= frame[column].astype("string") == str(wanted)
    matches = frame[mask]
    if len(matches) != 1:
        raise ClaimError(f"claim {claim_id}: {len(matches)} rows of {name} match {spec}; need 1")
    return float(matches["value"].iloc[0])


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
        raise ClaimError(f"expression {expression!r}: {ast.dump(node)} is not allowed")
    return walk(ast.parse(expression, mode="eval"))


def status(relation: str, stated: float, recomputed: float, tolerance: float = 0.0) -> str:
    if relation in ("=", "~"):
        holds = abs(recomputed - stated) <= tolerance * abs(stated)
    else:
        holds = {">": recomputed > stated, "<": recomputed < stated,
                 ">=": recomputed >= stated, "<=": recomputed <= stated}[relation]
    return "consistent" if holds else "contradicted"


def select_direction(spec: dict, claim_id: str, datasets: dict[str, pd.DataFrame]) -> str:
    """The direction of the one evidence row matching ``spec`` (source_key, outcome)."""
    if "evidence" not in datasets:
        datasets["evidence"] = load("evidence")
    evidence = datasets["evidence"]
    mask = pd.Series(True, index=evidence.index)
    for column, wanted in spec.items():
        mask &= evidence[column].astype("string") == str(wanted)
    matches = evidence[mask]
    if len(matches) != 1:
        raise ClaimError(f"claim {claim_id}: {len(matches)} evidence rows match {spec}; need 1")
    return str(matches["direction"].iloc[0])


def _recompute(claim: dict, datasets: dict[str, pd.DataFrame]) -> tuple[str, str, str]:
    """(recomputed, how, status) for one claim."""
    recipe, stated = claim["recompute"], claim["stated"]
    if "unavailable" in recipe:
        return "—", recipe["unavailable"], "not recomputable"
    if stated["relation"] == "direction":
        found = select_direction(recipe["evidence"], claim["id"], datasets)
        how = f"evidence table: {recipe['evidence']['source_key']}, {recipe['evidence']['outcome']}"
        return found, how, "consistent" if found == stated["value"] else "contradicted"
    values = {name: select_value(spec, claim["id"], datasets)
              for name, spec in recipe["inputs"].items()}
    recomputed = evaluate(recipe["expression"], values)
    how = recipe["expression"] + " from " + ", ".join(
        f"{name} = {values[name]:g}" for name in recipe["inputs"])
    verdict = status(stated["relation"], float(stated["value"]), recomputed,
                     float(stated.get("tolerance", 0.0)))
    return f"{recomputed:.3g}", how, verdict


def _stated_text(stated: dict) -> str:
    if stated["relation"] == "direction":
        return str(stated["value"])
    text = f"{stated['relation']} {stated['value']:g}".replace("= ", "")
    return text + (f" (±{stated['tolerance']:.0%})" if stated.get("tolerance") else "")


def check_claim(claim: dict, datasets: dict[str, pd.DataFrame] | None = None) -> dict:
    datasets = {} if datasets is None else datasets
    recomputed, how, verdict = _recompute(claim, datasets)
    return {
        "id": claim["id"],
        "chapter": claim["chapter"],
        "claim": claim["claim"],
        "source": claim["source"],
        "stated": _stated_text(claim["stated"]),
        "recomputed": recomputed,
        "how": how,
        "status": verdict,
        "expected_status": claim["expected_status"],
        "locator": claim["locator"],
        "url": claim["url"],
    }


def check_all(path: Path = CLAIMS_PATH) -> pd.DataFrame:
    datasets: dict[str, pd.DataFrame] = {}
    return pd.DataFrame([check_claim(claim, datasets) for claim in load_claims(path)])


def check_table(chapter: str, path: Path = CLAIMS_PATH) -> pd.DataFrame:
    """The "claims check" table a chapter shows: claim, stated, recomputed, status."""
    from reviewkit.tables import link

    datasets: dict[str, pd.DataFrame] = {}
    # Only this chapter's claims: recomputing the others would make the chapter read (and so
    # re-execute on edits of) datasets it does not discuss.
    results = pd.DataFrame([check_claim(claim, datasets) for claim in load_claims(path)
                            if claim["chapter"] == chapter])
    return pd.DataFrame({
        "claim": results["claim"],
        "source": [link(url, f"{key}, {loc}") for key, loc, url in
                   zip(results["source"], results["locator"], results["url"])],
        "stated": results["stated"],
        "recomputed": results["recomputed"],
        "how": results["how"],
        "status": results["status"],
    }).reset_index(drop=True)


def problems(path: Path = CLAIMS_PATH, bib_path: Path = paths.BIB_PATH) -> list[str]:
    """Every problem of the claims register as ``file:line: message`` (empty when sound)."""
    from reviewkit.data import resources
    from reviewkit.textfiles import InputError, label, line_of, read_yaml

    path = Path(path)
    try:
        parsed, text = read_yaml(path)
        claims = load_claims(path, bib_path)
        known = {r.name for r in resources(path.parent / "datapackage.json")}
    except ClaimError as error:
        ident = str(error).split("claim ", 1)[-1].split(":", 1)[0]
        line = line_of(read_yaml(path)[1], f"id: {ident}")
        return [f"{label(path)}:{line}: {str(error).split(': ', 1)[-1]}"]
    except InputError as error:
        return error.problems
    found = []
    for claim in claims:
        for name, spec in (claim["recompute"].get("inputs") or {}).items():
            if spec.get("dataset") not in known:
                line = line_of(text, f"dataset: {spec.get('dataset')}",
                               line_of(text, f"id: {claim['id']}"))
                found.append(f"{label(path)}:{line}: claim {claim['id']}: input {name} names "
                             f"unknown dataset {spec.get('dataset')!r}")
    return found
