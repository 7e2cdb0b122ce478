// shell_quote.cpp: quoting and validation of untrusted values for generated shell scripts.
#include "libbpfgen/deploy/shell_quote.h"

#include <arpa/inet.h>

#include <string>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/text.h"

namespace bpfgen {

std::string shell_quote(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\0') throw Error("a NUL byte cannot be passed to a shell command");
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

std::string comment_safe(std::string_view text) {
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    return out;
}

void validate_address(std::string_view text, AddressFamily family) {
    const std::string value(text);
    const std::string_view family_name = family == AddressFamily::Inet ? "IPv4" : "IPv6";
    auto refuse = [&](std::string_view why) {
        throw UsageError(fmt::format("'{}' is not an {} address or network: {}", comment_safe(text),
                                     family_name, why));
    };
    const std::size_t slash = value.find('/');
    const std::string address = value.substr(0, slash);
    unsigned char buffer[16];
    const int af = family == AddressFamily::Inet ? AF_INET : AF_INET6;
    if (inet_pton(af, address.c_str(), buffer) != 1) refuse("bad address");
    if (slash != std::string::npos) {
        const std::string_view prefix = std::string_view(value).substr(slash + 1);
        const unsigned max = family == AddressFamily::Inet ? 32 : 128;
        if (!parse_decimal(prefix, max)) {
            refuse(fmt::format("the prefix length must be 0 to {}", max));
        }
    }
}

void validate_identifier(std::string_view what, std::string_view text, std::size_t max_length) {
    if (!text.empty() && text.front() == '-') {
        throw UsageError(
            fmt::format("{} '{}' must not start with '-' (iptables and ipset would "
                        "take it for an option)",
                        what, comment_safe(text)));
    }
    bool ok = !text.empty() && text.size() <= max_length;
    for (char c : text) {
        ok = ok && is_name_char(c);
    }
    if (!ok) {
        throw UsageError(fmt::format("{} '{}' must be 1 to {} letters, digits, '_', '-' or '.'",
                                     what, comment_safe(text), max_length));
    }
}

}  // namespace bpfgen
