/* CPU dispatch for portable builds: one hot function compiled twice, for
 * x86-64-v3 (AVX2, FMA, BMI) and for the baseline, the right copy picked
 * on the first call by what this CPU has (never AVX-512).
 *
 *   #include <perfproj_dispatch.h>
 *
 *   // The kernel: plain code, always inlined into both copies, so each is
 *   // optimized (and vectorized) for its own instruction set.
 *   PERFPROJ_DISPATCH_KERNEL static std::uint64_t sum_kernel(const unsigned char* p,
 *                                                             std::size_t n) {
 *     ...
 *   }
 *   // What callers use: std::uint64_t sum(const unsigned char*, std::size_t).
 *   PERFPROJ_DISPATCH_V3(std::uint64_t, sum, (const unsigned char* p, std::size_t n), (p, n),
 *                        sum_kernel)
 *
 * perfproj_cpu_dispatch(<target>) (PerfprojArch.cmake) makes this header
 * available and sets PERFPROJ_DISPATCH: 1 in builds for a CPU level below
 * x86-64-v3 with PERFPROJ_DISPATCH=ON, 0 otherwise (the build's own -march
 * then applies to the one copy there is). Why not target_clones: Clang 14
 * and 16 never pick its x86-64-v3 clone, while this works with GCC and
 * Clang alike. With PERFPROJ_DISPATCH_REPORT=1 in the environment, the first
 * call of each dispatched function says on stderr which copy it runs.
 * C++ only (the wrapper caches the choice in a function-local static). */
#ifndef PERFPROJ_DISPATCH_H
#define PERFPROJ_DISPATCH_H

#ifndef PERFPROJ_DISPATCH
#define PERFPROJ_DISPATCH 0
#endif

#define PERFPROJ_DISPATCH_KERNEL __attribute__((always_inline)) inline

#if PERFPROJ_DISPATCH && defined(__x86_64__)

#include "perfproj_cpu_features.h"

#include <cstdio>
#include <cstdlib>

namespace perfproj::dispatch {

inline bool x86_64_v3() {
  static const bool has = perfproj_cpu_has_all(PERFPROJ_X86_64_V3_FEATURES, nullptr, 0) != 0;
  return has;
}

inline void report(const char* function, bool v3) {
  const char* wanted = std::getenv("PERFPROJ_DISPATCH_REPORT");
  if (wanted != nullptr && wanted[0] == '1') {
    std::fprintf(stderr, "perfproj dispatch: %s runs its %s copy\n", function,
                 v3 ? "x86-64-v3" : "baseline");
  }
}

}  // namespace perfproj::dispatch

#define PERFPROJ_DISPATCH_V3(ret, name, params, args, kernel)                             \
  __attribute__((target("arch=x86-64-v3"))) static ret name##_perfproj_x86_64_v3 params { \
    return kernel args;                                                                   \
  }                                                                                       \
  static ret name##_perfproj_baseline params { return kernel args; }                      \
  ret name params {                                                                       \
    static ret(*const chosen) params = [] {                                               \
      const bool v3 = ::perfproj::dispatch::x86_64_v3();                                  \
      ::perfproj::dispatch::report(#name, v3);                                            \
      return v3 ? &name##_perfproj_x86_64_v3 : &name##_perfproj_baseline;                 \
    }();                                                                                  \
    return chosen args;                                                                   \
  }

#else

/* One copy, compiled for the build's own CPU level. */
#define PERFPROJ_DISPATCH_V3(ret, name, params, args, kernel) \
  ret name params { return kernel args; }

#endif

#endif /* PERFPROJ_DISPATCH_H */
