#pragma once
/// Deterministic random numbers for the physics engine: SplitMix64 for seeding and xoshiro256++ for streams
/// (Blackman & Vigna, https://prng.di.unimi.it/). std:: distributions are not used because their output
/// differs between standard libraries; these generators give the same sequence for a seed on every platform.

#include <cstdint>

namespace needlework::physics {

/// SplitMix64: expands one seed into well-mixed 64-bit words (used to seed xoshiro and derive sub-streams).
struct SplitMix64 {
  std::uint64_t state;

  constexpr explicit SplitMix64(std::uint64_t seed) noexcept : state(seed) {}

  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

/// xoshiro256++: a small, fast generator with 256 bits of state.
class Xoshiro256pp {
 public:
  constexpr explicit Xoshiro256pp(std::uint64_t seed) noexcept {
    SplitMix64 sm(seed);
    for (auto& w : s_) w = sm.next();
  }

  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 53 random bits.
  constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [lo, hi).
  constexpr double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

  /// Approximately standard normal: the sum of four uniforms, rescaled (Irwin–Hall). Bounded at ±3.46 σ,
  /// which is what a hand tremor model wants (no unbounded tails), and cheap.
  constexpr double normal_approx() noexcept {
    const double s = uniform() + uniform() + uniform() + uniform();
    return (s - 2.0) * 1.7320508075688772;  // sqrt(12 / 4)
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace needlework::physics
