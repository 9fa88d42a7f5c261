/* How this binary was built, and which allocator serves malloc right now.
 * Added to a target with perfproj_build_info(<target>) (PerfprojBuildInfo.cmake). */
#ifndef PERFPROJ_BUILD_INFO_H
#define PERFPROJ_BUILD_INFO_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Prints one "key: value" line per build setting, then the allocator. */
void perfproj_print_build_info(FILE* out);

/* One build setting by name: "compiler", "build_type", "lto", "pgo", "arch",
 * "sanitizers" or "allocator" (the configured one); "" for other names. */
const char* perfproj_build_setting(const char* name);

/* Writes e.g. "mimalloc 2.0.9 (malloc from /usr/lib/.../libmimalloc.so.2)":
 * the allocator is named after the object the dynamic linker resolves malloc
 * to, confirmed by that allocator's own version call. */
void perfproj_describe_allocator(char* buffer, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* PERFPROJ_BUILD_INFO_H */
