// Seeded lint findings: each function breaks one of the performance rules.
#include <cstddef>
#include <string>
#include <vector>

namespace demo {

// performance-unnecessary-value-param: the string is copied to be read.
std::size_t length_of(std::string text) { return text.size(); }

// performance-inefficient-vector-operation: push_back in a loop, no reserve().
std::vector<int> squares(int count) {
  std::vector<int> result;
  for (int i = 0; i < count; ++i) {
    result.push_back(i * i);
  }
  return result;
}

// performance-unnecessary-copy-initialization: a copy of a const reference.
std::size_t first_length(const std::vector<std::string>& names) {
  const std::string first = names.front();
  return first.size();
}

}  // namespace demo
