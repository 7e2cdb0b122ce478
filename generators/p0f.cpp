// p0f.cpp: the 'p0f' generator: a p0f v3 TCP signature turned into a pcap-filter
// expression (p0f_signature.h), compiled by the 'tcpdump' generator's libpcap path.
#include "generators/p0f.h"

#include <optional>

#include <fmt/format.h>

#include "generators/p0f_database.h"
#include "generators/p0f_exact.h"
#include "generators/p0f_signature.h"
#include "generators/tcpdump.h"
#include "libbpfgen/base/error.h"

namespace bpfgen {

const std::string_view kP0fHelp =
    R"(usage: bpfgen [-6] [-n] [-o OFFSET] [-s] p0f -- [--exact [--response]] SIGNATURE
       bpfgen [-6] [-n] [-o OFFSET] [-s] p0f -- [--exact] --label LABEL [--fp FILE]
       bpfgen p0f -- --list [--fp FILE]

Matches the TCP packets (meant: SYNs) that fit a p0f v3 signature,
  ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
by turning each field into a pcap-filter check and compiling them with libpcap,
as the 'tcpdump' generator does (offsets 0, 14, 16, 18 and 20 only). With -s, one
comment line per check says what it tests.

--label LABEL   one program matching any signature of a label of p0f's database
                ([tcp:request] and [tcp:response]): the whole label
                ('s:unix:Linux:3.11 and newer'), it without its type or class
                ('Linux:3.11 and newer'), or the start of one only one label has
                ('Linux:3.11')
--fp FILE       the database (default: /etc/p0f/p0f.fp, Debian's p0f package)
--list          print the labels with their signature counts per section
--exact         match as p0f 3.09b itself reports the signature, exactly (not
                fuzzy): see "--exact" below; the fields above are then read
                as p0f reads them
--response      the signature is a [tcp:response] one (SYN+ACK); with
                --exact only (a label's signatures know their section)

fields:
  ver      4, 6 or '*' (either). At offset 0 the signature's version chooses
           IPv4 or IPv6 packets, so -6 is not needed (and a version-4
           signature with -6 stays IPv4); a '*' signature (and a label) is
           read for -6's version. At offsets 14, 16, 18 and 20 a '*' signature
           makes one program that checks the ethertype and takes both. As p0f
           does, a '*' signature read for IPv4 drops the flow quirk, and read
           for IPv6 drops df, id+ and id-.
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
  quirks   df, id+, id-, 0+, linux (IPv4 only); flow (IPv6 only); ecn, seq-,
           ack+, ack-, uptr+, urgf+, pushf+, ts1-, ts2+, opt+, exws, bad.
           With df and id+ together only DF is checked, as the original did.
           ecn tests bit 0x2 of the TOS byte (IPv4) or traffic class (IPv6),
           flow the low 16 bits of the flow label.
           linux (not in p0f) checks IP ID == (seq ^ own timestamp) & 0xffff.
  pclass   0 (no payload), + (payload) or '*'

Refused with an error: a field out of range, a check that needs a TCP option
olayout lacks (mss, scale, mss*N, ts1-, ts2+, exws, linux), contradicting
quirks (id+ and id-, df and id-, ack+ and ack-, uptr+ and urgf+), options over
40 bytes. The SYN flag itself is not checked; IPv6 rules read TCP right after
the fixed 40-byte header without checking the next header is TCP.

--exact: p0f's own matching, from its packet parser and TCP matcher. The
packet's quirks, computed as p0f computes them, must be exactly the signature's
(a quirk the signature lacks is checked absent), and:
  flags    [tcp:request]: SYN without ACK, FIN, RST; [tcp:response]: SYN+ACK
           without FIN, RST. IPv4 fragments are not matched (p0f skips them);
           IPv6 needs next header TCP.
  ttl      ittl - 35 <= TTL <= ittl (p0f calls a TTL further away fuzzy);
           'ittl-': TTL <= ittl
  olen     IPv4 option bytes (a multiple of 4, 0-40): header length 20 + olen;
           '*' is refused (p0f refuses it too)
  olayout  the options exactly, at the offsets the layout gives them, the TCP
           data offset fitting them (with eol+N: N bytes after EOL); each
           option's length byte right, or with 'bad' at least one wrong (p0f
           steps over options by their fixed size). A layout that is not whole
           32-bit words is refused (p0f would see it cut short or longer).
  mss      the (last) MSS option's value; 0 without the option
  scale    the (last) window scale's value, 0 included; 0 without the option
  wsize    a value, %N or '*' as above; mss*N and mtu*N as p0f finds them:
           with a window not 0 and an MSS of at least 100, the first of MSS,
           MSS-12 (own timestamp not 0), 1460, 1448, (IPv6: 1440, 1428), then as
           MTU: MSS+40, MSS+IP and TCP headers, (IPv6: MSS+60), 1500 that
           divides the window gives N, and is of the signature's kind. (For a
           SYN+ACK p0f also tries the MSS of the connection's SYN, which a
           filter cannot see: not matched.)
  quirks   df: DF set. id+: DF set and IP ID not 0. id-: DF clear and IP ID 0
           (so a signature without them wants DF clear and ID not 0; id+
           without df is refused). 0+: the reserved IPv4 flag. flow: the IPv6
           flow label (20 bits) not 0. ecn: either ECN bit of the TOS or traffic
           class, or TCP's ECE, CWR or NS bit. seq-: sequence 0. ack+ (SYN):
           bit 0 of the ACK number's first byte, as p0f's own test works out on
           a little-endian host. ack- (SYN+ACK): ACK number 0. urgf+: URG.
           uptr+: no URG and urgent pointer not 0. pushf+: PSH. ts1-: own
           timestamp 0. ts2+ (SYN only): peer timestamp not 0. opt+: a non-zero
           byte after EOL other than the last one (p0f misses the last).
           exws: scale above 14. bad: see olayout. linux is refused.
           A quirk p0f never finds in the section (ack+ or ts2+ in a SYN+ACK,
           ack- in a SYN) is refused.
  ver      as above, except that p0f itself does not compare a '4' or '6'
           signature's version with the packet's (a '4' signature without df,
           id+, id- also fits IPv6 packets in p0f); the rule matches the
           signature's version only.

examples:
  bpfgen p0f -- '4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0'
  bpfgen -o 14 p0f -- --exact '*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0'
  bpfgen -o 14 p0f -- '6:64:0:*:mss*20,7:mss,sok,ts,nop,ws:flow:0'
)";

namespace {

struct P0fArguments {
    std::vector<std::string> signatures;
    std::optional<std::string> label;
    std::string database{kDefaultP0fDatabase};
    bool list = false;
    bool exact = false;
    P0fSection section = P0fSection::Request;  // of a signature given alone
};

P0fArguments parse_arguments(const std::vector<std::string>& args) {
    P0fArguments parsed;
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        // As the original's argparse: the first "--" only ends the options.
        if (!options_ended && arg == "--") {
            options_ended = true;
            continue;
        }
        auto value_of = [&](std::string_view option) -> std::optional<std::string> {
            if (arg == option) {
                if (i + 1 == args.size()) {
                    throw UsageError(fmt::format("p0f: {} needs a value", option));
                }
                return args[++i];
            }
            if (arg.size() > option.size() && arg.compare(0, option.size(), option) == 0 &&
                arg[option.size()] == '=') {
                return arg.substr(option.size() + 1);
            }
            return std::nullopt;
        };
        if (!options_ended && arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
            if (arg == "--list") {
                parsed.list = true;
            } else if (arg == "--exact") {
                parsed.exact = true;
            } else if (arg == "--response") {
                parsed.section = P0fSection::Response;
            } else if (auto label = value_of("--label")) {
                parsed.label = std::move(label);
            } else if (auto database = value_of("--fp")) {
                parsed.database = std::move(*database);
            } else {
                throw UsageError(fmt::format("p0f: unknown option {} (see bpfgen p0f -- --help)",
                                             quote_for_message(arg)));
            }
            continue;
        }
        parsed.signatures.push_back(arg);
    }
    const std::size_t wanted = parsed.signatures.size() + (parsed.label ? 1 : 0);
    if (!parsed.list && wanted != 1) {
        throw UsageError(std::string(wanted == 0    ? "p0f: expected a signature or --label"
                                     : parsed.label ? "p0f: --label and a signature together"
                                                    : "p0f: expected one signature, got " +
                                                          std::to_string(parsed.signatures.size()) +
                                                          " arguments") +
                         " (ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass, quoted)");
    }
    return parsed;
}

// One signature read for one IP version, with where it comes from.
struct Reading {
    std::vector<P0fCheck> checks;
    std::string origin;  // "" for a signature given alone, else "label, file:line: sig (IPvN)"
};

}  // namespace

std::string p0f_information(const std::vector<std::string>& args) {
    const P0fArguments parsed = parse_arguments(args);
    if (!parsed.list) return {};
    return list_p0f_labels(read_p0f_database(parsed.database));
}

GeneratedProgram generate_p0f(const std::vector<std::string>& args,
                              const GeneratorOptions& options) {
    const P0fArguments parsed = parse_arguments(args);
    if (parsed.list) throw UsageError("p0f: --list prints the labels, it makes no program");

    struct Source {
        std::string text;
        std::string origin;
        P0fSection section;
    };
    std::vector<Source> sources;
    if (parsed.label) {
        const P0fDatabase database = read_p0f_database(parsed.database);
        for (const P0fDatabaseSignature& entry : signatures_of_label(database, *parsed.label)) {
            sources.push_back({entry.signature,
                               fmt::format("{} [{}] {}:{}", entry.label,
                                           section_name(entry.section), database.path, entry.line),
                               entry.section});
        }
    } else {
        sources.push_back({parsed.signatures.front(), "", parsed.section});
    }

    // At offset 0 the link type says which IP version the packets are: a signature's own
    // version (the original took -6's, and compiled an IPv6 signature against IPv4 packets),
    // or -6's for a '*' signature or a label. At a link-layer offset one program takes both.
    std::vector<P0fSignature> signatures;
    for (const Source& source : sources) {
        try {
            signatures.push_back(parse_p0f_signature(
                source.text, parsed.exact ? P0fRules::Exact : P0fRules::Original));
        } catch (const UsageError& error) {
            if (source.origin.empty()) throw;
            throw UsageError(fmt::format("{} ({})", error.what(), source.origin));
        }
    }

    GeneratorOptions compile_options = options;
    std::vector<int> versions{4, 6};
    if (options.l3_offset == 0) {
        if (signatures.size() == 1 && signatures.front().ip_version != 0) {
            compile_options.ip_version = signatures.front().ip_version;
        }
        versions = {compile_options.ip_version};
    }

    std::vector<Reading> readings;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const Source& source = sources[i];
        const P0fSignature& signature = signatures[i];
        for (int version : versions) {
            if (signature.ip_version != 0 && signature.ip_version != version) continue;
            const P0fSignature reading = for_ip_version(signature, version, source.text);
            std::string origin;
            if (!source.origin.empty() || signature.ip_version == 0) {
                origin = fmt::format("{}{}{} read as IPv{}", source.origin,
                                     source.origin.empty() ? "" : ": ", source.text, version);
            }
            try {
                readings.push_back({parsed.exact
                                        ? p0f_exact_checks(reading, source.section, source.text)
                                        : p0f_checks(reading),
                                    std::move(origin)});
            } catch (const UsageError& error) {
                if (source.origin.empty()) throw;
                throw UsageError(fmt::format("{} ({})", error.what(), source.origin));
            }
        }
    }
    if (readings.empty()) {
        throw UsageError(fmt::format("p0f: label {} has no IPv{} signature (try {})",
                                     quote_for_message(parsed.label.value_or("")),
                                     compile_options.ip_version,
                                     compile_options.ip_version == 4 ? "-6" : "without -6"));
    }

    std::string expression;
    std::string comments;
    for (const Reading& reading : readings) {
        const std::string one = p0f_expression(reading.checks);
        expression += readings.size() == 1 ? one : (expression.empty() ? "(" : " or (") + one + ")";
        if (!reading.origin.empty()) comments += "; " + reading.origin + "\n";
        for (const std::string& line : p0f_explanations(reading.checks)) {
            comments += "; " + line + "\n";
        }
    }
    GeneratedProgram compiled = compile_tcpdump_expression("p0f", expression, compile_options);
    compiled.assembly = comments + ";\n" + compiled.assembly;
    return compiled;
}

std::vector<int> p0f_ip_versions(const std::vector<std::string>& args,
                                 const GeneratorOptions& options) {
    if (options.l3_offset != 0) return {options.ip_version};
    bool has[2] = {false, false};  // IPv4, IPv6
    try {
        const P0fArguments parsed = parse_arguments(args);
        if (parsed.list) return {options.ip_version};
        if (parsed.label && options.ip_version == 6) return {6};
        std::vector<std::string> texts = parsed.signatures;
        if (parsed.label) {
            const P0fDatabase database = read_p0f_database(parsed.database);
            for (const P0fDatabaseSignature& entry : signatures_of_label(database, *parsed.label)) {
                texts.push_back(entry.signature);
            }
        }
        for (const std::string& text : texts) {
            const int version = parse_p0f_signature(text).ip_version;
            has[0] = has[0] || version != 6;
            has[1] = has[1] || version != 4;
        }
    } catch (const Error&) {
        return {options.ip_version};
    }
    if (options.ip_version == 6 && has[1]) return {6};
    std::vector<int> versions;
    if (has[0]) versions.push_back(4);
    if (has[1]) versions.push_back(6);
    if (versions.empty()) versions.push_back(options.ip_version);
    return versions;
}

}  // namespace bpfgen
