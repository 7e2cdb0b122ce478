// pcap_compiler.cpp: libpcap's filter compiler and instruction printer behind RAII handles.
#include "libbpfgen/capture/pcap_compiler.h"

#include <pcap/pcap.h>

#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/detail/libpcap_library.h"
#include "libbpfgen/capture/link_type_names.h"
#include "libbpfgen/capture/pcap_handle.h"
#include "libbpfgen/cbpf/opcode_table.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {

namespace {

// libpcap before 1.8 kept its filter parser's state in globals, and bpf_image() formats
// into a static buffer in every version: calls into either must not overlap. This lock is
// the only shared state here; it holds nothing of ours.
std::mutex& libpcap_lock() {
    static std::mutex lock;
    return lock;
}

// Owns the instructions pcap_compile() allocates; pcap_freecode() accepts an empty program.
class CompiledCode {
  public:
    CompiledCode() = default;
    CompiledCode(const CompiledCode&) = delete;
    CompiledCode& operator=(const CompiledCode&) = delete;
    ~CompiledCode() { libpcap().pcap_freecode(&code_); }  // loaded by the compilation
    bpf_program* get() { return &code_; }

  private:
    bpf_program code_{};
};

// Does the instruction read its k field? (The kernel ignores k where it does not.)
// A code outside the opcode table keeps its k: nothing says what k means there, and the
// checker refuses such a program anyway.
bool uses_k(uint16_t code) {
    const OpcodeInfo* info = find_opcode(code);
    return info == nullptr || info->uses_k();
}

}  // namespace

Program without_unused_fields(const Program& compiled) {
    Program program;
    for (Instruction instruction : compiled) {
        if (!instruction.is_conditional_jump()) instruction.jt = instruction.jf = 0;
        if (!uses_k(instruction.code)) instruction.k = 0;
        program.push_back(instruction);
    }
    return program;
}

namespace {

// pcap_compile() with the lock held; `described` is what the message names as the target.
Program compile_locked(std::string_view expression, pcap_t* handle, const std::string& described) {
    const LibpcapFunctions& pcap = libpcap();  // before `code`, whose destructor calls it
    CompiledCode code;
    const std::string text(expression);
    if (pcap.pcap_compile(handle, code.get(), text.c_str(), 1, 0) != 0) {
        throw Error(fmt::format("cannot compile {} for {}: {}", quote_for_message(expression),
                                described, pcap.pcap_geterr(handle)));
    }
    Program program;
    for (u_int i = 0; i < code.get()->bf_len; ++i) {
        const bpf_insn& insn = code.get()->bf_insns[i];
        program.push_back(Instruction{insn.code, insn.jt, insn.jf, insn.k});
    }
    return program;
}

void refuse_nul(std::string_view expression) {
    if (expression.find('\0') != std::string_view::npos) {
        throw Error(fmt::format("cannot compile {}: it contains a NUL byte",
                                quote_for_message(expression)));
    }
}

}  // namespace

Program compile_pcap_filter(std::string_view expression, int link_type, int snaplen) {
    refuse_nul(expression);
    const std::lock_guard<std::mutex> guard(libpcap_lock());
    // Netmask 0, as tcpdump reading a capture file passes it: `ip broadcast` compiles (to
    // the all-zeros and all-ones addresses), as it did for the original bpftools.
    PcapHandle handle(libpcap().pcap_open_dead(dlt_from_link_type(link_type), snaplen));
    if (!handle) {
        throw Error(fmt::format("cannot compile {}: libpcap cannot open a capture of {}",
                                quote_for_message(expression), link_type_name(link_type)));
    }
    return compile_locked(expression, handle.get(), link_type_name(link_type));
}

Program compile_pcap_filter(std::string_view expression, pcap* handle) {
    refuse_nul(expression);
    const std::lock_guard<std::mutex> guard(libpcap_lock());
    return compile_locked(expression, handle,
                          link_type_name(link_type_from_dlt(libpcap().pcap_datalink(handle))));
}

std::vector<std::string> pcap_listing(const Program& program) {
    std::vector<std::string> lines;
    lines.reserve(program.size());
    const LibpcapFunctions& pcap = libpcap();
    const std::lock_guard<std::mutex> guard(libpcap_lock());
    for (std::size_t i = 0; i < program.size(); ++i) {
        const bpf_insn insn{program[i].code, program[i].jt, program[i].jf, program[i].k};
        lines.emplace_back(pcap.bpf_image(&insn, static_cast<int>(i)));
    }
    return lines;
}

}  // namespace bpfgen
