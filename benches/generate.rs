//! The whole in-memory pipeline (parse, validate, plan, render) on
//! synthetic specs of 10 to 100 entities: time should grow linearly with
//! the entity count. `scripts/bench.py` measures the installed binary end to
//! end, peak memory included.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn generate(c: &mut Criterion) {
    let templates = tenantgen::Templates::builtin();
    let mut group = c.benchmark_group("generate");
    for count in [10u64, 25, 50, 100] {
        let path = format!(
            "{}/benches/specs/entities_{count}.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let source = std::fs::read_to_string(&path).expect("run scripts/make-bench-specs.py");
        group.throughput(Throughput::Elements(count));
        group.bench_with_input(BenchmarkId::from_parameter(count), &source, |b, source| {
            b.iter(|| {
                tenantgen::generate("spec.yaml", source, &templates).expect("bench specs are valid")
            });
        });
    }
    group.finish();

    let source = std::fs::read_to_string(format!(
        "{}/benches/specs/entities_50.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("run scripts/make-bench-specs.py");
    c.bench_function("load/50", |b| {
        b.iter(|| tenantgen::load("spec.yaml", &source).expect("valid"))
    });
    // `gen update`'s pipeline: both specs loaded, the migration diff, and
    // the render without the migrations written before; compare with
    // `generate/50`, which renders every migration.
    let edited = source
        .replace(
            "      email:   { type: email, required: true }\n",
            "      email:   { type: email, required: true }\n      website: url\n",
        )
        .replace("max: 120", "max: 200");
    assert_ne!(edited, source);
    c.bench_function("regenerate/50", |b| {
        b.iter(|| {
            tenantgen::regenerate(
                ("spec.yaml", &edited),
                (".gen/spec.yaml", &source),
                &[],
                &templates,
            )
            .expect("bench specs are valid")
        })
    });
    c.bench_function("templates/builtin", |b| {
        b.iter(tenantgen::Templates::builtin)
    });
}

criterion_group!(benches, generate);
criterion_main!(benches);
