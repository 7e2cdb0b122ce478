// loader.h: eBPF programs and maps into the kernel through the raw bpf() syscall, kept
// apart from the compiler: the counters map, the XDP program (with the verifier's reason,
// and the rule it stopped in, when it refuses), BPF_PROG_TEST_RUN on one frame, and the
// counters read back. Every kernel object is an owned FileDescriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libbpfgen/base/file_descriptor.h"
#include "libbpfgen/ebpf/xdp_compiler.h"

namespace bpfgen::ebpf {

struct LoadedXdp {
    FileDescriptor program;               // the first program of the chain: the one to attach
    std::vector<FileDescriptor> chained;  // the others, which the chain map holds
    FileDescriptor chain;                 // the program array the programs tail-call through
    FileDescriptor counters;              // the per-CPU counters map, rule_count + 1 slots
    std::size_t rule_count = 0;
};

// Creates the counters and chain maps and loads the programs. Throws Error with one line when the
// kernel refuses: for the verifier, "the verifier refused rule 'NAME': REASON" (or "the
// program's prologue" outside any rule); rule_names[i] names rule i.
LoadedXdp load_xdp(const CompiledXdp& compiled, const std::vector<std::string>& rule_names,
                   const std::string& program_name = "bpftools_xdp");

// The XDP action the program returns for one frame (kXdpDrop, kXdpPass...), from the
// kernel's BPF_PROG_TEST_RUN. Throws Error for a frame shorter than 14 bytes (the kernel
// refuses those) and when the syscall fails.
int test_run(const FileDescriptor& program, std::span<const uint8_t> frame);

// The counters summed over every CPU, one slot per rule and then the packets passed.
std::vector<CounterSlot> read_counters(const FileDescriptor& counters, std::size_t slots);

// Whether this process may load BPF programs (false with the errno's text in `reason`).
bool bpf_available(std::string& reason);

}  // namespace bpfgen::ebpf
