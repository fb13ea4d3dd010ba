//! The global random generator that `manual_seed` seeds.
//!
//! Like PyTorch, rustgrad starts from a fixed seed, so a program that never seeds is still
//! reproducible from run to run. The streams differ from PyTorch's.

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

/// PyTorch's default seed (`torch.initial_seed()` of a fresh process).
pub const DEFAULT_SEED: u64 = 67280421310721;

static RNG: Mutex<Option<(u64, Xoshiro256PlusPlus)>> = Mutex::new(None);

/// Runs `f` with the global generator.
pub fn with_rng<R>(f: impl FnOnce(&mut Xoshiro256PlusPlus) -> R) -> R {
    let mut guard = RNG.lock();
    let (_, rng) = guard.get_or_insert_with(|| {
        (
            DEFAULT_SEED,
            Xoshiro256PlusPlus::seed_from_u64(DEFAULT_SEED),
        )
    });
    f(rng)
}

/// Reseeds the global generator.
pub fn manual_seed(seed: u64) {
    *RNG.lock() = Some((seed, Xoshiro256PlusPlus::seed_from_u64(seed)));
}

/// The seed last set (`torch.initial_seed()`).
pub fn initial_seed() -> u64 {
    RNG.lock().as_ref().map_or(DEFAULT_SEED, |(s, _)| *s)
}

/// `n` draws from N(0, 1).
pub fn normal_f64(n: usize) -> Vec<f64> {
    with_rng(|rng| (0..n).map(|_| StandardNormal.sample(rng)).collect())
}

/// `n` draws from U[0, 1).
pub fn uniform_f64(n: usize) -> Vec<f64> {
    with_rng(|rng| (0..n).map(|_| rng.random::<f64>()).collect())
}

/// `n` integers uniform in `low..high` (`high > low`).
pub fn integers(n: usize, low: i64, high: i64) -> Vec<i64> {
    with_rng(|rng| (0..n).map(|_| rng.random_range(low..high)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_makes_draws_repeat() {
        manual_seed(3);
        let a = normal_f64(5);
        manual_seed(3);
        assert_eq!(a, normal_f64(5));
        assert!(integers(100, -2, 3).iter().all(|&v| (-2..3).contains(&v)));
    }
}
