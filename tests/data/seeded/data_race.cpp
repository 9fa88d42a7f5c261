// Seeded bug for the tsan preset: two threads increment a plain int.
#include <thread>

int counter = 0;

int main() {
  auto work = [] {
    for (int i = 0; i < 100000; ++i) {
      ++counter;
    }
  };
  std::thread first(work);
  std::thread second(work);
  first.join();
  second.join();
  return counter > 0 ? 0 : 1;
}
