#!/usr/bin/env python3
"""Writes the synthetic specs the benchmarks generate: N entities of ten
fields each (every common type, a unique key, an enum, a reference to the
previous entity, permissions), for N in 10, 25, 50 and 100."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "benches" / "specs"


def spec(count: int) -> str:
    lines = [
        f"# {count} entities for the generation benchmark; made by scripts/make-bench-specs.py",
        f"app: bench_{count}",
        "isolation: pool",
        "tenant: workspace",
        "roles: [owner, admin, member, viewer]",
        "entities:",
    ]
    for i in range(count):
        lines += [
            f"  entity_{i:03}:",
            "    fields:",
            "      name:    { type: string, required: true, max: 120 }",
            "      code:    { type: string, unique: true, max: 32 }",
            "      status:  { type: enum, values: [draft, active, archived], default: draft, index: true }",
            "      amount:  { type: decimal, min: 0 }",
            "      count:   { type: integer, min: 0, max: 1000000 }",
            "      active:  { type: bool, default: true }",
            "      starts:  date",
            "      notes:   text",
            "      meta:    json",
        ]
        if i > 0:
            lines.append(f"      parent:  {{ type: ref, to: entity_{i - 1:03}, on_delete: cascade }}")
        else:
            lines.append("      email:   { type: email, required: true }")
        lines += [
            "    permissions:",
            "      create: [owner, admin, member]",
            "      delete: [owner, admin]",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    ROOT.mkdir(parents=True, exist_ok=True)
    for count in (10, 25, 50, 100):
        (ROOT / f"entities_{count}.yaml").write_text(spec(count))
