// Seeded bug for the msan preset, in the form MemorySanitizer must catch in a
// project's own GoogleTest tests: a branch on a local that one path leaves
// uninitialized. (Optimized at -O1 and above, the compiler may fold the branch
// into a select on an undefined value and MSan sees nothing: hence the msan
// preset's -O0.)
#include <gtest/gtest.h>

namespace {

int scaled(int factor) {
  int value;  // not written when factor <= 0
  if (factor > 0) {
    value = factor * 2;
  }
  return value;
}

}  // namespace

TEST(SeededMsan, BranchOnUninitializedLocal) {
  volatile int factor = 0;
  if (scaled(factor) > 10) {
    ADD_FAILURE() << "only MemorySanitizer can say why this branch is taken";
  }
}
