// Builtin functions shared by the compiler (name lookup) and the VM (calls).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace {{ cookiecutter.namespace }} {

enum class BuiltinId : std::uint8_t { Min, Max, Abs, Mix };

struct Builtin {
  std::string_view name;
  BuiltinId id;
  int arity;
};

inline constexpr std::array<Builtin, 4> builtins{
    Builtin{"min", BuiltinId::Min, 2},
    Builtin{"max", BuiltinId::Max, 2},
    Builtin{"abs", BuiltinId::Abs, 1},
    Builtin{"mix", BuiltinId::Mix, 2},
};

// Index into `builtins`, or -1 when `name` is not a builtin.
inline int find_builtin(std::string_view name) {
  for (std::size_t i = 0; i < builtins.size(); ++i) {
    if (builtins[i].name == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace {{ cookiecutter.namespace }}
