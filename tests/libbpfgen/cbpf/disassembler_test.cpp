// disassembler_test.cpp: disassemble() writes readable bpf_asm that the assembler turns
// back into the very same program, for the recorded programs, for every opcode and jump
// shape and for random programs; what bpf_asm cannot express is refused by index.
#include "libbpfgen/cbpf/disassembler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/format.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

Instruction insn(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
    return {code, jt, jf, k};
}

void expect_round_trip(const Program& program) {
    std::string text;
    try {
        text = disassemble(program);
        EXPECT_EQ(assemble(text), program) << format_xt_bpf(program) << "\n" << text;
    } catch (const Error& error) {
        ADD_FAILURE() << error.what() << "\n" << format_xt_bpf(program) << "\n" << text;
    }
}

// disassemble(program) is refused with a message naming instruction `index` and `why`.
void expect_refused(const Program& program, std::size_t index, std::string_view why) {
    try {
        const std::string text = disassemble(program);
        ADD_FAILURE() << "disassembled " << format_xt_bpf(program) << " to\n" << text;
    } catch (const Error& error) {
        const std::string_view message = error.what();
        EXPECT_NE(message.find("instruction " + std::to_string(index) + " "), message.npos)
            << message;
        EXPECT_NE(message.find(why), message.npos) << message;
    }
}

// The 50 opcodes bpf_asm can write (k = 0 where the syntax fixes it).
const std::vector<uint16_t>& expressible_codes() {
    static const std::vector<uint16_t> codes = {
        0x00, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x60, 0x80,        // ld
        0x01, 0x61, 0x81, 0xb1,                                      // ldx
        0x02, 0x03,                                                  // st, stx
        0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x94, 0xa4,  // alu #k
        0x0c, 0x1c, 0x2c, 0x3c, 0x4c, 0x5c, 0x6c, 0x7c, 0x9c, 0xac,  // alu x
        0x84,                                                        // neg
        0x05, 0x15, 0x25, 0x35, 0x45, 0x1d, 0x2d, 0x3d, 0x4d,        // jumps
        0x06, 0x16, 0x0e,                                            // ret
        0x07, 0x87,                                                  // tax, txa
    };
    return codes;
}

bool k_is_free(uint16_t code) {
    switch (code) {
        case 0x80:
        case 0x81:
        case 0x84:
        case 0x16:
        case 0x0e:
        case 0x07:
        case 0x87:
        case 0x1d:
        case 0x2d:
        case 0x3d:
        case 0x4d:
            return false;
        default:
            return (code & 0x07) != 0x04 || (code & 0x08) == 0;
    }
}

TEST(DisassemblerRoundTrip, EveryRecordedProgram) {
    std::size_t checked = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0) continue;
        SCOPED_TRACE(reference.describe());
        const Program program = assemble(reference.assembly);
        expect_round_trip(program);
        ++checked;
    }
    EXPECT_GE(checked, 200u);
}

TEST(DisassemblerRoundTrip, ExactlyTheFiftyExpressibleOpcodes) {
    std::vector<uint16_t> accepted;
    for (uint32_t code = 0; code <= 0xffff; ++code) {
        const Program program{insn(static_cast<uint16_t>(code), 0, 0, 0), insn(0x16, 0, 0, 0)};
        try {
            const std::string text = disassemble(program);
            EXPECT_EQ(assemble(text), program) << text;
            accepted.push_back(static_cast<uint16_t>(code));
        } catch (const Error& error) {
            EXPECT_NE(std::string_view(error.what()).find("instruction 0 "), std::string::npos)
                << error.what();
        }
    }
    std::vector<uint16_t> expected = expressible_codes();
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(accepted, expected);
}

TEST(DisassemblerRoundTrip, EveryJumpShape) {
    const Program tail{insn(0x06, 0, 0, 0), insn(0x06, 0, 0, 1), insn(0x06, 0, 0, 2)};
    for (uint16_t code : {0x15, 0x25, 0x35, 0x45, 0x1d, 0x2d, 0x3d, 0x4d}) {
        const uint32_t k = (code & 0x08) ? 0 : 0x800;
        for (uint8_t jt = 0; jt < 3; ++jt) {
            for (uint8_t jf = 0; jf < 3; ++jf) {
                Program program{insn(code, jt, jf, k)};
                for (const Instruction& ret : tail) program.push_back(ret);
                expect_round_trip(program);
            }
        }
    }
}

TEST(DisassemblerRoundTrip, LongestJumps) {
    std::vector<Instruction> instructions{insn(0x15, 255, 254, 7), insn(0x05, 0, 0, 255)};
    for (int i = 0; i < 255; ++i)
        instructions.push_back(insn(0x00, 0, 0, static_cast<uint32_t>(i)));
    instructions.push_back(insn(0x16, 0, 0, 0));
    expect_round_trip(Program(instructions));
}

TEST(DisassemblerRoundTrip, ExtremeConstantsAndEveryExtension) {
    Program program;
    for (uint32_t k : {0u, 1u, 0xfffffu, 0x100000u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
        for (uint16_t code : {0x00, 0x20, 0x28, 0x30, 0x40, 0x60, 0x01, 0x61, 0xb1, 0x02, 0x03,
                              0x04, 0x54, 0xa4, 0x06}) {
            program.push_back(insn(code, 0, 0, k));
        }
    }
    for (uint32_t offset = 0; offset <= 64; offset += 4) {
        for (uint16_t code : {0x20, 0x28, 0x30})
            program.push_back(insn(code, 0, 0, 0xfffff000 + offset));
    }
    program.push_back(insn(0x16, 0, 0, 0));
    expect_round_trip(program);
}

TEST(DisassemblerRoundTrip, RandomPrograms) {
    std::mt19937 random(20240601);
    const auto& codes = expressible_codes();
    for (int round = 0; round < 300; ++round) {
        const std::size_t size = 1 + random() % 40;
        Program program;
        for (std::size_t i = 0; i < size; ++i) {
            const std::size_t remaining = size - i - 1;
            uint16_t code = codes[random() % codes.size()];
            Instruction next{code, 0, 0, k_is_free(code) ? static_cast<uint32_t>(random()) : 0};
            if ((code & 0x07) == 0x05) {
                if (remaining == 0) {
                    next = insn(0x06, 0, 0, next.k);
                } else if (code == 0x05) {
                    next.k = static_cast<uint32_t>(random() % remaining);
                } else {
                    next.jt =
                        static_cast<uint8_t>(random() % std::min<std::size_t>(remaining, 256));
                    next.jf =
                        static_cast<uint8_t>(random() % std::min<std::size_t>(remaining, 256));
                }
            }
            program.push_back(next);
        }
        expect_round_trip(program);
    }
}

TEST(DisassemblerText, ReadableWithLabelsWhereJumpsLand) {
    const Program program{
        insn(0x28, 0, 0, 12), insn(0x15, 0, 3, 0x800), insn(0x30, 0, 0, 23),
        insn(0x15, 0, 1, 17), insn(0x06, 0, 0, 65535), insn(0x06, 0, 0, 0),
    };
    EXPECT_EQ(disassemble(program),
              "    ldh [12]\n"
              "    jneq #0x800, L5\n"
              "    ldb [23]\n"
              "    jneq #0x11, L5\n"
              "    ret #65535\n"
              "L5:\n"
              "    ret #0\n");
}

TEST(DisassemblerText, EveryInstructionForm) {
    const Program program{
        insn(0x00, 0, 0, 5),          insn(0x20, 0, 0, 0xfffff000), insn(0x28, 0, 0, 0xfffff02c),
        insn(0x30, 0, 0, 0xfffff028), insn(0x40, 0, 0, 4),          insn(0x60, 0, 0, 1),
        insn(0x80, 0, 0, 0),          insn(0x01, 0, 0, 2),          insn(0x61, 0, 0, 3),
        insn(0x81, 0, 0, 0),          insn(0xb1, 0, 0, 14),         insn(0x02, 0, 0, 4),
        insn(0x03, 0, 0, 5),          insn(0x04, 0, 0, 6),          insn(0x5c, 0, 0, 0),
        insn(0x54, 0, 0, 0xff),       insn(0x84, 0, 0, 0),          insn(0x07, 0, 0, 0),
        insn(0x87, 0, 0, 0),          insn(0x05, 0, 0, 0),          insn(0x35, 2, 0, 1500),
        insn(0x25, 0, 1, 9),          insn(0x45, 0, 1, 1),          insn(0x1d, 0, 0, 0),
        insn(0x16, 0, 0, 0),          insn(0x0e, 0, 0, 0),
    };
    EXPECT_EQ(disassemble(program),
              "    ld #5\n"
              "    ld #proto\n"
              "    ldh #vlan_tci\n"
              "    ldb [0xfffff028]\n"
              "    ld [x + 4]\n"
              "    ld M[1]\n"
              "    ld #len\n"
              "    ldx #2\n"
              "    ldx M[3]\n"
              "    ldx #len\n"
              "    ldxb 4*([14]&0xf)\n"
              "    st M[4]\n"
              "    stx M[5]\n"
              "    add #6\n"
              "    and x\n"
              "    and #0xff\n"
              "    neg\n"
              "    tax\n"
              "    txa\n"
              "    ja L20\n"
              "L20:\n"
              "    jge #0x5dc, L23\n"
              "    jle #0x9, L23\n"
              "    jset #0x1, L23, L24\n"
              "L23:\n"
              "    jeq x, L24\n"
              "L24:\n"
              "    ret a\n"
              "    ret x\n");
}

TEST(DisassemblerFormat, AssemblyFormatIsTheDisassembly) {
    const Program program{insn(0x28, 0, 0, 12), insn(0x16, 0, 0, 0)};
    EXPECT_EQ(format_program(program, Format::Assembly), disassemble(program));
}

TEST(DisassemblerRefuses, UnknownOpcode) {
    expect_refused(Program{insn(0x06, 0, 0, 0), insn(0xffff, 0, 0, 0)}, 1, "unknown opcode");
    expect_refused(Program{insn(0x8c, 0, 0, 0)}, 0, "unknown opcode");  // neg with X
    expect_refused(Program{insn(0x68, 0, 0, 0)}, 0, "unknown opcode");  // ldh M[]
}

TEST(DisassemblerRefuses, JumpPastTheEnd) {
    expect_refused(Program{insn(0x15, 1, 0, 0), insn(0x06, 0, 0, 0)}, 0, "past the end");
    expect_refused(Program{insn(0x06, 0, 0, 0), insn(0x15, 0, 0, 0)}, 1, "past the end");
    expect_refused(Program{insn(0x05, 0, 0, 0xffffffff), insn(0x06, 0, 0, 0)}, 0, "past the end");
}

TEST(DisassemblerRefuses, FieldsTheSyntaxAlwaysLeavesZero) {
    expect_refused(Program{insn(0x16, 0, 0, 5)}, 0, "'ret a' always has k = 0");
    expect_refused(Program{insn(0x80, 0, 0, 1), insn(0x16, 0, 0, 0)}, 0, "'ld #len'");
    expect_refused(Program{insn(0x1d, 0, 0, 3), insn(0x16, 0, 0, 0)}, 0, "'jeq x'");
    expect_refused(Program{insn(0x0c, 0, 0, 3), insn(0x16, 0, 0, 0)}, 0, "'add x'");
    expect_refused(Program{insn(0x20, 1, 0, 3), insn(0x16, 0, 0, 0)}, 0, "jt and jf must be 0");
    expect_refused(Program{insn(0x05, 0, 2, 0), insn(0x16, 0, 0, 0)}, 0, "jt and jf must be 0");
}

TEST(DisassemblerRefuses, EmptyOrOversizedPrograms) {
    EXPECT_THROW(disassemble(Program{}), Error);
    EXPECT_THROW(disassemble(Program(std::vector<Instruction>(4097, insn(0x16, 0, 0, 0)))), Error);
}

}  // namespace
}  // namespace bpfgen
