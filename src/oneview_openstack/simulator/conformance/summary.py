"""A ``/_sim/conformance`` report as lines a person reads at the end of a test run."""

from __future__ import annotations

from typing import Any

REPORT_VIOLATIONS = 20
ERRORS_PER_VIOLATION = 8


def summary_lines(report: dict[str, Any], *, enforce: bool = False) -> list[str]:
    """Counts, then the schema problems, violations and bodies without a schema (all of them
    when enforcing, the first few otherwise)."""
    bodies = ", ".join(f"{name} {n}" for name, n in report["byBody"].items())
    lines = [f"checked {report['checked']} answers; bodies checked: {bodies or 'none'}"]
    cost = report.get("cost")
    if cost:
        costliest = ", ".join(
            f"{name} {seconds} s"
            for name, seconds in list(cost.get("validationSeconds", {}).items())[:5]
        )
        lines.append(
            f"cost: {cost['seconds']} s; {cost['validations']} bodies validated, "
            f"{cost['reused']} verdicts reused"
            + (f" (costliest: {costliest})" if costliest else "")
        )
    problems = report.get("schemaProblems", [])
    if problems:
        lines.append(f"schema files with problems ({len(problems)}):")
        lines.extend(f"  {problem}" for problem in problems)
    violations = report["violations"]
    if violations:
        total = sum(v["count"] for v in violations)
        lines.append(f"violations ({len(violations)} distinct, {total} answers):")
        shown = violations if enforce else violations[:REPORT_VIOLATIONS]
        for violation in shown:
            member = f" member {violation['member']}" if violation.get("member") else ""
            lines.append(
                f"  {violation['method']} {violation['route']} -> {violation['body']} "
                f"@ API {violation['version']}, status {violation['status']}, "
                f"x{violation['count']}{member}:"
            )
            errors = violation["errors"]
            lines.extend(f"      {error}" for error in errors[:ERRORS_PER_VIOLATION])
            if len(errors) > ERRORS_PER_VIOLATION:
                lines.append(f"      ... and {len(errors) - ERRORS_PER_VIOLATION} more")
        if len(shown) < len(violations):
            lines.append(f"  ... and {len(violations) - len(shown)} more (GET /_sim/conformance)")
    if report.get("violationsNotListed"):
        lines.append(f"  ... and {report['violationsNotListed']} answers beyond the list's cap")
    unknown = report["unknown"]
    if unknown:
        lines.append(f"bodies without a schema ({len(unknown)} routes):")
        lines.extend(
            f"  {u['method']} {u['route']} -> schemas/{u['body']}.json (x{u['count']})"
            for u in unknown
        )
    if not (problems or violations or unknown):
        lines.append("every answer conforms")
    return lines
