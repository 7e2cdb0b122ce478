// bpf_dbg_session.h: the command language of bpf_dbg, the kernel's tools/bpf/bpf_dbg: a
// session holds one program and one capture, runs the program over the capture's packets on
// the library's single-step machine (libbpfgen/cbpf/stepper.h, the kernel's semantics) and
// answers each command line with its output, in the kernel tool's formats, or one error.
// linux_tools/bpf_dbg.cpp reads the lines (terminal or script) and prints the replies.
//
// Commands (as the kernel tool's; differences in README, "bpf_dbg"):
//   load bpf BYTECODE   the "N,code jt jf k,..." form of bpf_asm, bpfgen and tcpdump -ddd
//   load pcap FILE      a pcap or pcapng capture, read whole
//   select N            packet N (from 1) is the next one run or stepped
//   step [N]            N instructions (default 1; negative: back), showing the last one
//   run [N]             N packets (default: to the end), then "bpf passes:P fails:F"
//   breakpoint [N]      a breakpoint before instruction N; alone: the list; reset: none
//   disassemble [N]     the program (or instruction N) in the kernel tool's syntax
//   dump                the program as C initialisers
//   quit
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/cbpf/interpreter.h"

namespace bpf_dbg {

enum class Outcome {
    Done,    // the command did what it says
    Failed,  // it did not (or only in part): Reply::error says why
    Quit,    // the session ends
};

struct Reply {
    Outcome outcome = Outcome::Done;
    std::string output;  // what the command prints, whole lines
    std::string error;   // for Failed: one line, without the tool's name
};

class Session {
  public:
    Session();
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Runs one command line; never throws for a bad command or a failing one.
    Reply execute(std::string_view line);

  private:
    struct StoredPacket {
        std::vector<uint8_t> data;
        uint32_t wire_length = 0;
    };
    struct Execution;

    void load(std::string_view arguments, std::string& out);
    void load_program(std::string_view bytecode);
    void load_capture(std::string_view path);
    void select(std::string_view arguments, std::string& out);
    void step(std::string_view arguments, std::string& out);
    void run(std::string_view arguments, std::string& out);
    void breakpoint(std::string_view arguments, std::string& out);
    void disassemble(std::string_view arguments, std::string& out) const;
    void dump(std::string_view arguments, std::string& out) const;

    const bpfgen::CheckedProgram& program() const;
    void require_capture() const;
    // The execution of the program over the current packet, started when there is none.
    Execution& execution();
    // Forgets the current packet's execution and the counts of an unfinished run.
    void reset_execution();
    // The register and packet dump of the current execution, before its next instruction.
    void show_state(std::string& out) const;
    // After the program ended on the current packet: its verdict, and on to the next packet
    // (or back to the first).
    void finish_packet(std::string& out);

    std::optional<bpfgen::CheckedProgram> program_;
    std::vector<StoredPacket> packets_;
    int link_type_ = 0;
    std::size_t packet_index_ = 0;  // the current packet, from 0
    std::set<std::size_t> breakpoints_;
    std::unique_ptr<Execution> execution_;
    // The counts of a run stopped at a breakpoint, which the next run goes on with.
    uint64_t passes_ = 0;
    uint64_t fails_ = 0;
};

// The kernel tool's disassembly of one instruction: "l3:\tjeq #0x800, l4, l9".
std::string disassemble_line(const bpfgen::Instruction& instruction, std::size_t index);

}  // namespace bpf_dbg
