// link_type_names.cpp: link types between capture files' numbers, libpcap's and names.
#include "libbpfgen/capture/link_type_names.h"

#include <pcap/pcap.h>

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/detail/libpcap_library.h"
#include "libbpfgen/capture/link_layer.h"

namespace bpfgen {

namespace {

// LINKTYPE_* (in files) and DLT_* (inside libpcap) differ for a few old types; these are
// the ones libpcap translates on Linux.
struct LinkTypeAlias {
    int link_type;
    int dlt;
};
constexpr std::array<LinkTypeAlias, 5> kLinkTypeAliases{{
    {100, DLT_ATM_RFC1483},
    {101, DLT_RAW},
    {102, DLT_SLIP_BSDOS},
    {103, DLT_PPP_BSDOS},
    {106, DLT_ATM_CLIP},
}};

// bpfgen's --l2 names of the link types that have one (raw is libpcap's RAW already).
struct LinkLayerName {
    std::string_view name;
    int link_type;
};
constexpr std::array<LinkLayerName, 3> kLinkLayerNames{{
    {"ether", linktype::kEthernet},
    {"sll", linktype::kLinuxSll},
    {"sll2", linktype::kLinuxSll2},
}};

}  // namespace

int dlt_from_link_type(int link_type) {
    for (const LinkTypeAlias& alias : kLinkTypeAliases) {
        if (alias.link_type == link_type) return alias.dlt;
    }
    return link_type;
}

int link_type_from_dlt(int dlt) {
    for (const LinkTypeAlias& alias : kLinkTypeAliases) {
        if (alias.dlt == dlt) return alias.link_type;
    }
    return dlt;
}

std::string link_type_name(int link_type) {
    const int dlt = dlt_from_link_type(link_type);
    const LibpcapFunctions& pcap = libpcap();
    const char* name = pcap.pcap_datalink_val_to_name(dlt);
    const char* description = pcap.pcap_datalink_val_to_description(dlt);
    if (name == nullptr) return fmt::format("link type {}", link_type);
    if (description == nullptr) return name;
    return fmt::format("{} ({})", name, description);
}

int parse_link_type(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) {
        if (value < 0 || value > 0xffff) {
            throw Error(fmt::format("link type {} is out of range (0 to 65535)", text));
        }
        return value;
    }
    for (const LinkLayerName& known : kLinkLayerNames) {
        if (text == known.name) return known.link_type;
    }
    const int dlt = libpcap().pcap_datalink_name_to_val(std::string(text).c_str());
    if (dlt < 0) {
        throw Error(
            fmt::format("unknown link type {} (give a LINKTYPE number or a name "
                        "such as EN10MB, LINUX_SLL, LINUX_SLL2, RAW, or ether, sll, sll2)",
                        quote_for_message(text)));
    }
    return link_type_from_dlt(dlt);
}

}  // namespace bpfgen
