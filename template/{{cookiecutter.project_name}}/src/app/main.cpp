// Command-line driver: generates (or reads) a calc program, compiles and runs
// it, and prints the checksum, so that builds can be compared and profiled.
#include "{{ cookiecutter.project_name }}/compiler.hpp"
#include "{{ cookiecutter.project_name }}/fingerprint.hpp"
#include "{{ cookiecutter.project_name }}/vm.hpp"
#include "{{ cookiecutter.project_name }}/workload.hpp"

#include "perfproj_build_info.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

namespace {{ cookiecutter.namespace }}::app {
namespace {

constexpr int exit_usage = 2;

struct Options {
  WorkloadOptions workload;
  int iterations = 20;
  std::string file;
  bool print_program = false;
};

// Program name for messages: the basename of argv[0].
std::string_view program_name = "app";

void print_usage(std::ostream& out) {
  out << "usage: " << program_name
      << " [--statements N] [--seed S] [--iterations R] [--file PATH]\n"
         "       [--print-program] [--build-info] [--help]\n"
         "Generates a calc program (or reads PATH), compiles and runs it R times\n"
         "and prints the checksum of the values it emitted.\n";
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// Returns the options, or an exit code when the program should stop.
std::variant<Options, int> parse_arguments(int argc, char** argv) {
  Options options;
  if (argc > 0) {
    program_name = argv[0];
    program_name = program_name.substr(program_name.find_last_of('/') + 1);
  }
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_usage(std::cout);
      return 0;
    }
    if (arg == "--build-info") {
      perfproj_print_build_info(stdout);  // see cmake/perfproj/PerfprojBuildInfo.cmake
      return 0;
    }
    if (arg == "--print-program") {
      options.print_program = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << program_name << ": unknown option or missing value: " << arg << '\n';
      print_usage(std::cerr);
      return exit_usage;
    }
    const std::string_view value = argv[++i];
    if (arg == "--file") {
      options.file = std::string(value);
      continue;
    }
    const std::optional<std::uint64_t> number = parse_number(value);
    if (!number) {
      std::cerr << program_name << ": " << arg << " needs a non-negative integer, got '" << value
                << "'\n";
      return exit_usage;
    }
    if (arg == "--statements") {
      options.workload.statements = static_cast<std::size_t>(*number);
    } else if (arg == "--seed") {
      options.workload.seed = *number;
    } else if (arg == "--iterations" && *number > 0 && *number < 1000000) {
      options.iterations = static_cast<int>(*number);
    } else {
      std::cerr << program_name << ": unknown option or bad value: " << arg << ' ' << value << '\n';
      return exit_usage;
    }
  }
  return options;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int run_cli(int argc, char** argv) {
  auto parsed = parse_arguments(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) {
    return *code;
  }
  const Options& options = std::get<Options>(parsed);

  std::string source;
  if (options.file.empty()) {
    source = generate_program(options.workload);
  } else if (auto text = read_file(options.file)) {
    source = std::move(*text);
  } else {
    std::cerr << program_name << ": cannot read " << options.file << '\n';
    return 1;
  }
  if (options.print_program) {
    std::cout << source;
    return 0;
  }

  // Compile and run once per iteration: the lexer, parser and VM all count.
  const auto start = std::chrono::steady_clock::now();
  RunResult result;
  for (int i = 0; i < options.iterations; ++i) {
    result = evaluate(source);
    if (!result.ok) {
      std::cerr << program_name << ": " << result.error << '\n';
      return 1;
    }
  }
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;

  std::printf(
      "checksum=%016llx source=%016llx emitted=%llu steps=%llu iterations=%d elapsed_ms=%.1f\n",
      static_cast<unsigned long long>(result.checksum),
      static_cast<unsigned long long>(fingerprint(source)),
      static_cast<unsigned long long>(result.emitted),
      static_cast<unsigned long long>(result.steps), options.iterations, elapsed.count());
  return 0;
}

}  // namespace {{ cookiecutter.namespace }}::app

namespace app = {{ cookiecutter.namespace }}::app;

int main(int argc, char** argv) {
  try {
    return app::run_cli(argc, argv);
  } catch (const std::exception& error) {  // e.g. std::bad_alloc on a huge --statements
    std::fprintf(stderr, "error: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "error: unknown exception\n");
  }
  return 1;
}
