// kernel_acceptance_test.cpp: what the generators make for inputs beyond the original's
// recorded runs (limits of dns names, every p0f quirk, libpcap programs with skb loads,
// long rules, every offset, IPv6, negation) is accepted by the running kernel: each
// program attaches to a UDP socket with SO_ATTACH_FILTER.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/cbpf/format.h"
#include "tests/common/kernel_socket.h"

namespace bpfgen {
namespace {

using bpftools::test::attach;
using bpftools::test::Socket;

struct Invocation {
    std::string generator;
    std::vector<std::string> args;
};

std::vector<Invocation> invocations() {
    const std::string label63(63, 'a');
    std::string long_name;
    while (long_name.size() < 240) long_name += label63.substr(0, 59) + ".";
    long_name += "uk";
    std::vector<std::string> many_patterns;
    for (int i = 0; i < 40; ++i)
        many_patterns.push_back("*.host" + std::to_string(i) + ".example.com");
    return {
        {"dns", {"--", label63 + ".example.com"}},
        {"dns", {"--", long_name}},
        {"dns", {"--", "-i", "*{1-63}.Example.COM", "w?w.example.**", "example**"}},
        {"dns", {"--", "%2a.example.com", "*.*.*.example.net"}},
        {"dns", many_patterns},
        {"dns_validate", {}},
        {"dns_validate", {"--strict"}},
        {"suffix", {"--", std::string(500, 'f') + "xxxx"}},
        {"tcpdump", {"--", "inbound"}},
        {"tcpdump", {"--", "ifindex 1"}},
        {"tcpdump", {"--", "ip broadcast or ip6 multicast or udp[8:2] = 0x1234"}},
        {"tcpdump",
         {"--",
          "(udp port 53 and (ip[8] < 10 or len > 512)) or (tcp dst port 80 and tcp[tcpflags] "
          "& tcp-syn != 0) or net 10.0.0.0/8 or icmp"}},
        {"p0f",
         {"--",
          "4:64:0:1460:mss*44,7:mss,sok,ts,nop,ws,eol+3:df,id+,ecn,0+,seq-,ack+,"
          "uptr+,pushf+,ts1-,ts2+,opt+,exws:+"}},
        {"p0f", {"--", "4:128:1:*:%8192,8:mss,nop,ws,nop,nop,sok,ts:id-,ack-,urgf+,linux,bad:0"}},
        {"p0f", {"--", "4:33:*:*:mtu*4,*:mss:id+:*"}},
        {"p0f", {"--", "6:64:0:*:mss*20,7:mss,sok,ts,nop,ws:flow:0"}},
    };
}

TEST(GeneratedProgramsInTheKernel, EveryOffsetVersionAndNegationAttaches) {
    const Socket socket(::socket(AF_INET, SOCK_DGRAM, 0));
    if (!socket.valid()) GTEST_SKIP() << "no AF_INET/SOCK_DGRAM socket: " << std::strerror(errno);
    std::size_t attached = 0;
    for (const Invocation& invocation : invocations()) {
        for (const uint32_t offset : {0u, 14u, 16u, 18u, 20u}) {
            for (const int ip_version : {4, 6}) {
                for (const bool negate : {false, true}) {
                    GeneratorOptions options;
                    options.l3_offset = offset;
                    options.ip_version = ip_version;
                    options.negate = negate;
                    // A p0f signature names its own IP version; -6 with a version-4 one is
                    // the same program.
                    const GeneratedProgram generated =
                        generate(invocation.generator, invocation.args, options);
                    const int error = attach(socket, generated.program);
                    const std::string what = invocation.generator + " at offset " +
                                             std::to_string(offset) + (negate ? " negated" : "") +
                                             ": " + format_xt_bpf(generated.program);
                    if (error == ENOMEM) {
                        std::cout << "note: too large for net.core.optmem_max here: " << what
                                  << "\n";
                        continue;
                    }
                    EXPECT_EQ(error, 0) << std::strerror(error) << ", " << what;
                    ++attached;
                }
            }
        }
    }
    EXPECT_GT(attached, invocations().size() * 8);
}

}  // namespace
}  // namespace bpfgen
