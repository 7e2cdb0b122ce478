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

// The program run `repeat` times on one frame by BPF_PROG_TEST_RUN (for benchmarks): the
// action and the kernel's mean time per run, in nanoseconds. Throws as test_run does.
struct TimedTestRun {
    int action = 0;
    uint32_t nanoseconds_per_run = 0;
};
TimedTestRun timed_test_run(const FileDescriptor& program, std::span<const uint8_t> frame,
                            uint32_t repeat);

// The counters summed over every CPU, one slot per rule and then the packets passed.
std::vector<CounterSlot> read_counters(const FileDescriptor& counters, std::size_t slots);

// How an XDP program is attached: the driver's hook if it has one (Auto), only the
// driver's (Native), or the kernel's generic hook on the skb (Generic).
enum class XdpMode { Auto, Native, Generic };

// A BPF link attaching `program` to the interface; the program stays attached while the link
// has a file descriptor or a pin. Throws Error naming the interface.
FileDescriptor attach_xdp_link(const FileDescriptor& program, int interface_index, XdpMode mode,
                               const std::string& interface_name);
// Swaps the link's program for another at once: no packet meets no program.
void update_link(const FileDescriptor& link, const FileDescriptor& program);
// The index of the interface an XDP link attaches to: 0 once that interface is gone.
unsigned xdp_link_interface(const FileDescriptor& link);

// bpffs pins: an object kept by a path, and the object a path keeps.
void pin(const FileDescriptor& object, const std::string& path);
FileDescriptor open_pinned(const std::string& path);

// A one-slot array map holding `bytes` (the tool keeps its rules' text beside the counters).
FileDescriptor create_text_map(const std::string& bytes);
std::string read_text_map(const FileDescriptor& map);

// Whether this process may load BPF programs (false with the errno's text in `reason`).
bool bpf_available(std::string& reason);

}  // namespace bpfgen::ebpf
