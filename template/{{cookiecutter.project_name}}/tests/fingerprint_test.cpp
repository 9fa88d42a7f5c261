#include "{{ cookiecutter.project_name }}/fingerprint.hpp"
#include "{{ cookiecutter.project_name }}/workload.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {{ cookiecutter.namespace }} {
namespace {

// The definition, written as plainly as possible: whichever copy runs
// (x86-64-v3 or baseline, see fingerprint.hpp) must agree with it.
std::uint64_t reference(const std::string& text) {
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    a += byte;
    b += byte * static_cast<std::uint32_t>(text.size() - i);
  }
  return (static_cast<std::uint64_t>(b) << 32U) | a;
}

TEST(Fingerprint, MatchesTheDefinitionForEverySize) {
  const std::string program = generate_program(WorkloadOptions{3, 300});
  for (const std::size_t size : {0U, 1U, 7U, 31U, 32U, 33U, 1000U}) {
    const std::string text = program.substr(0, size);
    EXPECT_EQ(fingerprint(text), reference(text)) << "size " << size;
  }
  EXPECT_EQ(fingerprint(program), reference(program));
}

TEST(Fingerprint, TellsProgramsApart) {
  EXPECT_NE(fingerprint(generate_program(WorkloadOptions{1, 100})),
            fingerprint(generate_program(WorkloadOptions{2, 100})));
  EXPECT_EQ(fingerprint(""), 1U);
}

}  // namespace
}  // namespace {{ cookiecutter.namespace }}
