// Seeded bug for the msan preset: branches on heap memory never written.
// (The pointer goes through a volatile so the optimizer cannot see the
// memory is fresh from malloc and fold the read away.)
#include <cstdio>
#include <cstdlib>

int main() {
  int* volatile value = static_cast<int*>(std::malloc(sizeof(int)));
  if (*value > 0) {
    std::puts("positive");
  }
  std::free(value);
  return 0;
}
