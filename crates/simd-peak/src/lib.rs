//! The machine's single-thread wasm SIMD128 multiply-add peak: the GFLOP/s a wasm
//! thread reaches when it does nothing but `f32x4.mul` and `f32x4.add`, against which
//! the browser benchmark (`cargo xtask bench`) reports the GFLOP/s the CNN achieves.
//!
//! Built for `wasm32-unknown-unknown`, the `.wasm` exports two plain functions (no
//! wasm-bindgen, no imports): `peak(iterations) -> f32` and `flops_per_iteration() -> u32`.
//! GFLOP/s = `iterations * flops_per_iteration() / seconds / 1e9`. Call `peak` a few
//! times before timing it, so that V8 has tiered it up to its optimising compiler.
//!
//! On other targets the crate is empty: it is in the workspace so that the wasm build
//! sits next to the code it measures, and host builds (clippy, tests) only compile it.

#[cfg(target_arch = "wasm32")]
mod wasm {
    #[cfg(not(target_feature = "simd128"))]
    compile_error!("simd-peak measures SIMD128: build with `-C target-feature=+simd128` (.cargo/config.toml does)");

    use core::arch::wasm32::{f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat};
    use core::hint::black_box;

    /// Expands to `peak`, with one named accumulator per identifier, and
    /// `flops_per_iteration`. Named locals, not an array: at the release profile's
    /// opt-level "z" LLVM keeps an array of accumulators in linear memory and loops
    /// over it (a load and a store per step), whereas locals stay wasm locals, which
    /// the engine keeps in registers.
    macro_rules! multiply_add {
        ($($acc:ident)+) => {
            const ACCUMULATORS: u32 = [$(stringify!($acc)),+].len() as u32;

            /// Runs `iterations` steps of `acc = acc * m + a` on every accumulator and
            /// returns the sum of their lanes, so that none of the work is dead. The
            /// chains are independent, so the engine can overlap them.
            #[unsafe(no_mangle)]
            pub extern "C" fn peak(iterations: u32) -> f32 {
                // Opaque to LLVM, so that it can neither fold the loop nor merge
                // chains it could prove equal. 0.9999 and 0.0001 converge to 1.0:
                // no overflow, no subnormals (which are slow on x86).
                let m = black_box(f32x4_splat(0.9999));
                let a = black_box(f32x4_splat(0.0001));
                let mut start = 0.0;
                $(start += 1.0; let mut $acc = black_box(f32x4_splat(start));)+
                for _ in 0..iterations {
                    $($acc = f32x4_add(f32x4_mul($acc, m), a);)+
                }
                let sum = f32x4_splat(0.0);
                $(let sum = f32x4_add(sum, $acc);)+
                f32x4_extract_lane::<0>(sum)
                    + f32x4_extract_lane::<1>(sum)
                    + f32x4_extract_lane::<2>(sum)
                    + f32x4_extract_lane::<3>(sum)
            }

            /// The floating-point operations in one iteration of `peak`: a multiply
            /// and an add on each of 4 lanes of each accumulator.
            #[unsafe(no_mangle)]
            pub extern "C" fn flops_per_iteration() -> u32 {
                ACCUMULATORS * 4 * 2
            }
        };
    }

    // Twelve accumulators, measured in Node 20 on an AMD EPYC (best of many runs,
    // GFLOP/s): 1: 5, 4: 20, 8: 40, 10: 48, 12: 58, 13: 59, 14: 28, 16: 32. A chain
    // waits for its multiply then its add (6 cycles on Zen), so two multiply pipes
    // need 12 chains in flight; from 14 on, V8 runs out of x86-64's 16 vector
    // registers and spills, which halves the rate. 13 is as fast as 12 but leaves no
    // register spare.
    multiply_add!(a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11);
}
