// dns_validate.cpp: the 'dns_validate' generator: a program matching UDP packets that do
// not look like an ordinary DNS query (header counts, flags, length), whatever the name
// asked. It writes the original's annotated assembly and assembles it.
#include "generators/dns_validate.h"

#include <array>
#include <cstdint>

#include <fmt/format.h>

#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/assembler.h"

namespace bpfgen {

const std::string_view kDnsValidateHelp =
    R"(usage: bpfgen [-6] [-n] [-o OFFSET] [-s] dns_validate [-- -s]

Matches DNS requests that a well-behaved resolver would not send; the name queried
is not looked at. A UDP packet matches when any of these holds:
  - the UDP length leaves less than 12 + 9 bytes of DNS message (too short
    even for a question about a two-label name like a.b)
  - QDCOUNT is not 1, ANCOUNT or NSCOUNT is not 0, ARCOUNT is above 1
  - a header flag is set other than CD, AD, Z and, unless --strict, RD and
    bit 9; so responses (QR), other opcodes, AA, RA and non-zero rcodes match
Drop the matches to keep only plausible queries. RD stays allowed by default
because real clients set it. Bit 9 is allowed because the original bpftools
took it for RA (set by RIPE Atlas probes); it is in fact TC, and RA (bit 7)
is not allowed. The bytecode keeps that choice, as its comments do.

The UDP header is found from the IPv4 header length; with -6 it is assumed to
follow the fixed 40-byte IPv6 header directly.

options:
  -s, --strict  also match requests with RD or bit 9 (TC) set
  -h, --help    show this help and exit

examples:
  bpfgen dns_validate
  bpfgen -o 14 dns_validate -- --strict
  bpfgen -n -6 dns_validate
)";

namespace {

constexpr std::array<GeneratorFlag, 1> kFlags = {{{'s', "strict"}}};

// Bits of the DNS flags word (RFC 1035, 4035; bit 0 is the least significant).
constexpr unsigned kCheckingDisabled = 4;
constexpr unsigned kAuthenticatedData = 5;
constexpr unsigned kZ = 6;
constexpr unsigned kRecursionDesired = 8;
// TC in fact; the original allowed it believing it was RA (bit 7). Kept for parity.
constexpr unsigned kBelievedRecursionAvailable = 9;

}  // namespace

GeneratedProgram generate_dns_validate(const std::vector<std::string>& args,
                                       const GeneratorOptions& options) {
    const GeneratorArgs parsed = parse_generator_args("dns_validate", args, kFlags);
    const bool strict = parsed.flags[0];
    if (!parsed.positionals.empty()) {
        throw UsageError(fmt::format("dns_validate: unexpected argument {} (it takes only -s)",
                                     quote_for_message(parsed.positionals.front())));
    }
    const uint32_t match = options.negate ? 0 : 65535;
    const uint32_t no_match = options.negate ? 65535 : 0;
    std::string out;
    auto line = [&out](std::string_view text = "") {
        out += text;
        out += '\n';
    };
    if (options.ip_version == 4) {
        line(fmt::format("    ld #{}", options.l3_offset));
        line(fmt::format("    ldx 4*([{}]&0xf)", options.l3_offset));
        line("    add x");
    } else {
        line(fmt::format("    ld #{}", options.l3_offset + 40));
    }
    line("    tax");
    line("    ; x points to start of UDP header");
    line("    ; load udp header + payload length");
    line("    ldh [x + 4]");
    line("    ; valid udp payload length must be > 12 + 9 (assuming a.b query)");
    line(fmt::format("    jlt #{}, match", 8 + 12 + 9));
    line();
    line("    txa");
    line("    add #8");
    line("    tax");
    line("    ; x points to start of DNS");
    line();
    line("    ; allow only flags:");
    line("    ;   4: checking_disabled");
    line("    ;   5: authenticated_data");
    line("    ;   6: zflag");
    uint32_t refused_flags =
        0xffff & ~(1u << kCheckingDisabled) & ~(1u << kAuthenticatedData) & ~(1u << kZ);
    if (!strict) {
        line("    ;   8: recursion_desired");
        line("    ;   9: recursion_available");
        refused_flags &= ~(1u << kRecursionDesired) & ~(1u << kBelievedRecursionAvailable);
    }
    line("    ldh [x + 2]        ; opcode = 0, rdcode = 0 etc");
    line(fmt::format("    and #0x{:04x}", refused_flags));
    line("    jne #0, match");
    line();
    line("    ldh [x + 4]        ; qdcount must be 1");
    line("    jneq #0x1, match");
    line("    ld [x + 6]         ; ancount and nscount must be 0");
    line("    jneq #0x0, match");
    line("    ldh [x + 10]       ; arcount must be 0 or 1");
    line("    jgt #0x1, match");
    line(fmt::format("    ret #{}", no_match));
    line();
    line("match:");
    line(fmt::format("    ret #{}", match));

    GeneratedProgram generated;
    generated.name = strict ? "strict" : "";
    generated.assembly = std::move(out);
    generated.program = assemble(generated.assembly);
    return generated;
}

}  // namespace bpfgen
