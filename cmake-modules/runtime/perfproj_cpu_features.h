/* CPU features by CPUID, as the OS lets programs use them: shared by the CPU
 * guard (perfproj_cpu_guard.c) and CPU dispatch (perfproj_dispatch.h).
 * Valid C and C++; x86-64 only (elsewhere nothing here is defined). */
#ifndef PERFPROJ_CPU_FEATURES_H
#define PERFPROJ_CPU_FEATURES_H

#if defined(__x86_64__)

#include <cpuid.h>
#include <string.h>

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

static inline int perfproj_cpu_has(const struct perfproj_cpu_feature* feature) {
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

/* Whether the CPU has every feature of a comma-separated list such as "avx2,fma";
 * `missing` (if given) receives the names it lacks, space-separated. */
static inline int perfproj_cpu_has_all(const char* list, char* missing, size_t missing_size) {
  int all = 1;
  const char* start = list;
  if (missing != NULL && missing_size > 0) {
    missing[0] = '\0';
  }
  while (*start != '\0') {
    const char* end = strchr(start, ',');
    const size_t length = end ? (size_t)(end - start) : strlen(start);
    for (size_t i = 0; i < sizeof perfproj_cpu_features / sizeof perfproj_cpu_features[0]; ++i) {
      const struct perfproj_cpu_feature* feature = &perfproj_cpu_features[i];
      if (strlen(feature->name) == length && strncmp(feature->name, start, length) == 0 &&
          !perfproj_cpu_has(feature)) {
        all = 0;
        if (missing != NULL && missing_size > 0) {
          if (missing[0] != '\0') {
            strncat(missing, " ", missing_size - strlen(missing) - 1);
          }
          strncat(missing, feature->name, missing_size - strlen(missing) - 1);
        }
      }
    }
    start += length + (end ? 1 : 0);
  }
  return all;
}

/* x86-64-v3: AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE (and v2, below them). */
#define PERFPROJ_X86_64_V3_FEATURES \
  "sse3,ssse3,sse4.1,sse4.2,popcnt,cx16,lahf_sahf,avx,avx2,bmi,bmi2,f16c,fma,lzcnt,movbe"

#endif /* __x86_64__ */
#endif /* PERFPROJ_CPU_FEATURES_H */
