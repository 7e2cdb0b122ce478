// xdp_deployment.h: compiled XDP rules put to work on an interface, as xdp_bpf does it: the
// program printed, attached through a BPF link pinned in bpffs beside its maps and the rules'
// names, replaced at once by another rule set, its per-rule counters read and formatted, and
// detached leaving nothing behind.
#pragma once

#include <string>
#include <vector>

#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"

namespace bpfgen::ebpf {

// Where xdp_bpf pins when not told otherwise.
inline constexpr const char* kDefaultPinDir = "/sys/fs/bpf/bpftools_xdp";

// How `compile` prints a program: readable eBPF, or one `struct bpf_insn` initialiser a line.
enum class ProgramText { Assembly, CInitializers };

// Every program of the chain, with a "; program I of N" line before each when there are
// several. Map loads carry the map's fd, which the loader gives: 0 in the C initialisers.
std::string format_compiled_xdp(const CompiledXdp& compiled, ProgramText text);

// This process's network namespace: its cookie ("4096", never reused while the system runs),
// or, from a kernel without cookies, its inode ("i4026531840").
std::string network_namespace_id();

// The folder under pin_dir of one interface's pins, named after the interface, its index and
// its network namespace ("eth0:if2:ns4096"; '.', which bpffs refuses, and '%' of the name
// written %2e and %25; ':' is in no interface name). An interface deleted and made again
// under the same name, or one of the same name in another namespace that sees the same pin
// folder, is never taken for this one.
std::string pin_folder(const std::string& pin_dir, const std::string& interface,
                       unsigned interface_index, const std::string& network_namespace);

// The pins in one interface's folder.
struct XdpPins {
    explicit XdpPins(const std::string& pin_folder);
    std::string folder, link, counters, chain, rules;
};

// The interface's index. Throws Error "no interface 'NAME': REASON".
unsigned interface_index(const std::string& interface);

// Loads the rules (named by rule_names, one per rule) and attaches them to the interface in
// `mode`, or, when rules are attached there already, swaps the link's program for the new
// one at once (the mode of the first attach stays). Pins of an earlier interface of the same
// name in this namespace, gone since (its link severed), are removed. Throws Error with one line
// for a refusal of the verifier (load_xdp), of the kernel, or of the pin folder.
void attach_xdp_rules(const CompiledXdp& compiled, const std::vector<std::string>& rule_names,
                      const std::string& interface, unsigned interface_index, XdpMode mode,
                      const std::string& pin_dir);

struct XdpRuleCounters {
    std::string rule;  // as the user gave it
    CounterSlot counters;
};

struct XdpStats {
    std::string interface;
    std::vector<XdpRuleCounters> rules;
    CounterSlot passed;
};

// The counters of the rules attached to the interface, summed over every CPU. Throws Error
// "no interface 'NAME': REASON", or "no XDP rules attached to 'NAME' (no pin at 'PATH')".
XdpStats read_xdp_stats(const std::string& interface, const std::string& pin_dir);

// A table: packets, bytes and the rule, one rule a line, then "(passed)".
std::string format_stats_table(const XdpStats& stats);
// {"interface": ..., "rules": [{"rule": ..., "packets": N, "bytes": N}, ...], "passed": N}
std::string format_stats_json(const XdpStats& stats);

// Removes the link (the program leaves the interface as its last holder goes), the maps' pins
// and their folder, and those of earlier interfaces of the same name in this namespace, gone
// since (also when no interface has the name now). Throws Error when there was nothing to
// remove or a pin cannot be removed.
void detach_xdp_rules(const std::string& interface, const std::string& pin_dir);

}  // namespace bpfgen::ebpf
