//! Criterion benches of the core kernels: `cargo bench`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rustgrad::ops::creation::randn;
use rustgrad::ops::elementwise::{binary, unary, Arg, BinaryOp, UnaryOp};
use rustgrad::DType;

mod reduce;
mod rows;

fn elementwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("elementwise");
    for &n in &[4usize, 1 << 16, 10_000_000] {
        let a = randn(&[n], 0.0, 1.0, DType::F32).expect("alloc");
        let b = randn(&[n], 0.0, 1.0, DType::F32).expect("alloc");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("add_f32", n), &n, |bench, _| {
            bench.iter(|| binary(BinaryOp::Add, Arg::T(&a), Arg::T(&b)).expect("add"))
        });
        group.bench_with_input(BenchmarkId::new("exp_f32", n), &n, |bench, _| {
            bench.iter(|| unary(UnaryOp::Exp, &a).expect("exp"))
        });
    }
    let col = randn(&[4096, 1], 0.0, 1.0, DType::F32).expect("alloc");
    let row = randn(&[1, 4096], 0.0, 1.0, DType::F32).expect("alloc");
    group.throughput(Throughput::Elements(4096 * 4096));
    group.bench_function("broadcast_add_4096", |bench| {
        bench.iter(|| binary(BinaryOp::Add, Arg::T(&col), Arg::T(&row)).expect("add"))
    });
    group.finish();
}

criterion_group!(
    benches,
    elementwise,
    reduce::reductions,
    reduce::products,
    reduce::matmul_vs_matrixmultiply,
    rows::lines,
    rows::copies
);
criterion_main!(benches);
