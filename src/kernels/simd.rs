//! Run-time choice of vector instructions for hot loops.
//!
//! The crate is built for baseline x86-64 (SSE2) so that one wheel runs everywhere. [`best`]
//! runs a closure inside a function compiled for AVX-512 (or AVX2 and FMA) when the CPU has
//! it. The closure must be marked `#[inline(always)]` (`best(#[inline(always)] || loop_fn(..))`)
//! and call `#[inline(always)]` loops: then its whole body is inlined into that function and
//! compiled for those instructions (without the attribute LLVM calls the closure, compiled for
//! SSE2).

/// Runs `f` compiled for the widest vector instructions the CPU has (`f` must be
/// `#[inline(always)]`, see the module documentation).
#[inline(always)]
pub fn best<R>(f: impl FnOnce() -> R) -> R {
    best_fma(
        #[inline(always)]
        |_| f(),
    )
}

/// [`best`] for kernels that use fused multiply-add where the CPU has it: `f` is told whether
/// it does (a constant in each compiled copy once inlined), as [`crate::kernels::exp`] takes it.
/// AVX-512 is chosen first, else AVX2 with FMA, else the baseline build.
#[inline(always)]
pub fn best_fma<R>(f: impl FnOnce(bool) -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (and FMA, which every AVX-512 CPU has).
            return unsafe {
                with_avx512(
                    #[inline(always)]
                    || f(true),
                )
            };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA.
            return unsafe {
                with_avx2(
                    #[inline(always)]
                    || f(true),
                )
            };
        }
    }
    f(false)
}

/// # Safety
/// The CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
pub(crate) unsafe fn with_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
