//! Criterion benches of reductions and matrix products (a module of `bench_main.rs`).
//!
//! `matmul_vs_matrixmultiply` times gemm (single thread) against matrixmultiply (the kernels
//! ndarray uses), on the same matrices.

use criterion::{BenchmarkId, Criterion, Throughput};
use rustgrad::ops::creation::randn;
use rustgrad::ops::matmul::{matmul, mv};
use rustgrad::ops::reduce::sum;
use rustgrad::DType;

pub fn reductions(c: &mut Criterion) {
    let mut group = c.benchmark_group("reduce");
    let a = randn(&[4096, 4096], 0.0, 1.0, DType::F32).expect("alloc");
    group.throughput(Throughput::Elements(4096 * 4096));
    group.bench_function("sum_4096x4096_f32_total", |b| {
        b.iter(|| sum(&a, None, false, None).expect("sum"))
    });
    group.bench_function("sum_4096x4096_f32_dim1", |b| {
        b.iter(|| sum(&a, Some(&[1]), false, None).expect("sum"))
    });
    group.bench_function("sum_4096x4096_f32_dim0", |b| {
        b.iter(|| sum(&a, Some(&[0]), false, None).expect("sum"))
    });
    group.finish();
}

pub fn products(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul");
    group.sample_size(10);
    for &n in &[256usize, 1024, 2048] {
        for dtype in [DType::F32, DType::F64] {
            let a = randn(&[n, n], 0.0, 1.0, dtype).expect("alloc");
            let b = randn(&[n, n], 0.0, 1.0, dtype).expect("alloc");
            group.throughput(Throughput::Elements(2 * (n * n * n) as u64));
            let id = BenchmarkId::new(format!("matmul_{}", dtype.name()), n);
            group.bench_with_input(id, &n, |bench, _| {
                bench.iter(|| matmul(&a, &b).expect("matmul"))
            });
        }
    }
    let a = randn(&[4096, 4096], 0.0, 1.0, DType::F32).expect("alloc");
    let x = randn(&[4096], 0.0, 1.0, DType::F32).expect("alloc");
    group.throughput(Throughput::Elements(2 * 4096 * 4096));
    group.bench_function("mv_4096_f32", |b| b.iter(|| mv(&a, &x).expect("mv")));
    group.finish();
}

/// gemm and matrixmultiply on one thread each, f32 1024x1024 (elements = flops).
pub fn matmul_vs_matrixmultiply(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm_vs_matrixmultiply");
    group.sample_size(10);
    let n = 1024;
    let a: Vec<f32> = (0..n * n).map(|i| ((i * 7) % 13) as f32 - 6.0).collect();
    let b: Vec<f32> = (0..n * n).map(|i| ((i * 5) % 11) as f32 - 5.0).collect();
    let mut out = vec![0f32; n * n];
    group.throughput(Throughput::Elements(2 * (n * n * n) as u64));
    group.bench_function("gemm_1024_f32_1thread", |bench| {
        bench.iter(|| {
            // SAFETY: all three buffers hold n*n row-major elements.
            unsafe {
                gemm::gemm(
                    n,
                    n,
                    n,
                    out.as_mut_ptr(),
                    1,
                    n as isize,
                    false,
                    a.as_ptr(),
                    1,
                    n as isize,
                    b.as_ptr(),
                    1,
                    n as isize,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    gemm::Parallelism::None,
                )
            }
        })
    });
    group.bench_function("matrixmultiply_1024_f32_1thread", |bench| {
        let mut out = vec![0f32; n * n];
        let s = n as isize;
        bench.iter(|| {
            // SAFETY: all three buffers hold n*n row-major elements.
            unsafe {
                matrixmultiply::sgemm(
                    n,
                    n,
                    n,
                    1.0,
                    a.as_ptr(),
                    s,
                    1,
                    b.as_ptr(),
                    s,
                    1,
                    0.0,
                    out.as_mut_ptr(),
                    s,
                    1,
                )
            }
        })
    });
    group.finish();
}
