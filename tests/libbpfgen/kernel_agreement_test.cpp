// kernel_agreement_test.cpp: the real kernel (setsockopt SO_ATTACH_FILTER on a UDP socket,
// no traffic involved) accepts exactly the programs our checker accepts: every rule's
// invalid program is refused by both, every reference program accepted by both.
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "libbpfgen/assembler.h"
#include "libbpfgen/checker.h"
#include "libbpfgen/format.h"
#include "tests/common/invalid_programs.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

class Socket {
  public:
    Socket() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

// 0 when the kernel accepts the program, else the errno it gives.
int kernel_verdict(const Socket& socket, const Program& program) {
    std::vector<sock_filter> filter;
    for (const Instruction& i : program) filter.push_back(sock_filter{i.code, i.jt, i.jf, i.k});
    sock_fprog fprog{static_cast<unsigned short>(filter.size()), filter.data()};
    if (::setsockopt(socket.fd(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0) {
        ::setsockopt(socket.fd(), SOL_SOCKET, SO_DETACH_FILTER, nullptr, 0);
        return 0;
    }
    return errno;
}

bool checker_accepts(const Program& program) {
    try {
        check_kernel_rules(program);
        return true;
    } catch (const CheckError&) {
        return false;
    }
}

class KernelAgreement : public ::testing::Test {
  protected:
    void SetUp() override {
        if (socket_.fd() < 0) GTEST_SKIP() << "no UDP socket: " << std::strerror(errno);
        const Program accept_all{{op::kRet | op::kK, 0, 0, 0xffff}};
        const int verdict = kernel_verdict(socket_, accept_all);
        if (verdict != 0) {
            GTEST_SKIP() << "SO_ATTACH_FILTER unavailable: " << std::strerror(verdict);
        }
    }
    Socket socket_;
};

TEST_F(KernelAgreement, KernelRefusesEveryProgramOurCheckerRefuses) {
    for (const auto& invalid : bpftools::test::invalid_programs()) {
        SCOPED_TRACE(invalid.rule);
        if (invalid.program.size() > 0xffff) continue;  // sock_fprog.len is 16 bits
        EXPECT_FALSE(checker_accepts(invalid.program));
        EXPECT_NE(kernel_verdict(socket_, invalid.program), 0) << "the kernel accepted it";
    }
}

TEST_F(KernelAgreement, KernelAcceptsEveryReferenceProgram) {
    for (const auto& c : bpftools::test::load_reference_cases()) {
        if (c.rc != 0) continue;
        SCOPED_TRACE(c.describe());
        const Program program = parse_xt_bpf(c.bytecode);
        EXPECT_TRUE(checker_accepts(program));
        EXPECT_EQ(kernel_verdict(socket_, program), 0);
    }
}

TEST_F(KernelAgreement, AgreesOnEveryOpcode) {
    // Each of the 65536 codes in a two-instruction program with harmless operands.
    for (uint32_t code = 0; code <= 0xffff; ++code) {
        const Program program{{static_cast<uint16_t>(code), 0, 0, 1}, {op::kRet | op::kK, 0, 0, 0}};
        const bool ours = checker_accepts(program);
        const bool kernel = kernel_verdict(socket_, program) == 0;
        ASSERT_EQ(ours, kernel) << "code " << code;
    }
}

TEST_F(KernelAgreement, AgreesOnAncillaryOffsets) {
    for (uint32_t k = 0xfffff000 - 8; k != 0; ++k) {  // up to 0xffffffff
        for (uint16_t size : {op::kW, op::kH, op::kB}) {
            const Program program{{static_cast<uint16_t>(op::kLd | size | op::kAbs), 0, 0, k},
                                  {op::kRet | op::kK, 0, 0, 0}};
            ASSERT_EQ(checker_accepts(program), kernel_verdict(socket_, program) == 0)
                << "k " << k << " size " << size;
        }
        if (k == 0xfffff000 + 80) k = 0xffffffff - 4;  // the known range and the very end
    }
}

TEST_F(KernelAgreement, AgreesOnScratchMemoryPaths) {
    const char* programs[] = {
        "ld M[0]\nret a\n",
        "st M[0]\nld M[0]\nret a\n",
        "ld #1\njeq #1, a1, a2\na1: st M[1]\na2: ld M[1]\nret a\n",
        "ld #1\njeq #1, a1, a2\na1: st M[1]\nja a3\na2: st M[1]\na3: ld M[1]\nret a\n",
        "st M[5]\nld #0\njeq #0, b1, b2\nb1: ld M[5]\nret a\nb2: ret #0\n",
        "ret #0\nld M[2]\nret a\n",
        "st M[2]\nret #0\nld M[2]\nret a\n",
    };
    for (const char* text : programs) {
        SCOPED_TRACE(text);
        const Program program = assemble(text);
        EXPECT_EQ(checker_accepts(program), kernel_verdict(socket_, program) == 0);
    }
}

}  // namespace
}  // namespace bpfgen
