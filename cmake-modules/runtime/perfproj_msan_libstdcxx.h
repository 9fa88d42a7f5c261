/* Force-included into every C++ file of a MemorySanitizer build that uses
 * libstdc++ (PerfprojSanitizers.cmake). libstdc++ declares its common
 * templates (std::string, the iostreams, locale facets) `extern`, so their
 * code runs from the uninstrumented libstdc++.so, whose writes MSan cannot
 * see: every later read of such memory would be a false report. With extern
 * templates off, that code is instantiated in the program, compiled with
 * MSan like the rest (and msan-libstdcxx.ignorelist keeps libstdc++'s own
 * headers from reporting what its non-template parts still write). */
#include <bits/c++config.h>
#undef _GLIBCXX_EXTERN_TEMPLATE
#define _GLIBCXX_EXTERN_TEMPLATE 0
