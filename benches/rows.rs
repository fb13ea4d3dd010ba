//! Criterion benches of the row kernels and of copies (a module of `bench_main.rs`): softmax,
//! log_softmax and cross-entropy rows (d2l's classifier step), transposed copies, `cat` and
//! boolean-mask selection. Sizes are those of `benches/py_reduce.py` and `py_indexing.py`.

use criterion::{Criterion, Throughput};
use rustgrad::ops::advanced::index;
use rustgrad::ops::creation::{randint, randn};
use rustgrad::ops::elementwise::{binary, Arg, BinaryOp};
use rustgrad::ops::join::cat;
use rustgrad::ops::loss::cross_entropy_rows;
use rustgrad::ops::scan::softmax;
use rustgrad::ops::views::t;
use rustgrad::{DType, Scalar};

pub fn lines(c: &mut Criterion) {
    let mut group = c.benchmark_group("rows");
    let x = randn(&[1024, 1000], 0.0, 1.0, DType::F32).expect("alloc");
    group.throughput(Throughput::Elements(1024 * 1000));
    group.bench_function("softmax_1024x1000_f32", |b| {
        b.iter(|| softmax(&x, 1, None, false).expect("softmax"))
    });
    group.bench_function("log_softmax_1024x1000_f32", |b| {
        b.iter(|| softmax(&x, 1, None, true).expect("log_softmax"))
    });
    group.bench_function("softmax_dim0_1024x1000_f32", |b| {
        b.iter(|| softmax(&x, 0, None, false).expect("softmax"))
    });
    let y = randint(0, 1000, &[1024], DType::I64).expect("alloc");
    group.bench_function("cross_entropy_rows_1024x1000_f32", |b| {
        b.iter(|| cross_entropy_rows(&x, &y, -100).expect("cross_entropy"))
    });
    let small = randn(&[256, 10], 0.0, 1.0, DType::F32).expect("alloc");
    let labels = randint(0, 10, &[256], DType::I64).expect("alloc");
    group.throughput(Throughput::Elements(2560));
    group.bench_function("cross_entropy_rows_256x10_f32", |b| {
        b.iter(|| cross_entropy_rows(&small, &labels, -100).expect("cross_entropy"))
    });
    group.finish();
}

pub fn copies(c: &mut Criterion) {
    let mut group = c.benchmark_group("copies");
    let a = randn(&[1000, 1000], 0.0, 1.0, DType::F32).expect("alloc");
    group.throughput(Throughput::Elements(1000 * 1000));
    let at = t(&a).expect("view");
    group.bench_function("transpose_contiguous_1000_f32", |b| {
        b.iter(|| at.contiguous().expect("copy"))
    });
    group.bench_function("cat_rows_2x1000x1000_f32", |b| {
        b.iter(|| cat(&[a.clone(), a.clone()], 0).expect("cat"))
    });
    let v = randn(&[1_000_000], 0.0, 1.0, DType::F32).expect("alloc");
    let mask = binary(BinaryOp::Gt, Arg::T(&v), Arg::S(Scalar::Float(0.0))).expect("mask");
    group.bench_function("mask_select_1e6_f32", |b| {
        b.iter(|| index(&v, &[Some(mask.clone())]).expect("index"))
    });
    group.finish();
}
