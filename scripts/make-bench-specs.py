#!/usr/bin/env python3
"""Writes the synthetic specs the benchmarks generate: N entities of ten
fields each (every common type, a unique key, an enum, a reference to the
previous entity, permissions), for N in 10, 25, 50 and 100; and the same
models in JHipster's JDL, which scripts/bench.py --jhipster generates to
compare."""
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


def jdl(count: int) -> str:
    """The model of `spec(count)` in JDL, as near as JDL says it: no JSON
    type (`meta` is a text blob), no field defaults or indexes, no
    `on_delete`, no tenants and no per-role permissions."""
    lines = [
        f"// {count} entities, the model of entities_{count}.yaml; made by scripts/make-bench-specs.py",
        "application {",
        "  config {",
        f"    baseName bench{count}",
        "    applicationType monolith",
        "    packageName com.example.bench",
        "    authenticationType jwt",
        "    databaseType sql",
        "    prodDatabaseType postgresql",
        "    devDatabaseType postgresql",
        "    clientFramework react",
        "    buildTool maven",
        "  }",
        "  entities *",
        "}",
    ]
    for i in range(count):
        name = f"Entity{i:03}"
        lines += [
            f"enum {name}Status {{ DRAFT, ACTIVE, ARCHIVED }}",
            f"entity {name} {{",
            "  name String required maxlength(120)",
            "  code String unique maxlength(32)",
            f"  status {name}Status",
            "  amount BigDecimal min(0)",
            "  count Integer min(0) max(1000000)",
            "  active Boolean",
            "  starts LocalDate",
            "  notes TextBlob",
            "  meta TextBlob",
        ]
        if i == 0:
            lines.append("  email String required")
        lines.append("}")
        if i > 0:
            lines.append(f"relationship ManyToOne {{ {name}{{parent}} to Entity{i - 1:03} }}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    ROOT.mkdir(parents=True, exist_ok=True)
    for count in (10, 25, 50, 100):
        (ROOT / f"entities_{count}.yaml").write_text(spec(count))
        (ROOT / f"entities_{count}.jdl").write_text(jdl(count))
