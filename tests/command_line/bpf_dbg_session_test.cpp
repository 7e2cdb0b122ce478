// bpf_dbg_session_test.cpp: bpf_dbg's session (command_line/bpf_dbg_session.h) without the
// program around it: `run` counts what PacketFilter keeps at the link layer for random
// programs (ancillary loads included, which read the link-layer context) over the captures
// of tests/data; the kernel tool's disassembly of every operand form; the outcome of
// commands that fail, which leave the session usable.
#include <gtest/gtest.h>

#include <cstdint>
#include <regex>
#include <string>

#include "command_line/bpf_dbg_session.h"
#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/cbpf/format.h"
#include "tests/common/capture_files.h"
#include "tests/common/program_builders.h"
#include "tests/common/random_programs.h"
#include "tests/common/test_files.h"

namespace bpf_dbg {
namespace {

using namespace bpftools::test::insn;

std::string output_of(Session& session, const std::string& line) {
    const Reply reply = session.execute(line);
    EXPECT_EQ(reply.outcome, Outcome::Done) << line << ": " << reply.error;
    return reply.output;
}

TEST(BpfDbgSession, RunCountsWhatPacketFilterKeepsOnRandomProgramsOverRealCaptures) {
    bpftools::test::RandomProgramOptions options;
    options.max_length = 40;
    options.ancillary_loads = true;
    options.max_packet_offset = 64;
    bpftools::test::RandomPrograms generator(0xdb6, options);
    for (const char* name : {"edns-opts.pcap", "babel.pcap", "dns-badcookie.pcap",
                             "802.1ad_QinQ.pcap", "LINKTYPE_RAW_ipv4.pcap"}) {
        const bpftools::test::Capture capture = bpftools::test::read_capture(name);
        Session session;
        output_of(session, "load pcap " + bpftools::test::data_file(name));
        for (int i = 0; i < 60; ++i) {
            const bpfgen::Program program = generator.next();
            const bpfgen::PacketFilter filter(bpfgen::CheckedProgram(program), capture.link_type,
                                              bpfgen::FilterLayer::LinkLayer);
            uint64_t kept = 0;
            for (const auto& packet : capture.packets) {
                kept += *filter.verdict(packet.data, packet.wire_length) != 0;
            }
            output_of(session, "load bpf " + bpfgen::format_xt_bpf(program));
            EXPECT_EQ(output_of(session, "run"),
                      "bpf passes:" + std::to_string(kept) +
                          " fails:" + std::to_string(capture.packets.size() - kept) + "\n")
                << name << ": " << bpfgen::format_xt_bpf(program);
        }
    }
}

TEST(BpfDbgSession, DisassemblesEveryOperandFormAsTheKernelTool) {
    EXPECT_EQ(disassemble_line(ld_w(static_cast<uint32_t>(-4096)), 0), "l0:\tld [-4096]");
    EXPECT_EQ(disassemble_line(ld_b(23), 1), "l1:\tldb [23]");
    EXPECT_EQ(disassemble_line(ld_ind_h(2), 2), "l2:\tldh [x+2]");
    EXPECT_EQ(disassemble_line(ldx_msh(14), 3), "l3:\tldxb 4*([14]&0xf)");
    EXPECT_EQ(disassemble_line(ld_imm(0), 4), "l4:\tld #0");
    EXPECT_EQ(disassemble_line(ldx_imm(255), 4), "l4:\tldx #0xff");
    EXPECT_EQ(disassemble_line(ld_len(), 5), "l5:\tld #len");
    EXPECT_EQ(disassemble_line(ld_mem(3), 6), "l6:\tld M[3]");
    EXPECT_EQ(disassemble_line(stx(15), 6), "l6:\tstx M[15]");
    EXPECT_EQ(disassemble_line(alu_k(op::kAdd, static_cast<uint32_t>(-1)), 7), "l7:\tadd #-1");
    EXPECT_EQ(disassemble_line(alu_k(op::kAnd, 0xf0), 7), "l7:\tand #0xf0");
    EXPECT_EQ(disassemble_line(alu_x(op::kSub), 7), "l7:\tsub x");
    EXPECT_EQ(disassemble_line(neg(), 8), "l8:\tneg ");
    EXPECT_EQ(disassemble_line(tax(), 8), "l8:\ttax ");
    EXPECT_EQ(disassemble_line(ja(3), 9), "l9:\tja 13");
    EXPECT_EQ(disassemble_line(jmp_k(op::kJgt, 5, 0, 2), 10), "l10:\tjgt #0x5, l11, l13");
    EXPECT_EQ(disassemble_line(jmp_x(op::kJset, 1, 0), 10), "l10:\tjset x, l12, l11");
    EXPECT_EQ(disassemble_line(ret_a(), 11), "l11:\tret a");
    EXPECT_EQ(disassemble_line(ret_k(0), 11), "l11:\tret #0");
    EXPECT_EQ(disassemble_line(Instruction{0xff, 0, 0, 0}, 12), "l12:\tnosup 0xff");
}

TEST(BpfDbgSession, AFailedCommandSaysWhyAndLeavesTheSessionUsable) {
    Session session;
    Reply reply = session.execute("run");
    EXPECT_EQ(reply.outcome, Outcome::Failed);
    EXPECT_EQ(reply.error, "no program loaded (load bpf BYTECODE)");
    reply = session.execute("load bpf 3,6 0 0 1");
    EXPECT_EQ(reply.outcome, Outcome::Failed);
    EXPECT_NE(reply.error.find("load bpf"), std::string::npos);
    EXPECT_EQ(session.execute("load bpf 1,6 0 0 1").outcome, Outcome::Done);
    EXPECT_EQ(session.execute("step").error, "no capture loaded (load pcap FILE)");
    EXPECT_EQ(session.execute("step x").outcome, Outcome::Failed);
    EXPECT_EQ(session.execute("").outcome, Outcome::Done);
    EXPECT_EQ(session.execute("  quit  ").outcome, Outcome::Quit);
}

TEST(BpfDbgSession, ATruncatedCaptureLoadsItsWholePacketsAndFails) {
    const std::string whole = bpftools::test::data_file("edns-opts.pcap");
    bpftools::test::TemporaryDirectory directory;
    const std::string cut = directory.file("cut.pcap");
    std::vector<uint8_t> bytes = bpftools::test::file_bytes(whole);
    bytes.resize(1000);  // inside a record
    bpftools::test::write_bytes(cut, bytes);
    Session session;
    const Reply reply = session.execute("load pcap " + cut);
    EXPECT_EQ(reply.outcome, Outcome::Failed);
    EXPECT_NE(reply.error.find("whole packets before it are loaded"), std::string::npos)
        << reply.error;
    output_of(session, "load bpf 1,6 0 0 1");
    EXPECT_TRUE(std::regex_match(output_of(session, "run"),
                                 std::regex("bpf passes:[1-9][0-9]* fails:0\n")));
}

}  // namespace
}  // namespace bpf_dbg
