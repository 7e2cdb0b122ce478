// instruction.cpp: the eBPF instruction builders and the encoding of a Program with its
// labels and map references resolved.
#include "libbpfgen/ebpf/instruction.h"

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen::ebpf {

namespace {

Instruction make(uint8_t opcode, Register dst, Register src, int16_t offset, int32_t imm) {
    Instruction instruction;
    instruction.opcode = opcode;
    instruction.dst = dst;
    instruction.src = src;
    instruction.offset = offset;
    instruction.imm = imm;
    return instruction;
}

Instruction conditional(uint8_t jump_class, Jump condition, Register dst, Register src,
                        uint8_t source, int32_t imm, std::string target) {
    Instruction instruction =
        make(static_cast<uint8_t>(jump_class | static_cast<uint8_t>(condition) | source), dst, src,
             0, imm);
    instruction.target = std::move(target);
    return instruction;
}

bool is_map_load(const Instruction& instruction) {
    return instruction.opcode == (code::kLd | code::kImm | code::kDw);
}

bool ends_flow(const Instruction& instruction) {
    return instruction.opcode == (code::kJmp | code::kExit) ||
           instruction.opcode == (code::kJmp | static_cast<uint8_t>(Jump::Always));
}

}  // namespace

Instruction alu64(Alu operation, Register dst, int32_t imm) {
    return make(static_cast<uint8_t>(code::kAlu64 | static_cast<uint8_t>(operation) | code::kK),
                dst, R0, 0, imm);
}
Instruction alu64(Alu operation, Register dst, Register src) {
    return make(static_cast<uint8_t>(code::kAlu64 | static_cast<uint8_t>(operation) | code::kX),
                dst, src, 0, 0);
}
Instruction alu32(Alu operation, Register dst, int32_t imm) {
    return make(static_cast<uint8_t>(code::kAlu | static_cast<uint8_t>(operation) | code::kK), dst,
                R0, 0, imm);
}
Instruction alu32(Alu operation, Register dst, Register src) {
    return make(static_cast<uint8_t>(code::kAlu | static_cast<uint8_t>(operation) | code::kX), dst,
                src, 0, 0);
}
Instruction to_big_endian(Register dst, int32_t bits) {
    return make(code::kAlu | code::kEnd | code::kToBe, dst, R0, 0, bits);
}
Instruction load(Size size, Register dst, Register base, int16_t offset) {
    return make(static_cast<uint8_t>(code::kLdx | code::kMem | static_cast<uint8_t>(size)), dst,
                base, offset, 0);
}
Instruction store(Size size, Register base, int16_t offset, Register src) {
    return make(static_cast<uint8_t>(code::kStx | code::kMem | static_cast<uint8_t>(size)), base,
                src, offset, 0);
}
Instruction load_map(Register dst, std::string map) {
    Instruction instruction = make(code::kLd | code::kImm | code::kDw, dst,
                                   static_cast<Register>(code::kPseudoMapFd), 0, 0);
    instruction.map = std::move(map);
    return instruction;
}
Instruction jump_if(Jump condition, Register dst, int32_t imm, std::string target) {
    return conditional(code::kJmp, condition, dst, R0, code::kK, imm, std::move(target));
}
Instruction jump_if(Jump condition, Register dst, Register src, std::string target) {
    return conditional(code::kJmp, condition, dst, src, code::kX, 0, std::move(target));
}
Instruction jump32_if(Jump condition, Register dst, int32_t imm, std::string target) {
    return conditional(code::kJmp32, condition, dst, R0, code::kK, imm, std::move(target));
}
Instruction jump32_if(Jump condition, Register dst, Register src, std::string target) {
    return conditional(code::kJmp32, condition, dst, src, code::kX, 0, std::move(target));
}
Instruction jump(std::string target) {
    Instruction instruction = make(code::kJmp | static_cast<uint8_t>(Jump::Always), R0, R0, 0, 0);
    instruction.target = std::move(target);
    return instruction;
}
Instruction call(int32_t helper) {
    return make(code::kJmp | code::kCall, R0, R0, 0, helper);
}
Instruction exit_program() {
    return make(code::kJmp | code::kExit, R0, R0, 0, 0);
}

void Program::add(Instruction instruction) {
    slots_ += is_map_load(instruction) ? 2 : 1;
    instructions_.push_back(std::move(instruction));
}

void Program::label(const std::string& name) {
    if (!label_index_.emplace(name, instructions_.size()).second) {
        throw Error(fmt::format("eBPF label {} is defined twice", quote_for_message(name)));
    }
    labels_by_index_.emplace(instructions_.size(), name);
}

void Program::remove_unreachable() {
    std::vector<bool> reachable(instructions_.size(), false);
    std::vector<std::size_t> pending{0};
    const auto target_of = [this](const Instruction& instruction) {
        const auto where = label_index_.find(instruction.target);
        if (where == label_index_.end() || where->second >= instructions_.size()) {
            throw Error(fmt::format("eBPF jump to unknown label {}",
                                    quote_for_message(instruction.target)));
        }
        return where->second;
    };
    while (!pending.empty()) {
        const std::size_t i = pending.back();
        pending.pop_back();
        if (i >= instructions_.size() || reachable[i]) continue;
        reachable[i] = true;
        const Instruction& instruction = instructions_[i];
        if (instruction.opcode == (code::kJmp | code::kExit)) continue;
        if (!instruction.target.empty()) pending.push_back(target_of(instruction));
        if (instruction.opcode != (code::kJmp | static_cast<uint8_t>(Jump::Always))) {
            pending.push_back(i + 1);
        }
    }
    std::vector<Instruction> kept;
    std::vector<std::size_t> new_index(instructions_.size() + 1);
    for (std::size_t i = 0; i < instructions_.size(); ++i) {
        new_index[i] = kept.size();
        if (reachable[i]) kept.push_back(std::move(instructions_[i]));
    }
    new_index[instructions_.size()] = kept.size();
    instructions_ = std::move(kept);
    slots_ = 0;
    for (const Instruction& instruction : instructions_) slots_ += is_map_load(instruction) ? 2 : 1;
    // Labels keep the order they were given in.
    std::multimap<std::size_t, std::string> labels;
    for (const auto& [index, name] : labels_by_index_) {
        labels.emplace(new_index[index], name);
        label_index_[name] = new_index[index];
    }
    labels_by_index_ = std::move(labels);
}

std::size_t Program::slot_of_label(const std::string& name) const {
    const auto where = label_index_.find(name);
    if (where == label_index_.end()) {
        throw Error(fmt::format("eBPF label {} is not defined", quote_for_message(name)));
    }
    std::size_t slot = 0;
    for (std::size_t i = 0; i < where->second; ++i) slot += is_map_load(instructions_[i]) ? 2 : 1;
    return slot;
}

std::vector<RawInstruction> Program::encode(const std::map<std::string, int>& map_fds) const {
    if (instructions_.empty() || !ends_flow(instructions_.back())) {
        throw Error("eBPF program does not end with exit or a jump");
    }
    std::vector<std::size_t> slot_of(instructions_.size() + 1);
    for (std::size_t i = 0, slot = 0; i <= instructions_.size(); ++i) {
        slot_of[i] = slot;
        if (i < instructions_.size()) slot += is_map_load(instructions_[i]) ? 2 : 1;
    }
    std::vector<RawInstruction> raw;
    raw.reserve(slots_);
    for (std::size_t i = 0; i < instructions_.size(); ++i) {
        const Instruction& instruction = instructions_[i];
        RawInstruction out{instruction.opcode,
                           static_cast<uint8_t>(static_cast<uint8_t>(instruction.dst) |
                                                static_cast<uint8_t>(instruction.src) << 4),
                           instruction.offset, instruction.imm};
        if (!instruction.target.empty()) {
            const auto where = label_index_.find(instruction.target);
            if (where == label_index_.end() || where->second >= instructions_.size()) {
                throw Error(fmt::format("eBPF jump to unknown label {}",
                                        quote_for_message(instruction.target)));
            }
            const auto distance = static_cast<std::ptrdiff_t>(slot_of[where->second]) -
                                  static_cast<std::ptrdiff_t>(slot_of[i] + 1);
            if (distance < INT16_MIN || distance > INT16_MAX) {
                throw Error(
                    fmt::format("eBPF jump to {} is {} instructions away, beyond the "
                                "16-bit jump offset",
                                quote_for_message(instruction.target), distance));
            }
            out.offset = static_cast<int16_t>(distance);
        }
        if (is_map_load(instruction)) {
            const auto fd = map_fds.find(instruction.map);
            if (fd == map_fds.end()) {
                throw Error(fmt::format("eBPF program uses unknown map {}",
                                        quote_for_message(instruction.map)));
            }
            out.imm = fd->second;
            raw.push_back(out);
            raw.push_back(RawInstruction{0, 0, 0, 0});
            continue;
        }
        raw.push_back(out);
    }
    return raw;
}

}  // namespace bpfgen::ebpf
