// packet_description.cpp: the text parsedns prints for a packet carrying DNS.
#include "libbpfgen/capture/packet_description.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/dns_message.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_headers.h"
#include "libbpfgen/capture/pcap_io.h"

namespace bpfgen {

namespace {

std::string mac(std::span<const uint8_t> address) {
    std::string out;
    for (uint8_t byte : address) {
        if (!out.empty()) out += ':';
        out += fmt::format("{:02x}", byte);
    }
    return out;
}

std::string describe_link(int link_type, const LinkHeader& header) {
    std::string out = link_type_name(link_type);
    if (!header.destination.empty()) {
        out += fmt::format(" {} > {}", mac(header.source), mac(header.destination));
    } else if (!header.source.empty()) {
        out += fmt::format(" from {}", mac(header.source));
    }
    for (const VlanTag& tag : header.vlan_tags) {
        out += fmt::format(", vlan {} (tpid 0x{:04x}, priority {})", tag.id(), tag.tpid,
                           tag.tci >> 13);
    }
    if (header.packet_type) out += fmt::format(", packet type {}", *header.packet_type);
    if (header.interface_index) out += fmt::format(", interface {}", *header.interface_index);
    out += fmt::format(", ethertype 0x{:04x}", header.ethertype);
    return out;
}

std::string describe_ip(const IpHeader& ip) {
    std::string out =
        fmt::format("IPv{} {} > {}, ttl {}, length {}", ip.version, format_ip_address(ip.source),
                    format_ip_address(ip.destination), ip.ttl, ip.stated_length);
    if (ip.version == 4) {
        out += fmt::format(", id 0x{:04x}", ip.identification);
        if (ip.dont_fragment) out += ", DF";
    }
    if (ip.more_fragments || ip.fragment_offset != 0) {
        out += fmt::format(", fragment offset {}{}", ip.fragment_offset,
                           ip.more_fragments ? " MF" : "");
    }
    if (ip.version == 4 && ip.header_length > 20) {
        out += fmt::format(", options {}", ip.header_length - 20);
    }
    if (ip.version == 6 && ip.header_length > 40) {
        out += fmt::format(", extension headers {} bytes", ip.header_length - 40);
    }
    return out;
}

std::string describe_record(const DnsRecord& record) {
    return fmt::format("{} {} {} {} {}", record.name, record.ttl, dns_class_name(record.dns_class),
                       dns_type_name(record.type), record.data_text);
}

// When the packet would carry UDP or TCP under another link-layer header, a hint naming it.
std::string link_type_hint(std::span<const uint8_t> packet, int link_type) {
    static constexpr std::pair<int, const char*> kCandidates[] = {
        {linktype::kEthernet, "EN10MB"},    {linktype::kRaw, "RAW"},
        {linktype::kLinuxSll, "LINUX_SLL"}, {linktype::kLinuxSll2, "LINUX_SLL2"},
        {linktype::kNull, "NULL"},
    };
    for (const auto& [candidate, name] : kCandidates) {
        if (candidate == link_type) continue;
        try {
            const auto network = find_network_layer(candidate, packet);
            if (!network) continue;
            decode_transport_header(packet, decode_ip_header(packet, network->offset));
            return fmt::format("; it reads as {}: try --linktype {}", link_type_name(candidate),
                               name);
        } catch (const Error&) {
        }
    }
    return {};
}

}  // namespace

std::string describe_dns_packet(std::span<const uint8_t> packet, std::optional<int> link_type) {
    std::string out;
    std::span<const uint8_t> message = packet;
    if (link_type) {
        const LinkHeader link = decode_link_header(*link_type, packet);
        out += fmt::format("  link: {}\n", describe_link(*link_type, link));
        const auto network = find_network_layer(*link_type, packet);
        if (!network) {
            throw Error(
                fmt::format("no IPv4 or IPv6 header after the link-layer header "
                            "(ethertype 0x{:04x}){}",
                            link.ethertype, link_type_hint(packet, *link_type)));
        }
        const IpHeader ip = decode_ip_header(packet, network->offset);
        out += fmt::format("  ip: {}\n", describe_ip(ip));
        const TransportHeader transport = decode_transport_header(packet, ip);
        message = packet.subspan(transport.payload_offset,
                                 transport.payload_end - transport.payload_offset);
        if (transport.protocol == ipproto::kUdp) {
            out += fmt::format("  udp: {} > {}, length {}", transport.source_port,
                               transport.destination_port, transport.udp_length);
            if (transport.udp_length != message.size() + 8) {
                out += fmt::format(" (the IP header leaves {})", message.size() + 8);
            }
            out += '\n';
        } else {
            out += fmt::format("  tcp: {} > {}, flags 0x{:02x}\n", transport.source_port,
                               transport.destination_port, transport.tcp_flags);
            const std::optional<TcpDnsFrame> frame = read_tcp_dns_frame(message);
            if (!frame) {
                throw Error(
                    fmt::format("TCP segment carries {} bytes, too few for the DNS "
                                "message length",
                                message.size()));
            }
            if (!frame->complete()) {
                throw Error(
                    fmt::format("DNS message over TCP announces {} bytes, the segment "
                                "carries {}",
                                frame->announced_length, frame->carried_length));
            }
            out += fmt::format("  tcp dns length: {}\n", frame->announced_length);
            message = message.subspan(frame->message_offset, frame->message_length());
        }
    }

    const DnsMessage dns = parse_dns_message(message);
    out += fmt::format("  dns: id 0x{:04x}, {}, opcode {}, rcode {}, flags 0x{:04x} [{}]\n", dns.id,
                       dns.is_response() ? "response" : "query", dns_opcode_name(dns.opcode()),
                       dns_rcode_name(dns.rcode()), dns.flags, dns_flag_names(dns.flags));
    out += fmt::format("       questions {}, answers {}, authority {}, additional {}\n",
                       dns.question_count, dns.answer_count, dns.authority_count,
                       dns.additional_count);
    for (std::size_t i = 0; i < dns.questions.size(); ++i) {
        const DnsQuestion& question = dns.questions[i];
        out += fmt::format("  question {} @{}: {} {} {}\n", i + 1, question.offset, question.name,
                           dns_class_name(question.dns_class), dns_type_name(question.type));
    }
    const std::pair<const char*, const std::vector<DnsRecord>*> sections[] = {
        {"answer", &dns.answers}, {"authority", &dns.authority}, {"additional", &dns.additional}};
    for (const auto& [section, records] : sections) {
        for (std::size_t i = 0; i < records->size(); ++i) {
            const DnsRecord& record = (*records)[i];
            if (record.type == dnstype::kOpt) {
                out += fmt::format("  {} {} @{}: {} OPT\n", section, i + 1, record.offset,
                                   record.name);
            } else {
                out += fmt::format("  {} {} @{}: {}\n", section, i + 1, record.offset,
                                   describe_record(record));
            }
        }
    }
    if (dns.edns) {
        const Edns& edns = *dns.edns;
        out += fmt::format("  edns: version {}, udp size {}, flags 0x{:04x}{}", edns.version,
                           edns.udp_payload_size, edns.flags, edns.dnssec_ok() ? " [do]" : "");
        if (edns.extended_rcode != 0) {
            out += fmt::format(", extended rcode {}", edns.extended_rcode);
        }
        out += '\n';
        for (const EdnsOption& option : edns.options) {
            out += fmt::format("  edns option: {}\n", format_edns_option(option));
        }
    }
    if (dns.size < message.size()) {
        out += fmt::format("  trailing: {} bytes: {}\n", message.size() - dns.size,
                           hex_encode(message.subspan(dns.size)));
    }
    return out;
}

}  // namespace bpfgen
