// checker.h: the kernel's rules for classic BPF programs (net/core/filter.c:
// bpf_check_classic and friends), so a program is refused here for the same reasons the
// kernel would refuse it at SO_ATTACH_FILTER or by xt_bpf.
#pragma once

#include "libbpfgen/error.h"
#include "libbpfgen/program.h"

namespace bpfgen {

enum class CheckTarget {
    Socket,  // SO_ATTACH_FILTER / cls_bpf: 1..4096 instructions
    XtBpf,   // iptables -m bpf --bytecode: additionally at most 64 instructions
};

// Throws CheckError (with the offending instruction's index) for the first violation.
void check_kernel_rules(const Program& program, CheckTarget target = CheckTarget::Socket);

}  // namespace bpfgen
