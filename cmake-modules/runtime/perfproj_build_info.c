/* Build information and run-time allocator detection (see perfproj_build_info.h).
 * The PERFPROJ_BUILD_* strings are compile definitions set by
 * PerfprojBuildInfo.cmake. Valid C and C++. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, RTLD_DEFAULT */
#endif

#include "perfproj_build_info.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef int (*perfproj_mi_version_fn)(void);
typedef int (*perfproj_mallctl_fn)(const char*, void*, size_t*, void*, size_t);
typedef const char* (*perfproj_tc_version_fn)(int*, int*, const char**);

static void* perfproj_symbol(const char* name) { return dlsym(RTLD_DEFAULT, name); }

/* The version string reported by the allocator whose name is in `provider`. */
static void perfproj_allocator_name(const char* provider, char* name, size_t size) {
  const char* base = strrchr(provider, '/') ? strrchr(provider, '/') + 1 : provider;
  /* Sanitizer runtimes replace malloc; Clang links them into the executable. */
  if (strstr(base, "asan") || perfproj_symbol("__asan_init")) {
    snprintf(name, size, "AddressSanitizer allocator");
  } else if (strstr(base, "tsan") || perfproj_symbol("__tsan_init")) {
    snprintf(name, size, "ThreadSanitizer allocator");
  } else if (strstr(base, "msan") || perfproj_symbol("__msan_init")) {
    snprintf(name, size, "MemorySanitizer allocator");
  } else if (strstr(base, "mimalloc")) {
    perfproj_mi_version_fn mi_version = (perfproj_mi_version_fn)perfproj_symbol("mi_version");
    const int v = mi_version ? mi_version() : 0;
    snprintf(name, size, "mimalloc %d.%d.%d", v / 100, (v / 10) % 10, v % 10);
  } else if (strstr(base, "jemalloc")) {
    perfproj_mallctl_fn mallctl = (perfproj_mallctl_fn)perfproj_symbol("mallctl");
    const char* version = "unknown";
    size_t length = sizeof version;
    if (!mallctl || mallctl("version", &version, &length, NULL, 0) != 0) {
      version = "unknown";
    }
    snprintf(name, size, "jemalloc %.*s", (int)strcspn(version, "-"), version);
  } else if (strstr(base, "tcmalloc")) {
    perfproj_tc_version_fn tc_version = (perfproj_tc_version_fn)perfproj_symbol("tc_version");
    snprintf(name, size, "tcmalloc (%s)", tc_version ? tc_version(NULL, NULL, NULL) : "unknown");
  } else if (strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-", 5) == 0) {
    snprintf(name, size, "glibc malloc %s", gnu_get_libc_version());
  } else {
    snprintf(name, size, "unknown allocator");
  }
}

void perfproj_describe_allocator(char* buffer, size_t size) {
  Dl_info info;
  const char* provider = "unknown";
  void* malloc_address = perfproj_symbol("malloc");
  if (malloc_address && dladdr(malloc_address, &info) && info.dli_fname && info.dli_fname[0]) {
    provider = info.dli_fname;
  }
  char self[PATH_MAX];
  if (strcmp(provider, "unknown") != 0 && realpath("/proc/self/exe", self) != NULL) {
    char resolved[PATH_MAX];
    if (realpath(provider, resolved) != NULL && strcmp(resolved, self) == 0) {
      provider = "the executable itself";
    }
  }
  char name[128];
  perfproj_allocator_name(provider, name, sizeof name);
  snprintf(buffer, size, "%s (malloc from %s)", name, provider);
}

const char* perfproj_build_setting(const char* name) {
  static const char* const settings[][2] = {
      {"compiler", PERFPROJ_BUILD_COMPILER},
      {"build_type", PERFPROJ_BUILD_TYPE},
      {"lto", PERFPROJ_BUILD_LTO},
      {"pgo", PERFPROJ_BUILD_PGO},
      {"arch", PERFPROJ_BUILD_ARCH},
      {"sanitizers", PERFPROJ_BUILD_SANITIZERS},
      {"allocator", PERFPROJ_BUILD_ALLOCATOR},
  };
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; ++i) {
    if (strcmp(settings[i][0], name) == 0) {
      return settings[i][1];
    }
  }
  return "";
}

void perfproj_print_build_info(FILE* out) {
  char allocator[PATH_MAX + 128];
  perfproj_describe_allocator(allocator, sizeof allocator);
  fprintf(out,
          "compiler:    %s\n"
          "build type:  %s\n"
          "lto:         %s\n"
          "pgo:         %s\n"
          "arch:        %s\n"
          "sanitizers:  %s\n"
          "allocator:   %s [configured: %s]\n",
          PERFPROJ_BUILD_COMPILER, PERFPROJ_BUILD_TYPE, PERFPROJ_BUILD_LTO, PERFPROJ_BUILD_PGO,
          PERFPROJ_BUILD_ARCH, PERFPROJ_BUILD_SANITIZERS, allocator, PERFPROJ_BUILD_ALLOCATOR);
}
