// format.h: the numeric text forms of a Program: the xt_bpf/tc bytecode string printed by
// the kernel's bpf_asm (and its parser), bpf_asm -c's C initialisers, and tcpdump -ddd's
// decimal lines. The readable assembly form lives in disassembler.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

enum class Format {
    XtBpf,     // "N,code jt jf k,code jt jf k,...,"  (bpf_asm default, iptables --bytecode)
    C,         // "{ 0x28,  0,  0, 0x0000000c },"   one per line (bpf_asm -c)
    Decimal,   // "N" then "code jt jf k" per line  (tcpdump -ddd)
    Assembly,  // readable bpf_asm syntax that re-assembles to the same program
};

// "xt_bpf" (or "bytecode"), "c", "decimal", "asm" (or "assembly"); nullopt when unknown.
std::optional<Format> parse_format_name(std::string_view name);

// Without a trailing newline.
std::string format_xt_bpf(const Program& program);
// One line per instruction, each ending in a newline.
std::string format_c(const Program& program);
std::string format_decimal(const Program& program);
std::string format_program(const Program& program, Format format);

// Parses the xt_bpf bytecode string ("N,c t f k,...", trailing comma and surrounding white
// space optional). Throws Error naming the first bad field; the count must match.
Program parse_xt_bpf(std::string_view text);

}  // namespace bpfgen
