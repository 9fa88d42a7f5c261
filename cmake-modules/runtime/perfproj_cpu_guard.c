/* CPU guard: a binary built for a newer x86-64 level stops with a clear
 * message on a CPU that lacks what it was built for, instead of dying later
 * with SIGILL in the middle of its work.
 *
 * PerfprojArch.cmake compiles this file once, for baseline x86-64 and without
 * LTO, so the check itself never uses the instructions it checks for, and
 * links it into the project's executables and shared libraries. It defines:
 *   PERFPROJ_CPU_TARGET    the build's target, e.g. "x86-64-v3"
 *   PERFPROJ_CPU_FEATURES  the features the compiler may use, e.g. "avx2,bmi2,fma"
 *   PERFPROJ_CPU_EXIT_CODE the exit status when a feature is missing (86)
 * Valid C and C++, so it builds in C-only and C++-only projects alike. */
#if defined(__x86_64__)

#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum perfproj_register { PERFPROJ_EBX, PERFPROJ_ECX, PERFPROJ_EDX };

/* Register state the OS must save for a feature to be usable. */
enum perfproj_state { PERFPROJ_NO_STATE, PERFPROJ_AVX_STATE, PERFPROJ_AVX512_STATE };

struct perfproj_cpu_feature {
  const char* name;
  unsigned leaf;
  enum perfproj_register reg;
  unsigned bit;
  enum perfproj_state state;
};

/* CPUID bits of the features that x86-64-v2..v4 and common -march=native
 * targets enable (Intel SDM vol. 2A, CPUID; leaf 7 is read with subleaf 0). */
static const struct perfproj_cpu_feature perfproj_cpu_features[] = {
    {"sse3", 1, PERFPROJ_ECX, 0, PERFPROJ_NO_STATE},
    {"pclmul", 1, PERFPROJ_ECX, 1, PERFPROJ_NO_STATE},
    {"ssse3", 1, PERFPROJ_ECX, 9, PERFPROJ_NO_STATE},
    {"fma", 1, PERFPROJ_ECX, 12, PERFPROJ_AVX_STATE},
    {"cx16", 1, PERFPROJ_ECX, 13, PERFPROJ_NO_STATE},
    {"sse4.1", 1, PERFPROJ_ECX, 19, PERFPROJ_NO_STATE},
    {"sse4.2", 1, PERFPROJ_ECX, 20, PERFPROJ_NO_STATE},
    {"movbe", 1, PERFPROJ_ECX, 22, PERFPROJ_NO_STATE},
    {"popcnt", 1, PERFPROJ_ECX, 23, PERFPROJ_NO_STATE},
    {"aes", 1, PERFPROJ_ECX, 25, PERFPROJ_NO_STATE},
    {"xsave", 1, PERFPROJ_ECX, 26, PERFPROJ_NO_STATE},
    {"avx", 1, PERFPROJ_ECX, 28, PERFPROJ_AVX_STATE},
    {"f16c", 1, PERFPROJ_ECX, 29, PERFPROJ_AVX_STATE},
    {"rdrnd", 1, PERFPROJ_ECX, 30, PERFPROJ_NO_STATE},
    {"bmi", 7, PERFPROJ_EBX, 3, PERFPROJ_NO_STATE},
    {"avx2", 7, PERFPROJ_EBX, 5, PERFPROJ_AVX_STATE},
    {"bmi2", 7, PERFPROJ_EBX, 8, PERFPROJ_NO_STATE},
    {"avx512f", 7, PERFPROJ_EBX, 16, PERFPROJ_AVX512_STATE},
    {"avx512dq", 7, PERFPROJ_EBX, 17, PERFPROJ_AVX512_STATE},
    {"rdseed", 7, PERFPROJ_EBX, 18, PERFPROJ_NO_STATE},
    {"adx", 7, PERFPROJ_EBX, 19, PERFPROJ_NO_STATE},
    {"avx512cd", 7, PERFPROJ_EBX, 28, PERFPROJ_AVX512_STATE},
    {"sha", 7, PERFPROJ_EBX, 29, PERFPROJ_NO_STATE},
    {"avx512bw", 7, PERFPROJ_EBX, 30, PERFPROJ_AVX512_STATE},
    {"avx512vl", 7, PERFPROJ_EBX, 31, PERFPROJ_AVX512_STATE},
    {"gfni", 7, PERFPROJ_ECX, 8, PERFPROJ_NO_STATE},
    {"vaes", 7, PERFPROJ_ECX, 9, PERFPROJ_AVX_STATE},
    {"vpclmulqdq", 7, PERFPROJ_ECX, 10, PERFPROJ_AVX_STATE},
    {"lahf_sahf", 0x80000001U, PERFPROJ_ECX, 0, PERFPROJ_NO_STATE},
    {"lzcnt", 0x80000001U, PERFPROJ_ECX, 5, PERFPROJ_NO_STATE},
};

static int perfproj_cpu_has(const struct perfproj_cpu_feature* feature) {
  unsigned regs[4] = {0, 0, 0, 0}; /* eax, ebx, ecx, edx */
  if (!__get_cpuid_count(feature->leaf, 0, &regs[0], &regs[1], &regs[2], &regs[3])) {
    return 0;
  }
  if (((regs[feature->reg + 1] >> feature->bit) & 1U) == 0) {
    return 0;
  }
  if (feature->state != PERFPROJ_NO_STATE) {
    /* The OS must save the wider registers: OSXSAVE, then XCR0's bits. */
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || ((c >> 27) & 1U) == 0) {
      return 0;
    }
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    (void)xcr0_high;
    const unsigned needed = feature->state == PERFPROJ_AVX_STATE ? 0x6U : 0xE6U;
    if ((xcr0_low & needed) != needed) {
      return 0;
    }
  }
  return 1;
}

/* Priority 101 runs before the C++ static initializers of this binary. */
__attribute__((constructor(101))) static void perfproj_cpu_guard(void) {
  static const char required[] = PERFPROJ_CPU_FEATURES;
  char missing[512] = "";
  const char* start = required;
  while (*start != '\0') {
    const char* end = strchr(start, ',');
    const size_t length = end ? (size_t)(end - start) : strlen(start);
    for (size_t i = 0; i < sizeof perfproj_cpu_features / sizeof perfproj_cpu_features[0]; ++i) {
      const struct perfproj_cpu_feature* feature = &perfproj_cpu_features[i];
      if (strlen(feature->name) == length && strncmp(feature->name, start, length) == 0 &&
          !perfproj_cpu_has(feature)) {
        if (missing[0] != '\0') {
          strncat(missing, " ", sizeof missing - strlen(missing) - 1);
        }
        strncat(missing, feature->name, sizeof missing - strlen(missing) - 1);
      }
    }
    start += length + (end ? 1 : 0);
  }
  if (missing[0] != '\0') {
    char program[256] = "this program";
    const ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
    if (n > 0) {
      program[n] = '\0';
    }
    fprintf(stderr,
            "%s: built for %s, but this CPU lacks: %s\n"
            "Run a build made for an older CPU (the 'release' preset targets any x86-64).\n",
            program, PERFPROJ_CPU_TARGET, missing);
    fflush(stderr);
    _exit(PERFPROJ_CPU_EXIT_CODE); /* nothing else of this binary may run */
  }
}

#endif /* __x86_64__ */
