// loader.cpp: the raw bpf() syscall for maps, program loads, test runs and counters.
#include "libbpfgen/ebpf/loader.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen::ebpf {

namespace {

long bpf(int command, bpf_attr& attributes) {
    return syscall(__NR_bpf, command, &attributes, sizeof(attributes));
}

uint64_t pointer(const void* address) {
    return reinterpret_cast<uintptr_t>(address);
}

// Per-CPU map values come one per possible CPU ("0-3,5" in sysfs: the highest plus one).
std::size_t possible_cpus() {
    std::ifstream in("/sys/devices/system/cpu/possible");
    std::string ranges;
    std::size_t highest = 0;
    if (in >> ranges) {
        for (std::size_t start = 0; start < ranges.size();) {
            std::size_t used = 0;
            const std::string rest = ranges.substr(start);
            const unsigned long first = std::stoul(rest, &used);
            std::size_t last = first;
            start += used;
            if (start < ranges.size() && ranges[start] == '-') {
                last = std::stoul(ranges.substr(start + 1), &used);
                start += used + 1;
            }
            highest = std::max(highest, last);
            if (start < ranges.size() && ranges[start] == ',') ++start;
        }
        return highest + 1;
    }
    const long cpus = sysconf(_SC_NPROCESSORS_CONF);
    return cpus > 0 ? static_cast<std::size_t>(cpus) : 1;
}

// An array map with 32-bit keys; `what` names it in the error ("the counters map (5 slots)").
FileDescriptor create_array_map(bpf_map_type type, uint32_t value_size, std::size_t entries,
                                const char* name, const std::string& what) {
    bpf_attr attributes{};
    attributes.map_type = type;
    attributes.key_size = sizeof(uint32_t);
    attributes.value_size = value_size;
    attributes.max_entries = static_cast<uint32_t>(entries);
    std::strncpy(attributes.map_name, name, sizeof(attributes.map_name) - 1);
    const long fd = bpf(BPF_MAP_CREATE, attributes);
    if (fd < 0) throw Error(fmt::format("cannot create {}: {}", what, std::strerror(errno)));
    return FileDescriptor(static_cast<int>(fd));
}

FileDescriptor create_counters_map(std::size_t slots) {
    return create_array_map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(CounterSlot), slots, "bpftools_count",
                            fmt::format("the counters map ({} slots)", slots));
}

// The verifier's reason: the last line of its log that is not its closing statistics.
std::string verifier_reason(const std::string& log) {
    std::istringstream lines(log);
    std::string line, reason;
    while (std::getline(lines, line)) {
        if (line.empty() || line.starts_with("processed ") ||
            line.starts_with("verification time") || line.starts_with("stack depth") ||
            line.starts_with("-- END PROG LOAD LOG --")) {
            continue;
        }
        reason = line;
    }
    return reason.empty() ? "(no log)" : reason;
}

// The last instruction the log shows the verifier at ("123: (bf) r1 = r2").
std::optional<std::size_t> last_instruction(const std::string& log) {
    static const std::regex instruction_line(R"(^(\d+): \()");
    std::istringstream lines(log);
    std::string line;
    std::optional<std::size_t> last;
    std::smatch match;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, match, instruction_line)) last = std::stoul(match[1].str());
    }
    return last;
}

std::string rule_at(const CompiledXdp& compiled, std::size_t program,
                    const std::vector<std::string>& rule_names, std::optional<std::size_t> slot) {
    if (!slot) return "the program";
    std::optional<std::size_t> rule;
    const std::size_t end = program + 1 < compiled.first_rule.size()
                                ? compiled.first_rule[program + 1]
                                : compiled.rule_count;
    for (std::size_t i = compiled.first_rule[program]; i < end; ++i) {
        if (compiled.programs[program].slot_of_label(CompiledXdp::rule_label(i)) > *slot) break;
        rule = i;
    }
    if (!rule) return "the program's prologue";
    const std::string name = *rule < rule_names.size() ? rule_names[*rule] : std::to_string(*rule);
    return fmt::format("rule {}", quote_for_message(name));
}

FileDescriptor create_chain_map(std::size_t programs) {
    return create_array_map(BPF_MAP_TYPE_PROG_ARRAY, sizeof(uint32_t), programs, "bpftools_chain",
                            fmt::format("the program chain map ({} programs)", programs));
}

void set_chain_entry(const FileDescriptor& chain, uint32_t index, const FileDescriptor& program) {
    const uint32_t fd = static_cast<uint32_t>(program.get());
    bpf_attr attributes{};
    attributes.map_fd = static_cast<uint32_t>(chain.get());
    attributes.key = pointer(&index);
    attributes.value = pointer(&fd);
    attributes.flags = BPF_ANY;
    if (bpf(BPF_MAP_UPDATE_ELEM, attributes) < 0) {
        throw Error(fmt::format("cannot chain XDP program {}: {}", index, std::strerror(errno)));
    }
}

long load_program(const std::vector<RawInstruction>& instructions, const std::string& name,
                  std::string* log) {
    static const char license[] = "GPL";
    bpf_attr attributes{};
    attributes.prog_type = BPF_PROG_TYPE_XDP;
    attributes.insns = pointer(instructions.data());
    attributes.insn_cnt = static_cast<uint32_t>(instructions.size());
    attributes.license = pointer(license);
    std::strncpy(attributes.prog_name, name.c_str(), sizeof(attributes.prog_name) - 1);
    if (log) {
        attributes.log_level = 1;
        attributes.log_buf = pointer(log->data());
        attributes.log_size = static_cast<uint32_t>(log->size());
    }
    return bpf(BPF_PROG_LOAD, attributes);
}

}  // namespace

LoadedXdp load_xdp(const CompiledXdp& compiled, const std::vector<std::string>& rule_names,
                   const std::string& program_name) {
    LoadedXdp loaded;
    loaded.rule_count = compiled.rule_count;
    loaded.counters = create_counters_map(compiled.rule_count + 1);
    loaded.chain = create_chain_map(compiled.programs.size());
    const std::map<std::string, int> maps = {{kCountersMap, loaded.counters.get()},
                                             {kChainMap, loaded.chain.get()}};
    for (std::size_t index = 0; index < compiled.programs.size(); ++index) {
        const std::vector<RawInstruction> instructions = compiled.programs[index].encode(maps);
        long fd = load_program(instructions, program_name, nullptr);
        if (fd < 0 && errno != EPERM) {
            // Again with the log, which only the failing load needs: it slows the verifier.
            const int first_error = errno;
            std::string log(16u << 20, '\0');
            fd = load_program(instructions, program_name, &log);
            if (fd < 0) {
                log.resize(std::strlen(log.c_str()));
                const std::string reason =
                    log.empty() ? std::strerror(first_error) : verifier_reason(log);
                throw Error(fmt::format("the verifier refused {} ({} instructions): {}",
                                        rule_at(compiled, index, rule_names, last_instruction(log)),
                                        instructions.size(), reason));
            }
        }
        if (fd < 0) {
            throw Error(fmt::format("cannot load the XDP program: {}", std::strerror(errno)));
        }
        FileDescriptor program(static_cast<int>(fd));
        set_chain_entry(loaded.chain, static_cast<uint32_t>(index), program);
        if (index == 0) {
            loaded.program = std::move(program);
        } else {
            loaded.chained.push_back(std::move(program));
        }
    }
    return loaded;
}

TimedTestRun timed_test_run(const FileDescriptor& program, std::span<const uint8_t> frame,
                            uint32_t repeat) {
    if (frame.size() < 14) {
        throw Error(
            fmt::format("cannot test-run a {}-byte frame: XDP needs at least the 14 bytes "
                        "of an Ethernet header",
                        frame.size()));
    }
    std::vector<uint8_t> out(frame.size() + 256);
    bpf_attr attributes{};
    attributes.test.prog_fd = static_cast<uint32_t>(program.get());
    attributes.test.data_in = pointer(frame.data());
    attributes.test.data_size_in = static_cast<uint32_t>(frame.size());
    attributes.test.data_out = pointer(out.data());
    attributes.test.data_size_out = static_cast<uint32_t>(out.size());
    attributes.test.repeat = repeat;
    if (bpf(BPF_PROG_TEST_RUN, attributes) < 0) {
        throw Error(fmt::format("BPF_PROG_TEST_RUN of a {}-byte frame failed: {}", frame.size(),
                                std::strerror(errno)));
    }
    return TimedTestRun{static_cast<int>(attributes.test.retval), attributes.test.duration};
}

int test_run(const FileDescriptor& program, std::span<const uint8_t> frame) {
    return timed_test_run(program, frame, 1).action;
}

std::vector<CounterSlot> read_counters(const FileDescriptor& counters, std::size_t slots) {
    const std::size_t cpus = possible_cpus();
    std::vector<CounterSlot> sums(slots);
    std::vector<CounterSlot> per_cpu(cpus);
    for (uint32_t key = 0; key < slots; ++key) {
        bpf_attr attributes{};
        attributes.map_fd = static_cast<uint32_t>(counters.get());
        attributes.key = pointer(&key);
        attributes.value = pointer(per_cpu.data());
        if (bpf(BPF_MAP_LOOKUP_ELEM, attributes) < 0) {
            throw Error(fmt::format("cannot read counter slot {}: {}", key, std::strerror(errno)));
        }
        for (const CounterSlot& cpu : per_cpu) {
            sums[key].packets += cpu.packets;
            sums[key].bytes += cpu.bytes;
        }
    }
    return sums;
}

FileDescriptor attach_xdp_link(const FileDescriptor& program, int interface_index, XdpMode mode,
                               const std::string& interface_name) {
    bpf_attr attributes{};
    attributes.link_create.prog_fd = static_cast<uint32_t>(program.get());
    attributes.link_create.target_ifindex = static_cast<uint32_t>(interface_index);
    attributes.link_create.attach_type = BPF_XDP;
    attributes.link_create.flags = mode == XdpMode::Native    ? 1u << 2  // XDP_FLAGS_DRV_MODE
                                   : mode == XdpMode::Generic ? 1u << 1  // XDP_FLAGS_SKB_MODE
                                                              : 0u;
    const long fd = bpf(BPF_LINK_CREATE, attributes);
    if (fd < 0) {
        throw Error(fmt::format("cannot attach the XDP program to {}{}: {}",
                                quote_for_message(interface_name),
                                mode == XdpMode::Native    ? " in native mode"
                                : mode == XdpMode::Generic ? " in generic mode"
                                                           : "",
                                std::strerror(errno)));
    }
    return FileDescriptor(static_cast<int>(fd));
}

void update_link(const FileDescriptor& link, const FileDescriptor& program) {
    bpf_attr attributes{};
    attributes.link_update.link_fd = static_cast<uint32_t>(link.get());
    attributes.link_update.new_prog_fd = static_cast<uint32_t>(program.get());
    if (bpf(BPF_LINK_UPDATE, attributes) < 0) {
        throw Error(
            fmt::format("cannot replace the attached XDP program: {}", std::strerror(errno)));
    }
}

unsigned xdp_link_interface(const FileDescriptor& link) {
    bpf_link_info info{};
    bpf_attr attributes{};
    attributes.info.bpf_fd = static_cast<uint32_t>(link.get());
    attributes.info.info_len = sizeof(info);
    attributes.info.info = pointer(&info);
    if (bpf(BPF_OBJ_GET_INFO_BY_FD, attributes) < 0) {
        throw Error(fmt::format("cannot read the XDP link's interface: {}", std::strerror(errno)));
    }
    return info.type == BPF_LINK_TYPE_XDP ? info.xdp.ifindex : 0;
}

void pin(const FileDescriptor& object, const std::string& path) {
    bpf_attr attributes{};
    attributes.bpf_fd = static_cast<uint32_t>(object.get());
    attributes.pathname = pointer(path.c_str());
    if (bpf(BPF_OBJ_PIN, attributes) < 0) {
        throw Error(fmt::format("cannot pin a BPF object at {}: {}", quote_for_message(path),
                                std::strerror(errno)));
    }
}

FileDescriptor open_pinned(const std::string& path) {
    bpf_attr attributes{};
    attributes.pathname = pointer(path.c_str());
    const long fd = bpf(BPF_OBJ_GET, attributes);
    if (fd < 0) {
        throw Error(fmt::format("cannot open the BPF object pinned at {}: {}",
                                quote_for_message(path), std::strerror(errno)));
    }
    return FileDescriptor(static_cast<int>(fd));
}

FileDescriptor create_text_map(const std::string& bytes) {
    std::string value = bytes.empty() ? std::string(1, '\0') : bytes;
    bpf_attr attributes{};
    attributes.map_type = BPF_MAP_TYPE_ARRAY;
    attributes.key_size = sizeof(uint32_t);
    attributes.value_size = static_cast<uint32_t>(value.size());
    attributes.max_entries = 1;
    std::strncpy(attributes.map_name, "bpftools_text", sizeof(attributes.map_name) - 1);
    const long fd = bpf(BPF_MAP_CREATE, attributes);
    if (fd < 0) {
        throw Error(fmt::format("cannot create a {}-byte text map: {}", value.size(),
                                std::strerror(errno)));
    }
    FileDescriptor map(static_cast<int>(fd));
    const uint32_t key = 0;
    bpf_attr update{};
    update.map_fd = static_cast<uint32_t>(map.get());
    update.key = pointer(&key);
    update.value = pointer(value.data());
    if (bpf(BPF_MAP_UPDATE_ELEM, update) < 0) {
        throw Error(fmt::format("cannot fill the text map: {}", std::strerror(errno)));
    }
    return map;
}

std::string read_text_map(const FileDescriptor& map) {
    bpf_map_info info{};
    bpf_attr attributes{};
    attributes.info.bpf_fd = static_cast<uint32_t>(map.get());
    attributes.info.info_len = sizeof(info);
    attributes.info.info = pointer(&info);
    if (bpf(BPF_OBJ_GET_INFO_BY_FD, attributes) < 0) {
        throw Error(fmt::format("cannot read the text map's size: {}", std::strerror(errno)));
    }
    std::string value(info.value_size, '\0');
    const uint32_t key = 0;
    bpf_attr lookup{};
    lookup.map_fd = static_cast<uint32_t>(map.get());
    lookup.key = pointer(&key);
    lookup.value = pointer(value.data());
    if (bpf(BPF_MAP_LOOKUP_ELEM, lookup) < 0) {
        throw Error(fmt::format("cannot read the text map: {}", std::strerror(errno)));
    }
    value.resize(std::strlen(value.c_str()));
    return value;
}

bool bpf_available(std::string& reason) {
    try {
        FileDescriptor map = create_counters_map(1);
        return true;
    } catch (const Error& error) {
        reason = error.what();
        return false;
    }
}

}  // namespace bpfgen::ebpf
