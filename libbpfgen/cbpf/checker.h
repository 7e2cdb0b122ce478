// checker.h: the kernel's rules for classic BPF programs (net/core/filter.c:
// bpf_check_classic and friends), so a program is refused here for the same reasons the
// kernel would refuse it at SO_ATTACH_FILTER or by xt_bpf.
#pragma once

#include <optional>
#include <string>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

enum class CheckTarget {
    Socket,  // SO_ATTACH_FILTER / cls_bpf: 1..4096 instructions
    XtBpf,   // iptables -m bpf --bytecode: additionally at most 64 instructions
};

// Throws CheckError for the first violation in the kernel's order of checks: the length
// (index 0 for an empty program, else the first instruction past the limit), then each
// instruction in turn (unknown opcode, division or modulo by constant zero, shift by a
// constant of 32 or more, scratch cell outside M[0]..M[15], jump landing past the end,
// ancillary load of an unknown SKF_AD_* extension), then a last instruction that is not a
// ret, then a scratch cell read before written on every path (with the kernel's own,
// conservative data flow). Rules the kernel applies beyond these are listed in checker.cpp.
void check_kernel_rules(const Program& program, CheckTarget target = CheckTarget::Socket);

// The warning for a program otherwise fine that iptables' bpf match would refuse for its
// length alone: "N instructions; iptables' bpf match (xt_bpf) takes at most 64", or nullopt
// when it fits.
std::optional<std::string> xt_bpf_length_warning(const Program& program);

}  // namespace bpfgen
