// Seeded bug for the ubsan preset: signed int overflow.
#include <climits>

int main(int argc, char**) {
  volatile int big = INT_MAX;
  const int sum = big + argc;  // INT_MAX + 1
  return sum > 0 ? 1 : 0;
}
