"""Looking at the machine code a build really produced (`perfproj asm`).

  binaries     the ELF executables and shared libraries of a build folder, and
               their function symbols, demangled
  disassembly  one address range disassembled (objdump), each instruction with
               the chain of (inlined) functions and source lines it came from
  locate       which code a name means: a function's own symbols, or, when the
               optimizer inlined it everywhere, its copies inside its callers
  listing      the text a person reads: instructions with source lines between
               them, and two builds side by side
  mca          llvm-mca on the instructions, for the build's CPU level
"""
