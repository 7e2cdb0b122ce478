// p0f_signature.h: a p0f v3 TCP signature (ver:ittl:olen:mss:wsize,scale:olayout:quirks:
// pclass) parsed into typed fields, and its translation into the pcap-filter checks the
// original bpftools wrote for it, each with the explanation `bpfgen -s` prints.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bpfgen {

// The window size field: "*", a value, "mss*N", "mtu*N" or "%N".
struct P0fWindowSize {
    enum class Kind { Any, Value, MssMultiple, MtuMultiple, Multiple };
    Kind kind = Kind::Any;
    uint32_t value = 0;  // the window, or N

    friend bool operator==(const P0fWindowSize&, const P0fWindowSize&) = default;
};

// A TCP option of the olayout field; the value is its kind byte on the wire.
enum class P0fOption : uint8_t { Eol = 0, Nop = 1, Mss = 2, Ws = 3, Sok = 4, Ts = 8 };

enum class P0fQuirk {
    Df,         // df: IPv4 "don't fragment" set
    IdPlus,     // id+: DF set and IP ID not zero
    IdMinus,    // id-: DF not set and IP ID zero
    Ecn,        // ecn: explicit congestion notification
    MbzPlus,    // 0+: the IPv4 "must be zero" flag set
    Flow,       // flow: IPv6 flow label not zero
    SeqMinus,   // seq-: sequence number zero
    AckPlus,    // ack+: ACK number set without the ACK flag
    AckMinus,   // ack-: ACK flag set with a zero ACK number
    UptrPlus,   // uptr+: urgent pointer set without the URG flag
    UrgfPlus,   // urgf+: URG flag set
    PushfPlus,  // pushf+: PUSH flag set
    Ts1Minus,   // ts1-: own timestamp zero
    Ts2Plus,    // ts2+: peer timestamp not zero in a SYN
    OptPlus,    // opt+: non-zero bytes in the padding after EOL
    Exws,       // exws: window scale above 14
    Linux,      // linux: IP ID == (sequence ^ own timestamp) & 0xffff (not in p0f itself)
    Bad,        // bad: malformed options (the TCP data offset is not checked)
};

// The option's olayout name ("mss") and the bytes it takes in a SYN (4).
std::string_view p0f_option_name(P0fOption option);
uint32_t p0f_option_length(P0fOption option);

// The quirk's name in a signature ("id+").
std::string_view p0f_quirk_name(P0fQuirk quirk);

struct P0fSignature {
    int ip_version = 4;        // 4 or 6, or 0 for '*': either (see for_ip_version)
    uint32_t initial_ttl = 0;  // ittl
    bool random_ttl = false;   // "ittl-": no TTL check
    std::optional<uint32_t>
        olen;  // IPv4 options: words (original rules) or bytes (exact); "*": nullopt
    std::optional<uint32_t> mss;  // nullopt for "*"
    P0fWindowSize window_size;
    std::optional<uint32_t> window_scale;  // nullopt for "*"
    std::vector<P0fOption> olayout;        // "eol+N" is P0fOption::Eol, N in eol_padding
    uint32_t eol_padding = 0;              // N of a final "eol+N": bytes after the EOL
    std::set<P0fQuirk> quirks;
    std::optional<bool> payload;  // pclass: nullopt "*", false "0", true "+"

    bool has(P0fQuirk quirk) const { return quirks.count(quirk) != 0; }
};

// Whose reading of the fields: the original bpftools' (olen in 32-bit words) or p0f's own
// (`--exact`: olen in bytes, p0f_exact.h).
enum class P0fRules { Original, Exact };

// Parses a signature, with the original's rules plus the refusals its defects call for.
// Throws UsageError with one line naming the field, its value and the signature, e.g.
// "p0f: invalid ttl field 'x' in signature '4:x:*:*:*,*:::0': ...".
P0fSignature parse_p0f_signature(std::string_view text, P0fRules rules = P0fRules::Original);

// A '*' signature read for one IP version, as p0f matches it against a packet of that
// version: without flow for IPv4, without df, id+ and id- for IPv6. Throws UsageError when
// what is left cannot be checked for that version (an IPv6 reading with 0+ or linux, or
// with IPv4 options). A signature of one version is returned as it is when ip_version is
// its own, and refused for the other.
P0fSignature for_ip_version(const P0fSignature& signature, int ip_version, std::string_view text);

// One pcap-filter condition and what it checks, as the original's `bpfgen -s` comments
// show them ("(ip[8] <= 64): ttl <= 64").
struct P0fCheck {
    std::string expression;
    std::string explanation;

    friend bool operator==(const P0fCheck&, const P0fCheck&) = default;
};

// The checks, in the original's order. Throws UsageError when the signature needs a TCP
// option (for mss, the window scale, mss*N, ts1-, ts2+, exws, linux) olayout lacks.
std::vector<P0fCheck> p0f_checks(const P0fSignature& signature);

// The checks joined with " and ": the expression the generator compiles.
std::string p0f_expression(const std::vector<P0fCheck>& checks);

// "expression: explanation", one per check, as the original's comment lines.
std::vector<std::string> p0f_explanations(const std::vector<P0fCheck>& checks);

}  // namespace bpfgen
