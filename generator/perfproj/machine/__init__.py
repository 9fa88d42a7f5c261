"""What this machine has: compilers, LLVM tools, CPU level, Debian packages, CMake's view of a build."""
