// bpf_dbg_session.cpp: the commands of bpf_dbg over one session's program and capture,
// printing in the kernel tool's formats.
#include "command_line/bpf_dbg_session.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/capture/pcap_io.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/opcode_table.h"
#include "libbpfgen/cbpf/stepper.h"

namespace bpf_dbg {

using bpfgen::Error;

// The program running over the current packet. The context is read by the stepper, so the
// two live together, at a stable address.
struct Session::Execution {
    Execution(const bpfgen::CheckedProgram& program, int link_type,
              const StoredPacket& stored_packet)
        : packet(stored_packet),
          context(bpfgen::link_layer_context(link_type, packet.data)),
          stepper(program, packet.data, context, packet.wire_length) {}

    const StoredPacket& packet;
    const bpfgen::SkbContext context;
    bpfgen::Stepper stepper;
};

namespace {

// printf's "%#x" (zero without a prefix), and "%#0Nx" (the prefix counts in the width).
std::string c_hex(uint32_t value, int width = 0) {
    if (value == 0) return std::string(static_cast<std::size_t>(std::max(width, 1)), '0');
    return fmt::format("{:#0{}x}", value, width);
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// The first word of `text` and what follows it, trimmed.
std::pair<std::string_view, std::string_view> split_word(std::string_view text) {
    text = trim(text);
    std::size_t end = 0;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    return {text.substr(0, end), trim(text.substr(end))};
}

// The kernel tool's abbreviations: "load b" is "load bpf", "breakpoint r" is "reset".
bool abbreviates(std::string_view word, std::string_view name) {
    return !word.empty() && name.starts_with(word);
}

// A whole decimal number (an optional sign, as strtol reads it), or an error naming the
// command and the argument.
int64_t parse_number(std::string_view command, std::string_view text) {
    std::string_view digits = text;
    if (digits.starts_with('+')) digits.remove_prefix(1);
    int64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
        (text.starts_with('+') && digits.starts_with('-'))) {
        throw Error(
            fmt::format("{}: {} is not a number", command, bpfgen::quote_for_message(text)));
    }
    return value;
}

// The operand as the kernel tool writes it, from the opcode table's operand form.
std::string operand_text(const bpfgen::OpcodeInfo& info, const bpfgen::Instruction& insn,
                         std::size_t index) {
    using bpfgen::OperandForm;
    const auto signed_k = static_cast<int32_t>(insn.k);
    switch (info.operand) {
        case OperandForm::None:
            return "";
        case OperandForm::Immediate:
            // Arithmetic takes a signed decimal; loads, returns and bit operations hex.
            if (info.cls() == bpfgen::op::kAlu) {
                switch (bpfgen::op::alu_op(info.code)) {
                    case bpfgen::op::kAnd:
                    case bpfgen::op::kOr:
                    case bpfgen::op::kXor:
                        break;
                    default:
                        return fmt::format("#{}", signed_k);
                }
            }
            return "#" + c_hex(insn.k);
        case OperandForm::PacketLength:
            return "#len";
        case OperandForm::Absolute:
            return fmt::format("[{}]", signed_k);
        case OperandForm::Indexed:
            return fmt::format("[x+{}]", signed_k);
        case OperandForm::Memory:
            return fmt::format("M[{}]", signed_k);
        case OperandForm::HeaderLength:
            return fmt::format("4*([{}]&0xf)", signed_k);
        case OperandForm::X:
        case OperandForm::ConditionalX:
            return "x";
        case OperandForm::A:
            return "a";
        case OperandForm::JumpOffset:
            return fmt::format("{}", static_cast<int64_t>(index) + 1 + insn.k);
        case OperandForm::ConditionalK:
            return "#" + c_hex(insn.k);
    }
    return "";
}

void hex_dump(std::span<const uint8_t> bytes, std::string& out) {
    fmt::format_to(std::back_inserter(out), "{:3}: ", 0);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i != 0 && i % 16 == 0) fmt::format_to(std::back_inserter(out), "\n{:3}: ", i);
        fmt::format_to(std::back_inserter(out), "{:02x} ", bytes[i]);
    }
    out += '\n';
}

// "[0x000800][2048]": a register's value in hex and decimal.
std::string register_text(uint32_t value) {
    return fmt::format("[{}][{}]", c_hex(value, 8), value);
}

constexpr std::string_view kNoProgram = "no program loaded (load bpf BYTECODE)";
constexpr std::string_view kNoCapture = "no capture loaded (load pcap FILE)";

}  // namespace

std::string disassemble_line(const bpfgen::Instruction& insn, std::size_t index) {
    const bpfgen::OpcodeInfo* info = bpfgen::find_opcode(insn.code);
    if (info == nullptr) return fmt::format("l{}:\tnosup {}", index, c_hex(insn.code));
    std::string line =
        fmt::format("l{}:\t{} {}", index, info->mnemonic, operand_text(*info, insn, index));
    if (info->uses_jt_jf()) {
        fmt::format_to(std::back_inserter(line), ", l{}, l{}", index + 1 + insn.jt,
                       index + 1 + insn.jf);
    }
    return line;
}

Session::Session() = default;
Session::~Session() = default;

Reply Session::execute(std::string_view line) {
    Reply reply;
    const auto [command, arguments] = split_word(line);
    try {
        if (command.empty()) {
        } else if (command == "load") {
            load(arguments, reply.output);
        } else if (command == "select") {
            select(arguments, reply.output);
        } else if (command == "step") {
            step(arguments, reply.output);
        } else if (command == "run") {
            run(arguments, reply.output);
        } else if (command == "breakpoint") {
            breakpoint(arguments, reply.output);
        } else if (command == "disassemble") {
            disassemble(arguments, reply.output);
        } else if (command == "dump") {
            dump(arguments, reply.output);
        } else if (command == "quit") {
            reply.outcome = Outcome::Quit;
        } else if (command == "help") {
            reply.output =
                "load bpf BYTECODE | load pcap FILE | select N | step [N] | run [N] |\n"
                "breakpoint [N | reset] | disassemble [N] | dump | quit\n";
        } else {
            throw Error(fmt::format("unknown command {} (help lists them)",
                                    bpfgen::quote_for_message(command)));
        }
    } catch (const Error& error) {
        reply.outcome = Outcome::Failed;
        reply.error = error.what();
    }
    return reply;
}

const bpfgen::CheckedProgram& Session::program() const {
    if (!program_) throw Error(std::string(kNoProgram));
    return *program_;
}

void Session::require_capture() const {
    if (packets_.empty()) throw Error(std::string(kNoCapture));
}

Session::Execution& Session::execution() {
    if (!execution_) {
        execution_ = std::make_unique<Execution>(program(), link_type_, packets_[packet_index_]);
    }
    return *execution_;
}

void Session::reset_execution() {
    execution_.reset();
    passes_ = 0;
    fails_ = 0;
}

// --- load ------------------------------------------------------------------------------

void Session::load(std::string_view arguments, std::string&) {
    const auto [what, rest] = split_word(arguments);
    if (abbreviates(what, "bpf")) {
        load_program(rest);
    } else if (abbreviates(what, "pcap")) {
        load_capture(rest);
    } else {
        throw Error("load: expected 'load bpf BYTECODE' or 'load pcap FILE'");
    }
}

void Session::load_program(std::string_view bytecode) {
    // As the kernel tool: the old program and its breakpoints are gone even if the new one
    // is refused.
    program_.reset();
    breakpoints_.clear();
    reset_execution();
    if (bytecode.empty()) throw Error("load bpf: no bytecode given (N,code jt jf k,...)");
    try {
        program_.emplace(bpfgen::parse_xt_bpf(bytecode), bpfgen::CheckTarget::Socket,
                         bpfgen::Engine::Interpreter);
    } catch (const bpfgen::CheckError& error) {
        throw Error(
            fmt::format("load bpf: the kernel would refuse this program: {}", error.what()));
    } catch (const Error& error) {
        throw Error(fmt::format("load bpf: {}", error.what()));
    }
}

void Session::load_capture(std::string_view path) {
    if (path.empty()) throw Error("load pcap: no file given");
    // As the kernel tool: the old capture is gone even if the new one cannot be read.
    reset_execution();
    packets_.clear();
    packet_index_ = 0;
    bpfgen::PcapReader reader{std::string(path)};
    std::vector<StoredPacket> packets;
    std::optional<Error> truncated;
    try {
        while (const std::optional<bpfgen::PcapPacket> packet = reader.next()) {
            packets.push_back({{packet->data.begin(), packet->data.end()}, packet->wire_length});
        }
    } catch (const bpfgen::TruncatedCapture& error) {
        // The whole packets before the cut are worth debugging on; the command still fails.
        truncated = error;
    }
    if (packets.empty()) {
        throw Error(truncated ? truncated->what()
                              : fmt::format("{}: the capture holds no packets", reader.name()));
    }
    packets_ = std::move(packets);
    link_type_ = reader.link_type();
    if (truncated) {
        throw Error(fmt::format("{} (the {} whole packets before it are loaded)", truncated->what(),
                                packets_.size()));
    }
}

// --- select, step, run -------------------------------------------------------------------

void Session::select(std::string_view arguments, std::string& out) {
    require_capture();
    if (arguments.empty()) throw Error("select: which packet? (select N, from 1)");
    int64_t which = parse_number("select", arguments);
    if (which < 0) throw Error("select: packets are counted from 1");
    if (which == 0) {
        out += "(packets are counted from 1: selecting packet 1)\n";
        which = 1;
    }
    if (static_cast<uint64_t>(which) > packets_.size()) {
        throw Error(
            fmt::format("select: no packet {}: the capture holds {}", which, packets_.size()));
    }
    packet_index_ = static_cast<std::size_t>(which - 1);
    reset_execution();
}

void Session::show_state(std::string& out) const {
    const bpfgen::MachineState& state = execution_->stepper.state();
    const bpfgen::Program& code = program_->program();
    const bpfgen::Instruction& insn = code[state.pc];
    out += "-- register dump --\n";
    fmt::format_to(std::back_inserter(out), "pc:       [{}]\n", state.pc);
    fmt::format_to(std::back_inserter(out), "code:     [{}] jt[{}] jf[{}] k[{}]\n", insn.code,
                   insn.jt, insn.jf, insn.k);
    out += "curr:     " + disassemble_line(insn, state.pc) + "\n";
    if (insn.is_conditional_jump() && (insn.jt != 0 || insn.jf != 0)) {
        const std::size_t taken = state.pc + 1 + insn.jt;
        const std::size_t not_taken = state.pc + 1 + insn.jf;
        out += "jt:       " + disassemble_line(code[taken], taken) + "\n";
        out += "jf:       " + disassemble_line(code[not_taken], not_taken) + "\n";
    }
    out += "A:        " + register_text(state.a) + "\n";
    out += "X:        " + register_text(state.x) + "\n";
    bool any = false;
    for (std::size_t i = 0; i < state.memory.size(); ++i) {
        if (state.memory[i] == 0) continue;
        any = true;
        fmt::format_to(std::back_inserter(out), "M[{}]: {}\n", i, register_text(state.memory[i]));
    }
    if (!any) {
        fmt::format_to(std::back_inserter(out), "M[0,{}]:  {}\n", state.memory.size() - 1,
                       register_text(0));
    }
    const StoredPacket& packet = execution_->packet;
    out += "-- packet dump --\n";
    if (packet.data.size() != packet.wire_length) {
        fmt::format_to(std::back_inserter(out), "cap: {}, len: {}\n", packet.data.size(),
                       packet.wire_length);
    } else {
        fmt::format_to(std::back_inserter(out), "len: {}\n", packet.wire_length);
    }
    hex_dump(packet.data, out);
}

void Session::finish_packet(std::string& out) {
    const uint32_t verdict = *execution_->stepper.verdict();
    out += "ret:      " + register_text(verdict) + "\n";
    execution_.reset();
    if (packet_index_ + 1 < packets_.size()) {
        ++packet_index_;
        fmt::format_to(std::back_inserter(out), "(next: packet {} of {})\n", packet_index_ + 1,
                       packets_.size());
    } else {
        packet_index_ = 0;
        fmt::format_to(std::back_inserter(out), "(next: back to packet 1 of {})\n",
                       packets_.size());
    }
}

void Session::step(std::string_view arguments, std::string& out) {
    program();
    require_capture();
    int64_t steps = arguments.empty() ? 1 : parse_number("step", arguments);
    if (steps == 0) steps = 1;
    if (steps < 0) {
        // Back: the packet is replayed from its start up to the instruction `back` before
        // the last one shown, which is shown (and executed) again.
        const uint64_t executed = execution_ ? execution_->stepper.instructions() : 0;
        const uint64_t back = 0 - static_cast<uint64_t>(steps);
        if (back >= executed) {
            throw Error(
                fmt::format("step: cannot go back {}: {} instruction{} ran before the "
                            "last one shown on this packet",
                            back, executed == 0 ? 0 : executed - 1, executed == 2 ? "" : "s"));
        }
        execution_.reset();
        bpfgen::Stepper& replay = execution().stepper;
        for (uint64_t i = 0; i + 1 < executed - back; ++i) replay.step();
        steps = 1;
    }
    bpfgen::Stepper& stepper = execution().stepper;
    for (int64_t i = 1; i <= steps && !stepper.finished(); ++i) {
        if (i == steps) show_state(out);
        stepper.step();
    }
    if (stepper.finished()) finish_packet(out);
}

void Session::run(std::string_view arguments, std::string& out) {
    program();
    require_capture();
    const int64_t limit = arguments.empty() ? 0 : parse_number("run", arguments);
    if (limit < 0) throw Error("run: the number of packets cannot be negative");
    uint64_t ran = 0;
    for (;;) {
        bpfgen::Stepper& stepper = execution().stepper;
        while (!stepper.finished()) {
            if (breakpoints_.contains(stepper.state().pc)) {
                // As the kernel tool: the instruction is shown, executed, and the run stops
                // after it; the next run goes on from there with the counts so far.
                show_state(out);
                out += "(breakpoint)\n";
                stepper.step();
                return;
            }
            stepper.step();
        }
        ++(*stepper.verdict() != 0 ? passes_ : fails_);
        execution_.reset();
        ++ran;
        if (packet_index_ + 1 >= packets_.size() || (limit != 0 && ran >= uint64_t(limit))) break;
        ++packet_index_;
    }
    fmt::format_to(std::back_inserter(out), "bpf passes:{} fails:{}\n", passes_, fails_);
    // As the kernel tool: the next run starts again from the first packet.
    packet_index_ = 0;
    reset_execution();
}

// --- breakpoint, disassemble, dump -------------------------------------------------------

void Session::breakpoint(std::string_view arguments, std::string& out) {
    const bpfgen::Program& code = program().program();
    if (arguments.empty()) {
        out += "breakpoints: ";
        for (const std::size_t where : breakpoints_)
            fmt::format_to(std::back_inserter(out), "{} ", where);
        out += '\n';
        return;
    }
    if (abbreviates(arguments, "reset")) {
        breakpoints_.clear();
        return;
    }
    const int64_t where = parse_number("breakpoint", arguments);
    if (where < 0 || static_cast<uint64_t>(where) >= code.size()) {
        throw Error(fmt::format("breakpoint: no instruction {}: the program has {} (0 to {})",
                                where, code.size(), code.size() - 1));
    }
    breakpoints_.insert(static_cast<std::size_t>(where));
    out +=
        "breakpoint at: " + disassemble_line(code[where], static_cast<std::size_t>(where)) + "\n";
}

void Session::disassemble(std::string_view arguments, std::string& out) const {
    const bpfgen::Program& code = program().program();
    if (!arguments.empty()) {
        const int64_t line = parse_number("disassemble", arguments);
        if (line < 0 || static_cast<uint64_t>(line) >= code.size()) {
            throw Error(
                fmt::format("disassemble: no instruction {}: the program has {} (0 to "
                            "{})",
                            line, code.size(), code.size() - 1));
        }
        out += disassemble_line(code[line], static_cast<std::size_t>(line)) + "\n";
        return;
    }
    for (std::size_t i = 0; i < code.size(); ++i) out += disassemble_line(code[i], i) + "\n";
}

void Session::dump(std::string_view arguments, std::string& out) const {
    const bpfgen::Program& code = program().program();
    if (!arguments.empty()) {
        throw Error(fmt::format("dump: unexpected {}", bpfgen::quote_for_message(arguments)));
    }
    out += "/* { op, jt, jf, k }, */\n";
    out += bpfgen::format_c(code);
}

}  // namespace bpf_dbg
