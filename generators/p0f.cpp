// p0f.cpp: the 'p0f' generator: a p0f v3 TCP signature turned into a pcap-filter
// expression (p0f_signature.h), compiled by the 'tcpdump' generator's libpcap path.
#include "generators/p0f.h"

#include "generators/p0f_signature.h"
#include "generators/tcpdump.h"
#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"

namespace bpfgen {

const std::string_view kP0fHelp = R"(usage: bpfgen [-n] [-o OFFSET] [-s] p0f -- SIGNATURE

Matches the TCP packets (meant: SYNs) that fit a p0f v3 signature,
  ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
by turning each field into a pcap-filter check and compiling them with libpcap,
as the 'tcpdump' generator does (offsets 0, 14, 16 and 18 only). With -s, one
comment line per check says what it tests.

fields:
  ver      4 or 6; '*' is refused (write one signature per IP version). At
           offset 0 the signature's version chooses IPv4 or IPv6 packets, so
           -6 is not needed (and a version-4 signature with -6 stays IPv4).
  ittl     initial TTL (1-255): TTL <= ittl, and above ittl - 35 when ittl >= 35;
           'ittl-' (random TTL) checks nothing
  olen     '*', or the IPv4 option length in 32-bit words (0-10, the header
           length minus 5, as the original bpftools read it; p0f counts bytes);
           IPv6 takes '*' or 0 only (no extension headers)
  mss      '*', or the MSS option's value (0 is not checked)
  wsize    '*', a value, mss*N, mtu*N (MTU taken as 1500) or %N (a multiple of N)
  scale    '*', or the window scale option's value (0 is not checked)
  olayout  the TCP options in order: eol, nop, mss, ws, sok, ts, and eol+N last
           for an end of options followed by N bytes of padding (checked zero,
           or not all zero with the opt+ quirk); the TCP data offset is checked
           to fit them unless the 'bad' quirk is given
  quirks   df, id+, id-, ecn, 0+, linux (IPv4 only); flow (IPv6 only); seq-,
           ack+, ack-, uptr+, urgf+, pushf+, ts1-, ts2+, opt+, exws, bad.
           With df and id+ together only DF is checked, as the original did.
           ecn tests TOS bit 0x2 and flow the low 16 bits of the flow label.
           linux (not in p0f) checks IP ID == (seq ^ own timestamp) & 0xffff.
  pclass   0 (no payload), + (payload) or '*'

Refused with an error: a field out of range, a check that needs a TCP option
olayout lacks (mss, scale, mss*N, ts1-, ts2+, exws, linux), contradicting
quirks (id+ and id-, df and id-, ack+ and ack-, uptr+ and urgf+), options over
40 bytes. The SYN flag itself is not checked; IPv6 rules read TCP right after
the fixed 40-byte header without checking the next header is TCP.

examples:
  bpfgen p0f -- '4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0'
  bpfgen -o 14 p0f -- '6:64:0:*:mss*20,7:mss,sok,ts,nop,ws:flow:0'
)";

GeneratedProgram generate_p0f(const std::vector<std::string>& args,
                              const GeneratorOptions& options) {
    const std::vector<std::string> words = without_options_end(args);
    if (words.size() != 1) {
        throw UsageError(std::string(words.empty()
                                         ? "p0f: expected a signature"
                                         : "p0f: expected one signature, got " +
                                               std::to_string(words.size()) + " arguments") +
                         " (ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass, quoted)");
    }
    const P0fSignature signature = parse_p0f_signature(words.front());
    const std::vector<P0fCheck> checks = p0f_checks(signature);

    // At offset 0 the link type says which IP version the packets are: the signature's.
    // (The original took -6's, and compiled an IPv6 signature against IPv4 packets.)
    GeneratorOptions compile_options = options;
    if (options.l3_offset == 0) compile_options.ip_version = signature.ip_version;

    GeneratedProgram compiled =
        compile_tcpdump_expression("p0f", p0f_expression(checks), compile_options);
    std::string comments;
    for (const std::string& line : p0f_explanations(checks)) comments += "; " + line + "\n";
    compiled.assembly = comments + ";\n" + compiled.assembly;
    return compiled;
}

}  // namespace bpfgen
