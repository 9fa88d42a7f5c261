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

#include "perfproj_cpu_features.h"

#include <stdio.h>
#include <unistd.h>

/* Priority 101 runs before the C++ static initializers of this binary. */
__attribute__((constructor(101))) static void perfproj_cpu_guard(void) {
  char missing[512];
  if (!perfproj_cpu_has_all(PERFPROJ_CPU_FEATURES, missing, sizeof missing)) {
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
