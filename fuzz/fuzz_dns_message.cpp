// fuzz_dns_message.cpp: arbitrary bytes as a DNS message. The parser either decodes it or
// raises bpfgen::Error; it never loops on compression pointers or reads outside the input
// (the input sits in a buffer of exactly its size).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/dns_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<uint8_t> message(data, data + size);
    try {
        const bpfgen::DnsMessage parsed = bpfgen::parse_dns_message(message);
        if (parsed.size > size) std::abort();
        for (const bpfgen::DnsQuestion& q : parsed.questions) {
            if (q.offset >= size || q.name.empty()) std::abort();
        }
        if (parsed.edns) {
            for (const bpfgen::EdnsOption& option : parsed.edns->options) {
                (void)bpfgen::format_edns_option(option);
            }
        }
    } catch (const bpfgen::Error&) {
    }
    return 0;
}
