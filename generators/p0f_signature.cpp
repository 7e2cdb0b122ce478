// p0f_signature.cpp: parsing p0f v3 TCP signatures and turning them into the original
// bpftools' pcap-filter checks.
//
// Kept from the original because its reference outputs depend on them (and documented in
// the generator's help):
// - olen counts 32-bit words of IPv4 options (IP header length == 5 + olen); p0f counts
//   bytes.
// - With both df and id+, only "DF set" is checked (df wins the original's if/elif chain).
// - ecn looks at bit 0x2 of the TOS byte only (of the traffic class for IPv6, which the
//   original refused); flow at the low 16 bits of the flow label.
// - IPv6 checks read TCP at a fixed offset 40 and do not check the next header is TCP.
// - mss 0 and window scale 0 are not checked; a "ttl-" (random TTL) is not checked.
// - EOL padding is checked in chunks of 4, 2 or 1 bytes, the size chosen from the whole
//   padding length.
// - linux (not a p0f quirk) checks IP ID == (sequence ^ own timestamp) & 0xffff.
//
// Fixed: the original could read past the padding (its chunks kept their first size to the
// end, so eol+3 read 4 bytes and eol+5 read 8; here the last chunks shrink to what is
// left), and with opt+ it wanted every chunk non-zero where p0f means any byte. It wrote
// numbers as typed ("01460" reached libpcap as octal); here they are decimal. It accepted
// pclass values merely starting with 0, + or *. It failed with a traceback when a check
// needed an option olayout lacks, and silently dropped quirks of the other IP version.
#include "generators/p0f_signature.h"

#include <array>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/text.h"

namespace bpfgen {

namespace {

constexpr std::size_t kFieldCount = 8;
constexpr uint32_t kMaxTcpOptionBytes = 40;   // data offset 15 words, less the fixed 20 bytes
constexpr uint32_t kMaxIpv4OptionWords = 10;  // header length 15 words, less the fixed 5
constexpr uint32_t kFirstOptionOffset = 20;   // options start after the fixed TCP header
constexpr uint32_t kAssumedMtu = 1500;        // the original's value for mtu*N

struct QuirkName {
    std::string_view name;
    P0fQuirk quirk;
};

constexpr std::array<QuirkName, 18> kQuirkNames = {{
    {"df", P0fQuirk::Df},
    {"id+", P0fQuirk::IdPlus},
    {"id-", P0fQuirk::IdMinus},
    {"ecn", P0fQuirk::Ecn},
    {"0+", P0fQuirk::MbzPlus},
    {"flow", P0fQuirk::Flow},
    {"seq-", P0fQuirk::SeqMinus},
    {"ack+", P0fQuirk::AckPlus},
    {"ack-", P0fQuirk::AckMinus},
    {"uptr+", P0fQuirk::UptrPlus},
    {"urgf+", P0fQuirk::UrgfPlus},
    {"pushf+", P0fQuirk::PushfPlus},
    {"ts1-", P0fQuirk::Ts1Minus},
    {"ts2+", P0fQuirk::Ts2Plus},
    {"opt+", P0fQuirk::OptPlus},
    {"exws", P0fQuirk::Exws},
    {"linux", P0fQuirk::Linux},
    {"bad", P0fQuirk::Bad},
}};

std::string_view quirk_name(P0fQuirk quirk) {
    for (const QuirkName& entry : kQuirkNames) {
        if (entry.quirk == quirk) return entry.name;
    }
    return "?";
}

struct OptionInfo {
    std::string_view name;
    P0fOption option;
    uint32_t length;  // bytes the option takes in a SYN
};

constexpr std::array<OptionInfo, 6> kOptions = {{
    {"eol", P0fOption::Eol, 1},
    {"nop", P0fOption::Nop, 1},
    {"mss", P0fOption::Mss, 4},
    {"ws", P0fOption::Ws, 3},
    {"sok", P0fOption::Sok, 2},
    {"ts", P0fOption::Ts, 10},
}};

const OptionInfo& option_info(P0fOption option) {
    for (const OptionInfo& info : kOptions) {
        if (info.option == option) return info;
    }
    return kOptions[0];
}

// A decimal number of at most max (leading zeros allowed, as p0f reads them); nullopt
// for anything else.
std::optional<uint32_t> parse_number(std::string_view text, uint32_t max) {
    const std::optional<uint64_t> value = parse_decimal(text, max);
    if (!value) return std::nullopt;
    return static_cast<uint32_t>(*value);
}

// The original skipped, without a word, the quirks it checks for one IP version only.
void check_quirks_fit_version(const P0fSignature& signature, std::string_view text) {
    static constexpr std::array kIpv4Only = {P0fQuirk::Df, P0fQuirk::IdPlus, P0fQuirk::IdMinus,
                                             P0fQuirk::MbzPlus, P0fQuirk::Linux};
    for (P0fQuirk quirk : kIpv4Only) {
        if (signature.ip_version == 6 && signature.has(quirk)) {
            throw UsageError(
                fmt::format("p0f: quirk {} in signature {} is checked for IPv4 signatures only",
                            quote_for_message(quirk_name(quirk)), quote_for_message(text)));
        }
    }
    if (signature.ip_version == 4 && signature.has(P0fQuirk::Flow)) {
        throw UsageError(
            fmt::format("p0f: quirk 'flow' in signature {} is checked for IPv6 signatures "
                        "only (IPv4 has no flow label)",
                        quote_for_message(text)));
    }
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

class SignatureParser {
  public:
    SignatureParser(std::string_view text, P0fRules rules) : text_(text), rules_(rules) {}

    P0fSignature parse() {
        const std::vector<std::string_view> fields = split(text_, ':');
        if (fields.size() != kFieldCount) {
            throw UsageError(fmt::format(
                "p0f: signature {} has {} field{}, expected 8 "
                "(ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass)",
                quote_for_message(text_), fields.size(), fields.size() == 1 ? "" : "s"));
        }
        parse_version(fields[0]);
        parse_ttl(fields[1]);
        parse_olen(fields[2]);
        parse_mss(fields[3]);
        parse_window(fields[4]);
        parse_olayout(fields[5]);
        parse_quirks(fields[6]);
        parse_pclass(fields[7]);
        olayout_text_ = fields[5];
        check_needed_options();
        return signature_;
    }

  private:
    [[noreturn]] void invalid(std::string_view field, std::string_view value,
                              std::string_view expected) const {
        throw UsageError(fmt::format("p0f: invalid {} field {} in signature {}: {}", field,
                                     quote_for_message(value), quote_for_message(text_), expected));
    }

    void parse_version(std::string_view field) {
        if (field == "4" || field == "6") {
            signature_.ip_version = field == "4" ? 4 : 6;
        } else if (field == "*") {
            signature_.ip_version = 0;
        } else {
            invalid("version", field, "expected 4, 6 or *");
        }
    }

    void parse_ttl(std::string_view field) {
        std::string_view digits = field;
        if (!digits.empty() && digits.back() == '-') {
            digits.remove_suffix(1);
            signature_.random_ttl = true;
        }
        const std::optional<uint32_t> ttl = parse_number(digits, 255);
        if (!ttl || *ttl == 0) {
            invalid("ttl", field,
                    "expected the initial TTL, 1 to 255, followed by '-' when it is random");
        }
        signature_.initial_ttl = *ttl;
    }

    void parse_olen(std::string_view field) {
        if (field == "*") return;
        if (signature_.ip_version == 6) {
            if (field.find_first_not_of('0') == std::string_view::npos && !field.empty()) {
                signature_.olen = 0;
                return;
            }
            invalid("olen", field,
                    "expected * or 0: the rule reads TCP right after the IPv6 header, so "
                    "extension headers are not supported");
        }
        if (rules_ == P0fRules::Exact) {
            // p0f counts bytes; an IPv4 header holds them in whole 32-bit words.
            signature_.olen = parse_number(field, kMaxIpv4OptionWords * 4);
            if (!signature_.olen || *signature_.olen % 4 != 0) {
                invalid("olen", field,
                        "expected * or the IPv4 options length in bytes, a multiple of 4 from 0 "
                        "to 40 (p0f's reading, --exact)");
            }
            return;
        }
        signature_.olen = parse_number(field, kMaxIpv4OptionWords);
        if (!signature_.olen) {
            invalid("olen", field,
                    "expected * or the IPv4 options length in 32-bit words, 0 to 10");
        }
    }

    void parse_mss(std::string_view field) {
        if (field == "*") return;
        signature_.mss = parse_number(field, 65535);
        if (!signature_.mss) invalid("mss", field, "expected * or a number from 0 to 65535");
    }

    void parse_window(std::string_view field) {
        const std::vector<std::string_view> parts = split(field, ',');
        if (parts.size() != 2) {
            invalid("window", field, "expected the window size and scale as wsize,scale");
        }
        parse_window_size(parts[0]);
        parse_window_scale(parts[1]);
    }

    void parse_window_size(std::string_view field) {
        using Kind = P0fWindowSize::Kind;
        P0fWindowSize& size = signature_.window_size;
        if (field == "*") return;
        std::string_view number = field;
        uint32_t min = 0;
        if (starts_with(field, "mss*")) {
            size.kind = Kind::MssMultiple;
            number.remove_prefix(4);
        } else if (starts_with(field, "mtu*")) {
            size.kind = Kind::MtuMultiple;
            number.remove_prefix(4);
        } else if (starts_with(field, "%")) {
            size.kind = Kind::Multiple;
            number.remove_prefix(1);
            min = 1;  // %0 would divide by zero
        } else {
            size.kind = Kind::Value;
        }
        const std::optional<uint32_t> value = parse_number(number, 65535);
        if (!value || *value < min) {
            invalid("window size", field,
                    "expected *, a number from 0 to 65535, mss*N, mtu*N or %N (N from 1 to "
                    "65535 for %N)");
        }
        size.value = *value;
    }

    void parse_window_scale(std::string_view field) {
        if (field == "*") return;
        signature_.window_scale = parse_number(field, 255);
        if (!signature_.window_scale) {
            invalid("window scale", field, "expected * or a number from 0 to 255");
        }
    }

    void parse_olayout(std::string_view field) {
        if (field.empty()) return;
        uint32_t bytes = 0;
        const std::vector<std::string_view> names = split(field, ',');
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::string_view name = names[i];
            if (starts_with(name, "eol+")) {
                const std::optional<uint32_t> padding = parse_number(name.substr(4), 255);
                if (!padding) {
                    throw UsageError(fmt::format(
                        "p0f: invalid olayout option {} in signature {}: eol+N takes N from 0 "
                        "to 255 bytes of padding",
                        quote_for_message(name), quote_for_message(text_)));
                }
                if (i + 1 != names.size()) {
                    throw UsageError(fmt::format(
                        "p0f: olayout option {} in signature {} must be the last one (the "
                        "padding follows the end of the options)",
                        quote_for_message(name), quote_for_message(text_)));
                }
                signature_.olayout.push_back(P0fOption::Eol);
                signature_.eol_padding = *padding;
                bytes += 1 + *padding;
                continue;
            }
            const OptionInfo* found = nullptr;
            for (const OptionInfo& info : kOptions) {
                if (info.name == name) found = &info;
            }
            if (found == nullptr) {
                throw UsageError(fmt::format(
                    "p0f: invalid olayout option {} in signature {}: expected eol, nop, mss, "
                    "ws, sok, ts or eol+N",
                    quote_for_message(name), quote_for_message(text_)));
            }
            signature_.olayout.push_back(found->option);
            bytes += found->length;
        }
        if (bytes > kMaxTcpOptionBytes) {
            throw UsageError(fmt::format(
                "p0f: olayout {} in signature {} takes {} bytes; a TCP header holds at most {} "
                "bytes of options",
                quote_for_message(field), quote_for_message(text_), bytes, kMaxTcpOptionBytes));
        }
    }

    void parse_quirks(std::string_view field) {
        // As the original, empty entries ("df,,id+" or an empty field) are no quirk.
        for (std::string_view name : split(field, ',')) {
            if (name.empty()) continue;
            const QuirkName* found = nullptr;
            for (const QuirkName& entry : kQuirkNames) {
                if (entry.name == name) found = &entry;
            }
            if (found == nullptr) {
                throw UsageError(fmt::format(
                    "p0f: invalid quirk {} in signature {}: expected df, id+, id-, ecn, 0+, "
                    "flow, seq-, ack+, ack-, uptr+, urgf+, pushf+, ts1-, ts2+, opt+, exws, "
                    "linux or bad",
                    quote_for_message(name), quote_for_message(text_)));
            }
            signature_.quirks.insert(found->quirk);
        }
        if (signature_.ip_version != 0) check_quirks_fit_version(signature_, text_);
        refuse_together(P0fQuirk::IdPlus, P0fQuirk::IdMinus);
        refuse_together(P0fQuirk::Df, P0fQuirk::IdMinus);
        refuse_together(P0fQuirk::AckPlus, P0fQuirk::AckMinus);
        refuse_together(P0fQuirk::UptrPlus, P0fQuirk::UrgfPlus);
    }

    // Pairs that say opposite things of one field: the original kept the first silently.
    void refuse_together(P0fQuirk first, P0fQuirk second) const {
        if (signature_.has(first) && signature_.has(second)) {
            throw UsageError(
                fmt::format("p0f: quirks {} and {} in signature {} contradict "
                            "each other",
                            quote_for_message(quirk_name(first)),
                            quote_for_message(quirk_name(second)), quote_for_message(text_)));
        }
    }

    void parse_pclass(std::string_view field) {
        if (field == "0") {
            signature_.payload = false;
        } else if (field == "+") {
            signature_.payload = true;
        } else if (field != "*") {
            invalid("pclass", field, "expected 0 (no payload), + (payload) or *");
        }
    }

    bool in_olayout(P0fOption option) const {
        for (P0fOption each : signature_.olayout) {
            if (each == option) return true;
        }
        return false;
    }

    void need(P0fOption option, const std::string& user) const {
        if (in_olayout(option)) return;
        throw UsageError(fmt::format(
            "p0f: {} in signature {} reads the {} option, which olayout {} does not have", user,
            quote_for_message(text_), option_info(option).name, quote_for_message(olayout_text_)));
    }

    // The original failed with a traceback here, after parsing, in the same order.
    void check_needed_options() const {
        const P0fSignature& s = signature_;
        if (s.mss && *s.mss != 0) need(P0fOption::Mss, fmt::format("mss {}", *s.mss));
        if (s.window_size.kind == P0fWindowSize::Kind::MssMultiple) {
            need(P0fOption::Mss, fmt::format("window size mss*{}", s.window_size.value));
        }
        if (s.window_scale && *s.window_scale != 0) {
            need(P0fOption::Ws, fmt::format("window scale {}", *s.window_scale));
        }
        for (P0fQuirk quirk : {P0fQuirk::Ts1Minus, P0fQuirk::Ts2Plus}) {
            if (s.has(quirk)) need(P0fOption::Ts, fmt::format("quirk '{}'", quirk_name(quirk)));
        }
        if (s.has(P0fQuirk::Exws)) need(P0fOption::Ws, "quirk 'exws'");
        if (s.has(P0fQuirk::Linux)) need(P0fOption::Ts, "quirk 'linux'");
    }

    std::string_view text_;
    P0fRules rules_;
    std::string_view olayout_text_;
    P0fSignature signature_;
};

// The pcap-filter spelling of the fields the checks read, for one IP version.
struct FieldNames {
    std::string ip_version;
    std::string ttl;
    std::string header_length, ecn, total_length, ip_id, df, mbz;  // IPv4 only
    std::string payload_length, flow;                              // IPv6 only
    std::string window_size, data_offset, seq, ack_flag, ack, urg_flag, urg, push_flag;
};

FieldNames field_names(int ip_version) {
    FieldNames f;
    if (ip_version == 4) {
        f.ip_version = "ip";
        f.ttl = "ip[8]";
        f.header_length = "(ip[0] & 0xf)";
        f.ecn = "(ip[1] & 0x2)";
        f.total_length = "ip[2:2]";
        f.ip_id = "ip[4:2]";
        f.df = "(ip[6] & 0x40)";
        f.mbz = "(ip[6] & 0x80)";
        f.window_size = "tcp[14:2]";
        f.data_offset = "(tcp[12] >> 4)";
        f.seq = "tcp[4:4]";
        f.ack_flag = "(tcp[tcpflags] & tcp-ack)";
        f.ack = "tcp[8:4]";
        f.urg_flag = "(tcp[tcpflags] & tcp-urg)";
        f.urg = "tcp[18:2]";
        f.push_flag = "(tcp[tcpflags] & tcp-push)";
        return f;
    }
    // TCP is taken to follow the 40-byte header directly.
    f.ip_version = "ip6";
    f.ttl = "(ip6[7])";
    f.payload_length = "(ip6[4:2])";
    f.flow = "(ip6[2:2])";
    f.ecn = "(ip6[1] & 0x20)";  // bit 0x2 of the traffic class, as of IPv4's TOS
    f.window_size = "ip6[(40 + 14):2]";
    f.data_offset = "(ip6[40 + 12] >> 4)";
    f.seq = "ip6[(40 + 4):4]";
    f.ack_flag = "(ip6[40 + tcpflags] & tcp-ack)";
    f.ack = "ip6[(40 + 8):4]";
    f.urg_flag = "(ip6[40 + tcpflags] & tcp-urg)";
    f.urg = "ip6[(40 + 18):2]";
    f.push_flag = "(ip6[40 + tcpflags] & tcp-push)";
    return f;
}

class CheckBuilder {
  public:
    explicit CheckBuilder(const P0fSignature& signature)
        : s_(signature), f_(field_names(signature.ip_version)) {
        layout_options();
    }

    std::vector<P0fCheck> build() {
        checks_.push_back({f_.ip_version, "ip version"});
        ttl();
        olen();
        mss();
        window_size();
        window_scale();
        olayout();
        quirks();
        payload_class();
        return std::move(checks_);
    }

  private:
    bool v4() const { return s_.ip_version == 4; }

    void add(std::string lhs, std::string_view op, std::string rhs, std::string explanation) {
        checks_.push_back({fmt::format("({} {} {})", lhs, op, rhs), std::move(explanation)});
    }

    // "tcp[24:2]" or "ip6[(40 + 24):2]": length bytes at TCP offset.
    std::string tcp_bytes(uint32_t offset, uint32_t length) const {
        return v4() ? fmt::format("tcp[{}:{}]", offset, length)
                    : fmt::format("ip6[(40 + {}):{}]", offset, length);
    }

    // The bytes at `skip` into the first `option` of olayout.
    std::string option_bytes(P0fOption option, uint32_t skip, uint32_t length) const {
        for (const auto& [each, offset] : option_offsets_) {
            if (each == option) return tcp_bytes(offset + skip, length);
        }
        throw UsageError(fmt::format("p0f: the signature needs the {} option, absent from olayout",
                                     option_info(option).name));
    }

    void layout_options() {
        uint32_t offset = kFirstOptionOffset;
        for (P0fOption option : s_.olayout) {
            option_offsets_.emplace_back(option, offset);
            offset += option_info(option).length;
        }
        padding_start_ = offset;
        options_length_ = offset + s_.eol_padding - kFirstOptionOffset;
    }

    void ttl() {
        if (s_.random_ttl) return;
        add(f_.ttl, "<=", std::to_string(s_.initial_ttl), fmt::format("ttl <= {}", s_.initial_ttl));
        // A TTL more than 35 hops below its initial value is not this host's. Below an
        // initial 35 there is no such bound (the original compared with ittl - 35 < 0,
        // which libpcap took as a huge unsigned number: its rule never matched).
        if (s_.initial_ttl >= 35) {
            const uint32_t lowest = s_.initial_ttl - 35;
            add(f_.ttl, ">", std::to_string(lowest), fmt::format("ttl > {}", lowest));
        }
    }

    void olen() {
        if (!v4() || !s_.olen) return;
        add(f_.header_length, "==", std::to_string(5 + *s_.olen),
            fmt::format("IP options len == {}", *s_.olen));
    }

    void mss() {
        if (!s_.mss || *s_.mss == 0) return;
        add(option_bytes(P0fOption::Mss, 2, 2), "==", std::to_string(*s_.mss),
            fmt::format("mss == {}", *s_.mss));
    }

    void window_size() {
        using Kind = P0fWindowSize::Kind;
        const uint32_t value = s_.window_size.value;
        switch (s_.window_size.kind) {
            case Kind::Any:
                return;
            case Kind::Value:
                add(f_.window_size, "==", std::to_string(value),
                    fmt::format("win size == {}", value));
                return;
            case Kind::MssMultiple:
                add(f_.window_size,
                    "==", fmt::format("({} * {})", option_bytes(P0fOption::Mss, 2, 2), value),
                    fmt::format("win size == mss * {}", value));
                return;
            case Kind::MtuMultiple:
                add(f_.window_size, "==", fmt::format("({} * {})", kAssumedMtu, value),
                    "win size == mtu");
                return;
            case Kind::Multiple:
                add(fmt::format("({} % {})", f_.window_size, value), "==", "0",
                    fmt::format("win size == x * {}", value));
                return;
        }
    }

    void window_scale() {
        if (!s_.window_scale || *s_.window_scale == 0) return;
        add(option_bytes(P0fOption::Ws, 2, 1), "==", std::to_string(*s_.window_scale),
            fmt::format("win scale == {}", *s_.window_scale));
    }

    void olayout() {
        if (!s_.has(P0fQuirk::Bad)) {
            const auto words = static_cast<uint32_t>(std::ceil(options_length_ / 4.0));
            add(f_.data_offset, "==", std::to_string(5 + words), "TCP data offset");
        }
        for (const auto& [option, offset] : option_offsets_) {
            const std::string byte =
                v4() ? fmt::format("tcp[{}]", offset) : fmt::format("ip6[40 + {}]", offset);
            add(byte, "==", std::to_string(static_cast<unsigned>(option)),
                fmt::format("olayout {}", option_info(option).name));
        }
        eol_padding();
    }

    void eol_padding() {
        // The chunk size comes from the whole padding, as the original chose it; the last
        // chunks shrink so that no check reads past the padding.
        const uint32_t padding = s_.eol_padding;
        const uint32_t chunk = padding >= 4 ? 4 : padding >= 2 ? 2 : 1;
        const bool nonzero = s_.has(P0fQuirk::OptPlus);
        const std::string_view op = nonzero ? "!=" : "==";
        std::vector<std::string> chunks;
        for (uint32_t at = padding_start_, left = padding; left > 0;) {
            uint32_t size = chunk;
            while (size > left) size /= 2;
            chunks.push_back(fmt::format("({} {} 0)", tcp_bytes(at, size), op));
            at += size;
            left -= size;
        }
        const std::string explanation = fmt::format("eol pad {} 0", op);
        if (nonzero && chunks.size() > 1) {
            // opt+: some byte of the padding is not zero.
            std::string any;
            for (const std::string& each : chunks) {
                any += any.empty() ? "(" : " or ";
                any += each;
            }
            checks_.push_back({any + ")", explanation});
            return;
        }
        for (std::string& each : chunks) checks_.push_back({std::move(each), explanation});
    }

    void quirks() {
        if (v4()) {
            if (s_.has(P0fQuirk::Df)) {
                add(f_.df, "!=", "0", "df set");
            } else if (s_.has(P0fQuirk::IdPlus)) {
                add(f_.df, "!=", "0", "id+ (df set)");
                add(f_.ip_id, "!=", "0", "id+ (id set) ");
            } else if (s_.has(P0fQuirk::IdMinus)) {
                add(f_.df, "==", "0", "id- (df not set)");
                add(f_.ip_id, "==", "0", "id- (id not set)");
            }
            if (s_.has(P0fQuirk::Ecn)) add(f_.ecn, "!=", "0", "ecn");
            if (s_.has(P0fQuirk::MbzPlus)) {
                add(f_.mbz, "!=", "0", "mbz non zero");
            } else {
                add(f_.mbz, "==", "0", "mbz zero");
            }
        }
        if (!v4() && s_.has(P0fQuirk::Ecn)) add(f_.ecn, "!=", "0", "ecn");
        if (!v4() && s_.has(P0fQuirk::Flow)) add(f_.flow, "!=", "0", "flow");
        if (s_.has(P0fQuirk::SeqMinus)) add(f_.seq, "==", "0", "seq- (seq num not set)");
        if (s_.has(P0fQuirk::AckPlus)) {
            add(f_.ack_flag, "==", "0", "ack+ (ack flag not set)");
            add(f_.ack, "!=", "0", "ack+ (ack num set)");
        } else if (s_.has(P0fQuirk::AckMinus)) {
            add(f_.ack_flag, "!=", "0", "ack- (ack flag set)");
            add(f_.ack, "==", "0", "ack- (ack num not set)");
        }
        if (s_.has(P0fQuirk::UptrPlus)) {
            add(f_.urg_flag, "==", "0", "uptr+ (urg flag not set)");
            add(f_.urg, "!=", "0", "uptr+ (urg ptr set)");
        } else if (s_.has(P0fQuirk::UrgfPlus)) {
            add(f_.urg_flag, "!=", "0", "urgf+ (urg flag set)");
        }
        if (s_.has(P0fQuirk::PushfPlus)) add(f_.push_flag, "!=", "0", "pushf+ (psh flag set)");
        if (s_.has(P0fQuirk::Ts1Minus)) {
            add(option_bytes(P0fOption::Ts, 2, 4), "==", "0", "ts1- (ts1 not set)");
        }
        if (s_.has(P0fQuirk::Ts2Plus)) {
            add(option_bytes(P0fOption::Ts, 6, 4), "!=", "0", "ts2+ (ts2 set)");
        }
        if (s_.has(P0fQuirk::Exws)) add(option_bytes(P0fOption::Ws, 2, 1), ">", "14", "exws");
        if (v4() && s_.has(P0fQuirk::Linux)) {
            add(f_.ip_id, "==",
                fmt::format("(({} ^ {}) & 0xffff)", f_.seq, option_bytes(P0fOption::Ts, 2, 4)),
                "linux");
        }
    }

    void payload_class() {
        if (!s_.payload) return;
        const std::string length =
            v4() ? fmt::format("({} - ({} * 4) - ({} * 4))", f_.total_length, f_.header_length,
                               f_.data_offset)
                 : fmt::format("({} - ({} * 4))", f_.payload_length, f_.data_offset);
        const std::string_view op = *s_.payload ? "!=" : "==";
        add(length, op, "0", fmt::format("payload len {} 0", op));
    }

    const P0fSignature& s_;
    const FieldNames f_;
    std::vector<std::pair<P0fOption, uint32_t>> option_offsets_;  // TCP offset of each option
    uint32_t padding_start_ = 0;
    uint32_t options_length_ = 0;
    std::vector<P0fCheck> checks_;
};

}  // namespace

std::string_view p0f_option_name(P0fOption option) {
    return option_info(option).name;
}

uint32_t p0f_option_length(P0fOption option) {
    return option_info(option).length;
}

std::string_view p0f_quirk_name(P0fQuirk quirk) {
    return quirk_name(quirk);
}

P0fSignature parse_p0f_signature(std::string_view text, P0fRules rules) {
    return SignatureParser(text, rules).parse();
}

P0fSignature for_ip_version(const P0fSignature& signature, int ip_version, std::string_view text) {
    if (signature.ip_version != 0) {
        if (signature.ip_version != ip_version) {
            throw UsageError(fmt::format("p0f: signature {} is for IPv{}, not IPv{}",
                                         quote_for_message(text), signature.ip_version,
                                         ip_version));
        }
        return signature;
    }
    P0fSignature reading = signature;
    reading.ip_version = ip_version;
    if (ip_version == 4) {
        reading.quirks.erase(P0fQuirk::Flow);
    } else {
        for (P0fQuirk quirk : {P0fQuirk::Df, P0fQuirk::IdPlus, P0fQuirk::IdMinus}) {
            reading.quirks.erase(quirk);
        }
        if (reading.olen && *reading.olen != 0) {
            throw UsageError(fmt::format(
                "p0f: signature {} read for IPv6: olen must be * or 0 (IPv6 extension headers "
                "are not supported)",
                quote_for_message(text)));
        }
    }
    try {
        check_quirks_fit_version(reading, text);
    } catch (const UsageError& error) {
        throw UsageError(
            fmt::format("{} (reading its '*' version as {})", error.what(), ip_version));
    }
    return reading;
}

std::vector<P0fCheck> p0f_checks(const P0fSignature& signature) {
    if (signature.ip_version != 4 && signature.ip_version != 6) {
        throw Error("p0f: a '*' signature is checked through its reading for one IP version");
    }
    return CheckBuilder(signature).build();
}

std::string p0f_expression(const std::vector<P0fCheck>& checks) {
    std::string expression;
    for (const P0fCheck& check : checks) {
        if (!expression.empty()) expression += " and ";
        expression += check.expression;
    }
    return expression;
}

std::vector<std::string> p0f_explanations(const std::vector<P0fCheck>& checks) {
    std::vector<std::string> lines;
    for (const P0fCheck& check : checks) {
        lines.push_back(check.expression + ": " + check.explanation);
    }
    return lines;
}

}  // namespace bpfgen
