// fuzz_hex.cpp: arbitrary text into the hex decoder (hex2pcap's lines) and the escape
// decoder (offset's search strings). Decoded hex must encode back to the same digits.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto bytes = bpfgen::hex_decode(text);
        std::string digits;
        for (char c : text) {
            if (std::isxdigit(static_cast<unsigned char>(c))) {
                digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
        }
        if (bpfgen::hex_encode(bytes) != digits) std::abort();
        (void)bpfgen::printable_ascii(bytes);
    } catch (const bpfgen::Error&) {
    }
    try {
        (void)bpfgen::unescape_bytes(text);
    } catch (const bpfgen::Error&) {
    }
    return 0;
}
