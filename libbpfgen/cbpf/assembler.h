// assembler.h: bpf_asm text (the kernel's tools/bpf syntax) -> Program. Accepts exactly
// what the kernel's bpf_asm accepts and gives the same instructions; refuses with an
// AssembleError (line, column, reason) where bpf_asm would fail or print garbage.
#pragma once

#include <string>
#include <string_view>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

Program assemble(std::string_view text);

// The error as compilers print it: "SOURCE:LINE:COLUMN: reason".
std::string located_message(std::string_view source, const AssembleError& error);

// Reads and assembles the file at path. Throws Error naming it: "PATH: cannot open: ...",
// "PATH: cannot read: Is a directory", or "PATH:LINE:COLUMN: reason" for the text.
Program assemble_file(const std::string& path);

}  // namespace bpfgen
