// p0f_exact.cpp: a p0f signature turned into the pcap-filter checks of p0f 3.09b's own
// matching (--exact), taken from what its packet parser computes and how its TCP matcher
// compares:
// - p0f reads the options one after another, advancing by each known option's fixed size
//   whatever its length byte says, and compares the layout exactly; so with the
//   signature's layout the options sit at fixed offsets and the TCP data offset is fixed.
//   A wrong length byte is the 'bad' quirk. When the same option appears twice, the last
//   one's value counts.
// - The quirk sets must be equal: each quirk is checked present or absent.
// - ack+ is "ACK number AND (no RST flag)", a bitwise AND with 0 or 1 on a number read in
//   network order: on a little-endian host (Debian's amd64 p0f) it is bit 0 of the ACK
//   number's first byte.
// - opt+ looks at the bytes after EOL but its loop steps past a non-zero last byte without
//   noticing it: a non-zero byte among all but the last one.
// - mss*N and mtu*N: p0f divides the window by the first of MSS, MSS - 12 (when the own
//   timestamp is not zero), 1460, 1448, (IPv6: 1440, 1428), then as MTU: MSS + 40, MSS +
//   the IP and TCP header length, (IPv6: MSS + 60), 1500, that divides it, and compares the
//   quotient with N and the kind (MSS or MTU) with the signature's; nothing when the window
//   is 0 or the MSS below 100. For SYN+ACKs p0f then tries the MSS of the SYN it saw in the
//   same connection, which a packet filter cannot know: not modelled.
// - p0f does not compare the IP version of a '4' or '6' signature with the packet's; the
//   rule matches the signature's version only.
#include "generators/p0f_exact.h"

#include <cstdlib>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

namespace {

constexpr uint32_t kFirstOptionOffset = 20;
constexpr uint32_t kMaxDistance = 35;     // p0f's MAX_DIST: hops below the initial TTL
constexpr uint32_t kMaxOptionCount = 24;  // p0f's MAX_TCP_OPT: options it records
constexpr uint32_t kLowestMss = 100;      // below it p0f finds no mss*N or mtu*N
constexpr uint32_t kMaxWindow = 65535;

// One of the numbers p0f divides the window by: a constant, or the packet's MSS plus a
// constant (MSS - 12, MSS + 40, ...).
struct Divisor {
    std::optional<uint32_t> constant;  // the divisor when it does not depend on the packet
    int64_t mss_plus = 0;              // else the MSS plus this
    bool mtu = false;                  // p0f calls the quotient an MTU multiple
    bool needs_timestamp = false;      // tried only when the own timestamp is not 0
};

// The MSS values (100 to 65535, those p0f divides by) for which MSS + mss_plus divides
// `multiple`: with them excluded, that divisor does not divide it. A few are checked by
// value; more by "multiple % (MSS + mss_plus)", a constant divided by one packet field
// (libpcap made programs reading scratch memory before writing it when the window, itself
// a packet field, was divided by the MSS in several branches).
std::vector<uint32_t> mss_dividing(uint64_t multiple, int64_t mss_plus) {
    std::vector<uint32_t> values;
    for (uint64_t divisor = 1; divisor <= multiple; ++divisor) {
        if (multiple % divisor != 0) continue;
        const int64_t mss = static_cast<int64_t>(divisor) - mss_plus;
        if (mss >= 100 && mss <= 65535) values.push_back(static_cast<uint32_t>(mss));
    }
    return values;
}

class ExactCheckBuilder {
  public:
    ExactCheckBuilder(const P0fSignature& signature, P0fSection section, std::string_view text)
        : s_(signature), section_(section), text_(text) {}

    std::vector<P0fCheck> build() {
        if (s_.has(P0fQuirk::Linux)) {
            refuse("uses the quirk 'linux', which is not p0f's (--exact has no reading of it)");
        }
        layout_options();
        checks_.push_back({v4() ? "ip" : "ip6", "ip version"});
        if (v4()) {
            if (!s_.olen) {
                refuse("has olen '*', which p0f refuses: --exact needs the IPv4 options length");
            }
            add("ip[9]", "==", "6", "protocol TCP");
            add("(ip[6:2] & 0x3fff)", "==", "0", "not a fragment (p0f skips fragments)");
        } else {
            add("ip6[6]", "==", "6", "next header TCP (p0f reads no extension header)");
        }
        flags();
        ttl();
        olen();
        olayout();
        value_of_option(s_.mss, P0fOption::Mss, 2, 2, "mss");
        window_size();
        value_of_option(s_.window_scale, P0fOption::Ws, 2, 1, "win scale");
        quirks();
        payload_class();
        return std::move(checks_);
    }

  private:
    bool v4() const { return s_.ip_version == 4; }
    bool request() const { return section_ == P0fSection::Request; }

    [[noreturn]] void refuse(const std::string& why) const {
        throw UsageError(fmt::format("p0f: signature {} {} (--exact, [{}], IPv{})",
                                     quote_for_message(text_), why, section_name(section_),
                                     s_.ip_version));
    }

    void add(const std::string& lhs, std::string_view op, const std::string& rhs,
             std::string explanation) {
        checks_.push_back({fmt::format("({} {} {})", lhs, op, rhs), std::move(explanation)});
    }

    // TCP bytes at a fixed offset from the IP header (the IPv4 header length is the
    // signature's): libpcap's tcp[] loads index by the header length in X, and its
    // optimiser loses that X when a check also does arithmetic between two packet fields
    // (mss*N), so exact rules load no byte through X.
    std::string tcp_bytes(uint32_t offset, uint32_t length) const {
        const std::string_view base = v4() ? "ip" : "ip6";
        const uint32_t at = offset + (v4() ? 20 + s_.olen.value_or(0) : 40);
        if (length == 1) return fmt::format("{}[{}]", base, at);
        return fmt::format("{}[{}:{}]", base, at, length);
    }

    std::string flag_bits(uint32_t mask) const {
        return fmt::format("({} & 0x{:x})", tcp_bytes(13, 1), mask);
    }

    // The TCP offset of the last `option` of the layout (the one whose value p0f keeps).
    std::optional<uint32_t> last_offset(P0fOption option) const {
        std::optional<uint32_t> found;
        for (const auto& [each, offset] : option_offsets_) {
            if (each == option) found = offset;
        }
        return found;
    }

    void layout_options() {
        if (s_.olayout.size() > kMaxOptionCount) {
            refuse(fmt::format("has {} options; p0f records at most {}", s_.olayout.size(),
                               kMaxOptionCount));
        }
        uint32_t offset = kFirstOptionOffset;
        for (std::size_t i = 0; i < s_.olayout.size(); ++i) {
            const P0fOption option = s_.olayout[i];
            if (option == P0fOption::Eol && i + 1 != s_.olayout.size()) {
                refuse("has eol before the last option; p0f reads no option after it");
            }
            option_offsets_.emplace_back(option, offset);
            offset += p0f_option_length(option);
        }
        padding_start_ = offset;
        options_length_ = offset + s_.eol_padding - kFirstOptionOffset;
        if (options_length_ % 4 != 0) {
            refuse(fmt::format(
                "has options of {} bytes, not whole 32-bit words: p0f sees more options, or "
                "(with 'bad') the last one cut short, which --exact does not model",
                options_length_));
        }
    }

    void flags() {
        // p0f fingerprints SYNs (to the server) and SYN+ACKs (to the client); FIN and RST
        // make either something else.
        if (request()) {
            add(flag_bits(0x17), "==", "0x2", "SYN without ACK, FIN and RST ([tcp:request])");
        } else {
            add(flag_bits(0x17), "==", "0x12", "SYN+ACK without FIN and RST ([tcp:response])");
        }
    }

    void ttl() {
        const std::string field = v4() ? "ip[8]" : "ip6[7]";
        add(field, "<=", std::to_string(s_.initial_ttl), fmt::format("ttl <= {}", s_.initial_ttl));
        if (s_.random_ttl || s_.initial_ttl <= kMaxDistance) return;
        const uint32_t lowest = s_.initial_ttl - kMaxDistance;
        add(field, ">=", std::to_string(lowest),
            fmt::format("ttl >= {} (at most {} hops)", lowest, kMaxDistance));
    }

    void olen() {
        if (!v4()) return;  // IPv6 signatures take olen 0 only: p0f reads no extension header
        add("(ip[0] & 0xf)", "==", std::to_string(5 + *s_.olen / 4),
            fmt::format("IP options len == {} bytes", *s_.olen));
    }

    void olayout() {
        add(fmt::format("({} >> 4)", tcp_bytes(12, 1)),
            "==", std::to_string(5 + options_length_ / 4),
            fmt::format("TCP options take {} bytes", options_length_));
        std::vector<std::string> wrong_lengths;
        std::vector<std::string> right_lengths;
        for (const auto& [option, offset] : option_offsets_) {
            add(tcp_bytes(offset, 1), "==", std::to_string(static_cast<unsigned>(option)),
                fmt::format("olayout {}", p0f_option_name(option)));
            const uint32_t length = p0f_option_length(option);
            if (length > 1) {
                wrong_lengths.push_back(
                    fmt::format("({} != {})", tcp_bytes(offset + 1, 1), length));
                right_lengths.push_back(
                    fmt::format("({} == {})", tcp_bytes(offset + 1, 1), length));
            }
        }
        if (s_.has(P0fQuirk::Bad)) {
            if (wrong_lengths.empty()) {
                refuse("has the quirk 'bad' but no option with a length byte to be wrong");
            }
            checks_.push_back({any_of(wrong_lengths), "bad: an option's length byte is wrong"});
        } else {
            for (const std::string& right : right_lengths) {
                checks_.push_back({right, "option length right (no 'bad')"});
            }
        }
    }

    static std::string any_of(const std::vector<std::string>& terms) {
        if (terms.size() == 1) return terms.front();
        std::string any;
        for (const std::string& term : terms) any += (any.empty() ? "(" : " or ") + term;
        return any + ")";
    }

    static std::string all_of(const std::vector<std::string>& terms) {
        if (terms.size() == 1) return terms.front();
        std::string all;
        for (const std::string& term : terms) all += (all.empty() ? "(" : " and ") + term;
        return all + ")";
    }

    // mss or the window scale: p0f takes 0 when the option is absent (the parser refused a
    // non-zero value without the option).
    void value_of_option(const std::optional<uint32_t>& value, P0fOption option, uint32_t skip,
                         uint32_t length, std::string_view name) {
        if (!value) return;
        const std::optional<uint32_t> offset = last_offset(option);
        if (!offset) return;
        add(tcp_bytes(*offset + skip, length), "==", std::to_string(*value),
            fmt::format("{} == {}", name, *value));
    }

    std::string window() const { return tcp_bytes(14, 2); }

    std::string mss_field() const {
        const std::optional<uint32_t> offset = last_offset(P0fOption::Mss);
        return offset ? tcp_bytes(*offset + 2, 2) : "0";
    }

    void window_size() {
        using Kind = P0fWindowSize::Kind;
        const uint32_t value = s_.window_size.value;
        switch (s_.window_size.kind) {
            case Kind::Any:
                return;
            case Kind::Value:
                add(window(), "==", std::to_string(value), fmt::format("win size == {}", value));
                return;
            case Kind::Multiple:
                add(fmt::format("({} % {})", window(), value), "==", "0",
                    fmt::format("win size == x * {}", value));
                return;
            case Kind::MssMultiple:
            case Kind::MtuMultiple:
                window_multiple(s_.window_size.kind == Kind::MtuMultiple, value);
                return;
        }
    }

    // p0f's divisors in its order (the peer's MSS of a SYN+ACK left out: see the top).
    std::vector<Divisor> divisors() const {
        std::vector<Divisor> list;
        list.push_back({std::nullopt, 0, false, false});
        if (last_offset(P0fOption::Ts)) list.push_back({std::nullopt, -12, false, true});
        for (uint32_t constant : {1460u, 1448u}) list.push_back({constant, 0, false, false});
        if (!v4()) {
            for (uint32_t constant : {1440u, 1428u}) list.push_back({constant, 0, false, false});
        }
        list.push_back({std::nullopt, 40, true, false});
        const uint32_t headers =
            (v4() ? 20 + s_.olen.value_or(0) : 40) + kFirstOptionOffset + options_length_;
        list.push_back({std::nullopt, headers, true, false});
        if (!v4()) list.push_back({std::nullopt, 60, true, false});
        list.push_back({1500u, 0, true, false});
        return list;
    }

    std::string mss_plus(int64_t plus) const {
        if (plus == 0) return mss_field();
        return plus > 0 ? fmt::format("({} + {})", mss_field(), plus)
                        : fmt::format("({} - {})", mss_field(), -plus);
    }

    // "MSS is none of these": the values for which an earlier divisor would divide.
    std::string mss_not_in(const std::vector<uint32_t>& values) const {
        std::vector<std::string> checks;
        for (uint32_t value : values)
            checks.push_back(fmt::format("({} != {})", mss_field(), value));
        return all_of(checks);
    }

    // That `earlier` does not divide the window of a term whose window is `window` (a
    // constant) or MSS + `plus` times N: "" when always so, nullopt when never.
    std::optional<std::string> not_divided_by(const Divisor& earlier,
                                              std::optional<uint32_t> window, int64_t plus,
                                              uint32_t multiplier) const {
        std::string check;
        if (earlier.constant) {
            if (window) {
                if (*window % *earlier.constant == 0) return std::nullopt;
                return std::string();
            }
            check = fmt::format("(({} % {}) != 0)", this->window(), *earlier.constant);
        } else {
            // MSS + e divides (MSS + plus) * N exactly when it divides (plus - e) * N.
            const uint64_t multiple =
                window ? *window
                       : static_cast<uint64_t>(std::llabs(plus - earlier.mss_plus)) * multiplier;
            if (multiple == 0) return std::nullopt;  // the same divisor: p0f took it first
            const std::vector<uint32_t> values = mss_dividing(multiple, earlier.mss_plus);
            if (values.empty()) return std::string();
            check = values.size() <= 3
                        ? mss_not_in(values)
                        : fmt::format("(({} % {}) != 0)", multiple, mss_plus(earlier.mss_plus));
        }
        if (earlier.needs_timestamp) {
            check = fmt::format("(({} == 0) or {})", timestamp_field(), check);
        }
        return check;
    }

    std::string timestamp_field() const { return tcp_bytes(*last_offset(P0fOption::Ts) + 2, 4); }

    void window_multiple(bool mtu, uint32_t multiplier) {
        const std::string name = fmt::format("win size == {}*{}", mtu ? "mtu" : "mss", multiplier);
        if (multiplier == 0) refuse("has window size " + name + "; p0f takes 1 to 1000");
        if (!last_offset(P0fOption::Mss)) {
            refuse("has window size " + name + " without the mss option; p0f needs an MSS");
        }
        const std::vector<Divisor> list = divisors();
        std::vector<std::string> terms;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const Divisor& divisor = list[i];
            if (divisor.mtu != mtu) continue;
            std::vector<std::string> term;
            std::optional<uint32_t> window_value;
            if (divisor.constant) {
                const uint32_t product = *divisor.constant * multiplier;
                if (product > kMaxWindow) continue;
                window_value = product;
                term.push_back(fmt::format("({} == {})", window(), product));
            } else {
                term.push_back(fmt::format("({} == ({} * {}))", window(),
                                           mss_plus(divisor.mss_plus), multiplier));
            }
            if (divisor.needs_timestamp)
                term.push_back(fmt::format("({} != 0)", timestamp_field()));
            bool possible = true;
            for (std::size_t j = 0; j < i && possible; ++j) {
                const std::optional<std::string> check =
                    not_divided_by(list[j], window_value, divisor.mss_plus, multiplier);
                if (!check) possible = false;
                if (check && !check->empty()) term.push_back(*check);
            }
            if (possible) terms.push_back(all_of(term));
        }
        if (terms.empty()) refuse("has window size " + name + ", which p0f finds in no window");
        // p0f tries no divisor for a zero window or an MSS below 100.
        add(mss_field(), ">=", std::to_string(kLowestMss), name + ": mss >= 100");
        add(window(), "!=", "0", name + ": win size != 0");
        checks_.push_back({any_of(terms), name + " (p0f's first dividing divisor)"});
    }

    // The quirk is present when the signature has it, absent when not.
    void quirk(P0fQuirk which, const std::string& present, const std::string& absent) {
        const bool has = s_.has(which);
        checks_.push_back({has ? present : absent,
                           fmt::format("{} {}", p0f_quirk_name(which), has ? "set" : "not set")});
    }

    // A quirk p0f never computes for these packets: refused when the signature has it.
    void never(P0fQuirk which, std::string_view why) const {
        if (s_.has(which)) {
            refuse(fmt::format("has the quirk {}, which p0f never finds {}",
                               quote_for_message(p0f_quirk_name(which)), why));
        }
    }

    void quirks() {
        if (v4()) {
            // df, id+ (DF and ID not zero) and id- (no DF and ID zero), as one check.
            const bool df = s_.has(P0fQuirk::Df);
            if (s_.has(P0fQuirk::IdPlus) && !df) {
                refuse("has the quirk 'id+' without 'df'; p0f sets id+ only with DF");
            }
            const bool id_zero = df ? !s_.has(P0fQuirk::IdPlus) : s_.has(P0fQuirk::IdMinus);
            add("(ip[6] & 0x40)", df ? "!=" : "==", "0", df ? "df set" : "df not set");
            add("ip[4:2]", id_zero ? "==" : "!=", "0",
                fmt::format("ip id {}0 ({})", id_zero ? "== " : "!= ",
                            df ? (id_zero ? "no id+" : "id+") : (id_zero ? "id-" : "no id-")));
            quirk(P0fQuirk::MbzPlus, "((ip[6] & 0x80) != 0)", "((ip[6] & 0x80) == 0)");
        } else {
            quirk(P0fQuirk::Flow, "((ip6[0:4] & 0xfffff) != 0)", "((ip6[0:4] & 0xfffff) == 0)");
        }
        const std::string ecn_ip = v4() ? "(ip[1] & 0x3)" : "(ip6[1] & 0x30)";
        const std::string ns = fmt::format("({} & 0x1)", tcp_bytes(12, 1));
        quirk(P0fQuirk::Ecn,
              fmt::format("(({} != 0) or ({} != 0) or ({} != 0))", ecn_ip, flag_bits(0xc0), ns),
              fmt::format("(({} == 0) and ({} == 0) and ({} == 0))", ecn_ip, flag_bits(0xc0), ns));
        quirk(P0fQuirk::SeqMinus, fmt::format("({} == 0)", tcp_bytes(4, 4)),
              fmt::format("({} != 0)", tcp_bytes(4, 4)));
        if (request()) {
            never(P0fQuirk::AckMinus, "without the ACK flag");
            const std::string bit = fmt::format("({} & 0x1)", tcp_bytes(8, 1));
            quirk(P0fQuirk::AckPlus, fmt::format("({} != 0)", bit), fmt::format("({} == 0)", bit));
        } else {
            never(P0fQuirk::AckPlus, "with the ACK flag");
            quirk(P0fQuirk::AckMinus, fmt::format("({} == 0)", tcp_bytes(8, 4)),
                  fmt::format("({} != 0)", tcp_bytes(8, 4)));
        }
        const std::string urg = flag_bits(0x20);
        const std::string pointer = tcp_bytes(18, 2);
        quirk(P0fQuirk::UrgfPlus, fmt::format("({} != 0)", urg), fmt::format("({} == 0)", urg));
        quirk(P0fQuirk::UptrPlus, fmt::format("(({} == 0) and ({} != 0))", urg, pointer),
              fmt::format("(({} != 0) or ({} == 0))", urg, pointer));
        quirk(P0fQuirk::PushfPlus, fmt::format("({} != 0)", flag_bits(0x08)),
              fmt::format("({} == 0)", flag_bits(0x08)));
        timestamp_quirks();
        if (const std::optional<uint32_t> ws = last_offset(P0fOption::Ws)) {
            const std::string scale = tcp_bytes(*ws + 2, 1);
            quirk(P0fQuirk::Exws, fmt::format("({} > 14)", scale),
                  fmt::format("({} <= 14)", scale));
        }
        padding_quirk();
    }

    void timestamp_quirks() {
        const std::optional<uint32_t> ts = last_offset(P0fOption::Ts);
        if (!ts) return;  // the parser refused ts1- and ts2+ without the option
        quirk(P0fQuirk::Ts1Minus, fmt::format("({} == 0)", tcp_bytes(*ts + 2, 4)),
              fmt::format("({} != 0)", tcp_bytes(*ts + 2, 4)));
        if (!request()) {
            never(P0fQuirk::Ts2Plus, "in a SYN+ACK (it looks at SYNs only)");
            return;
        }
        quirk(P0fQuirk::Ts2Plus, fmt::format("({} != 0)", tcp_bytes(*ts + 6, 4)),
              fmt::format("({} == 0)", tcp_bytes(*ts + 6, 4)));
    }

    // opt+: a non-zero byte after EOL, but not the last one (p0f's loop misses that).
    void padding_quirk() {
        const uint32_t looked_at = s_.eol_padding > 0 ? s_.eol_padding - 1 : 0;
        if (looked_at == 0) {
            never(P0fQuirk::OptPlus, "with fewer than 2 bytes after EOL");
            return;
        }
        std::vector<std::string> nonzero;
        std::vector<std::string> zero;
        for (uint32_t at = padding_start_, left = looked_at; left > 0;) {
            const uint32_t size = left >= 4 ? 4 : left >= 2 ? 2 : 1;
            nonzero.push_back(fmt::format("({} != 0)", tcp_bytes(at, size)));
            zero.push_back(fmt::format("({} == 0)", tcp_bytes(at, size)));
            at += size;
            left -= size;
        }
        quirk(P0fQuirk::OptPlus, any_of(nonzero), all_of(zero));
    }

    void payload_class() {
        if (!s_.payload) return;
        // The headers' lengths are the signature's (checked above).
        const uint32_t headers =
            (v4() ? 20 + s_.olen.value_or(0) : 0) + kFirstOptionOffset + options_length_;
        const std::string length =
            v4() ? fmt::format("(ip[2:2] - {})", headers) : fmt::format("(ip6[4:2] - {})", headers);
        const std::string_view op = *s_.payload ? "!=" : "==";
        add(length, op, "0", fmt::format("payload len {} 0", op));
    }

    const P0fSignature& s_;
    const P0fSection section_;
    const std::string_view text_;
    std::vector<std::pair<P0fOption, uint32_t>> option_offsets_;  // TCP offset of each option
    uint32_t padding_start_ = 0;
    uint32_t options_length_ = 0;
    std::vector<P0fCheck> checks_;
};

}  // namespace

std::vector<P0fCheck> p0f_exact_checks(const P0fSignature& reading, P0fSection section,
                                       std::string_view text) {
    if (reading.ip_version != 4 && reading.ip_version != 6) {
        throw Error("p0f: a '*' signature is checked through its reading for one IP version");
    }
    return ExactCheckBuilder(reading, section, text).build();
}

}  // namespace bpfgen
