// Fuzz target: any text given to the compiler must give a program or a
// diagnostic, and any program must run to its end or to the step limit,
// without a crash, a memory error or undefined behaviour (the fuzz preset
// builds with AddressSanitizer and UndefinedBehaviorSanitizer).
#include "{{ cookiecutter.project_name }}/compiler.hpp"
#include "{{ cookiecutter.project_name }}/vm.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

namespace {{ cookiecutter.namespace }} {

// C linkage: the name libFuzzer calls, wherever it is declared.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A view of the fuzzer's own buffer, not a copy into a std::string: the buffer
  // is exactly `size` bytes, so reading one byte past the end is caught.
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  const CompileResult result = compile(source);
  if (const auto* program = std::get_if<Program>(&result)) {
    // Bounded: `while 1 { }` is a valid program.
    constexpr std::uint64_t step_limit = 20'000;
    static_cast<void>(run(*program, step_limit));
  }
  return 0;
}

}  // namespace {{ cookiecutter.namespace }}
