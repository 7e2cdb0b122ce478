// parsedns.cpp: decodes hex packets (pcap2hex's lines, or bare DNS messages with --raw)
// and prints their link, IP and UDP/TCP headers and their DNS message: header and flags,
// questions, answer, authority and additional records, and EDNS0. A packet that does not
// decode gives one error line naming it, and the exit code is 1.
#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/dns_message.h"
#include "libbpfgen/capture/hex_line_reader.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_headers.h"
#include "libbpfgen/capture/pcap_io.h"
#include "tools/capture_tool.h"

namespace {

namespace po = boost::program_options;
using bpfgen::Error;

// The largest packet read from standard input: libpcap's, so the longest line pcap2hex
// prints. A longer line is refused as soon as its hex passes it.
constexpr std::size_t kLargestPacket = 262144;

const std::string kUsage = R"USAGE(usage: parsedns [--raw | --linktype TYPE] HEX... | -

Decodes each HEX argument (or, for '-', each line of standard input: blank lines and lines
starting with '#' or ';' skipped, text after a tab ignored, as pcap2hex -a writes it) as a
packet carrying a DNS message over UDP, or over TCP with its 2-byte length, and prints its
headers and the message: flags, questions, records and EDNS0 options.

      --raw            the hex is a bare DNS message, without link, IP and UDP headers
  -l, --linktype TYPE  link type of the packets: a LINKTYPE number or libpcap's name for it
                       (EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP);
                       default EN10MB (Ethernet), which pcap2hex prints unless -n
  -h, --help           this text
)USAGE";

struct Options {
    bool raw = false;
    int link_type = bpfgen::linktype::kEthernet;
    std::vector<std::string> packets;
};

std::optional<Options> parse_options(int argc, char** argv) {
    po::options_description description;
    Options options;
    description.add_options()                         //
        ("help,h", "")                                //
        ("raw", po::bool_switch(&options.raw), "")    //
        ("linktype,l", po::value<std::string>(), "")  //
        ("packet", po::value<std::vector<std::string>>(), "");
    const po::variables_map values =
        capture_tool::parse_command_line(argc, argv, description, "packet");
    if (values.count("help")) return std::nullopt;
    if (values.count("linktype")) {
        if (options.raw) throw bpfgen::UsageError("--raw and --linktype exclude each other");
        try {
            options.link_type = bpfgen::parse_link_type(values["linktype"].as<std::string>());
        } catch (const Error& error) {
            throw bpfgen::UsageError(error.what());
        }
        if (!bpfgen::is_supported_link_type(options.link_type)) {
            throw bpfgen::UsageError(fmt::format("link type {} is not supported",
                                                 bpfgen::link_type_name(options.link_type)));
        }
    }
    if (values.count("packet")) {
        options.packets = values["packet"].as<std::vector<std::string>>();
    }
    if (options.packets.empty()) throw bpfgen::UsageError("no packet given");
    return options;
}

std::string mac(std::span<const uint8_t> address) {
    std::string out;
    for (uint8_t byte : address) {
        if (!out.empty()) out += ':';
        out += fmt::format("{:02x}", byte);
    }
    return out;
}

std::string describe_link(int link_type, const bpfgen::LinkHeader& header) {
    std::string out = bpfgen::link_type_name(link_type);
    if (!header.destination.empty()) {
        out += fmt::format(" {} > {}", mac(header.source), mac(header.destination));
    } else if (!header.source.empty()) {
        out += fmt::format(" from {}", mac(header.source));
    }
    for (const bpfgen::VlanTag& tag : header.vlan_tags) {
        out += fmt::format(", vlan {} (tpid 0x{:04x}, priority {})", tag.id(), tag.tpid,
                           tag.tci >> 13);
    }
    if (header.packet_type) out += fmt::format(", packet type {}", *header.packet_type);
    if (header.interface_index) out += fmt::format(", interface {}", *header.interface_index);
    out += fmt::format(", ethertype 0x{:04x}", header.ethertype);
    return out;
}

std::string describe_ip(const bpfgen::IpHeader& ip) {
    std::string out = fmt::format(
        "IPv{} {} > {}, ttl {}, length {}", ip.version, bpfgen::format_ip_address(ip.source),
        bpfgen::format_ip_address(ip.destination), ip.ttl, ip.stated_length);
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

std::string describe_record(const bpfgen::DnsRecord& record) {
    return fmt::format("{} {} {} {} {}", record.name, record.ttl,
                       bpfgen::dns_class_name(record.dns_class), bpfgen::dns_type_name(record.type),
                       record.data_text);
}

// When the packet would carry UDP or TCP under another link-layer header, a hint naming it.
std::string link_type_hint(std::span<const uint8_t> packet, int link_type) {
    static constexpr std::pair<int, const char*> kCandidates[] = {
        {bpfgen::linktype::kEthernet, "EN10MB"},    {bpfgen::linktype::kRaw, "RAW"},
        {bpfgen::linktype::kLinuxSll, "LINUX_SLL"}, {bpfgen::linktype::kLinuxSll2, "LINUX_SLL2"},
        {bpfgen::linktype::kNull, "NULL"},
    };
    for (const auto& [candidate, name] : kCandidates) {
        if (candidate == link_type) continue;
        try {
            const auto network = bpfgen::find_network_layer(candidate, packet);
            if (!network) continue;
            bpfgen::decode_transport_header(packet,
                                            bpfgen::decode_ip_header(packet, network->offset));
            return fmt::format("; it reads as {}: try --linktype {}",
                               bpfgen::link_type_name(candidate), name);
        } catch (const Error&) {
        }
    }
    return {};
}

// Everything printed for one packet; built whole so a packet that fails prints nothing
// but its error line.
std::string describe_packet(std::span<const uint8_t> packet, const Options& options) {
    std::string out;
    std::span<const uint8_t> message = packet;
    if (!options.raw) {
        const bpfgen::LinkHeader link = bpfgen::decode_link_header(options.link_type, packet);
        out += fmt::format("  link: {}\n", describe_link(options.link_type, link));
        const auto network = bpfgen::find_network_layer(options.link_type, packet);
        if (!network) {
            throw Error(
                fmt::format("no IPv4 or IPv6 header after the link-layer header "
                            "(ethertype 0x{:04x}){}",
                            link.ethertype, link_type_hint(packet, options.link_type)));
        }
        const bpfgen::IpHeader ip = bpfgen::decode_ip_header(packet, network->offset);
        out += fmt::format("  ip: {}\n", describe_ip(ip));
        const bpfgen::TransportHeader transport = bpfgen::decode_transport_header(packet, ip);
        message = packet.subspan(transport.payload_offset,
                                 transport.payload_end - transport.payload_offset);
        if (transport.protocol == bpfgen::ipproto::kUdp) {
            out += fmt::format("  udp: {} > {}, length {}", transport.source_port,
                               transport.destination_port, transport.udp_length);
            if (transport.udp_length != message.size() + 8) {
                out += fmt::format(" (the IP header leaves {})", message.size() + 8);
            }
            out += '\n';
        } else {
            out += fmt::format("  tcp: {} > {}, flags 0x{:02x}\n", transport.source_port,
                               transport.destination_port, transport.tcp_flags);
            if (message.size() < 2) {
                throw Error(
                    fmt::format("TCP segment carries {} bytes, too few for the DNS "
                                "message length",
                                message.size()));
            }
            const std::size_t length = static_cast<std::size_t>(message[0] << 8 | message[1]);
            if (length > message.size() - 2) {
                throw Error(
                    fmt::format("DNS message over TCP announces {} bytes, the segment "
                                "carries {}",
                                length, message.size() - 2));
            }
            out += fmt::format("  tcp dns length: {}\n", length);
            message = message.subspan(2, length);
        }
    }

    const bpfgen::DnsMessage dns = bpfgen::parse_dns_message(message);
    out += fmt::format("  dns: id 0x{:04x}, {}, opcode {}, rcode {}, flags 0x{:04x} [{}]\n", dns.id,
                       dns.is_response() ? "response" : "query",
                       bpfgen::dns_opcode_name(dns.opcode()), bpfgen::dns_rcode_name(dns.rcode()),
                       dns.flags, bpfgen::dns_flag_names(dns.flags));
    out += fmt::format("       questions {}, answers {}, authority {}, additional {}\n",
                       dns.question_count, dns.answer_count, dns.authority_count,
                       dns.additional_count);
    for (std::size_t i = 0; i < dns.questions.size(); ++i) {
        const bpfgen::DnsQuestion& question = dns.questions[i];
        out += fmt::format("  question {} @{}: {} {} {}\n", i + 1, question.offset, question.name,
                           bpfgen::dns_class_name(question.dns_class),
                           bpfgen::dns_type_name(question.type));
    }
    const std::pair<const char*, const std::vector<bpfgen::DnsRecord>*> sections[] = {
        {"answer", &dns.answers}, {"authority", &dns.authority}, {"additional", &dns.additional}};
    for (const auto& [section, records] : sections) {
        for (std::size_t i = 0; i < records->size(); ++i) {
            const bpfgen::DnsRecord& record = (*records)[i];
            if (record.type == bpfgen::dnstype::kOpt) {
                out += fmt::format("  {} {} @{}: {} OPT\n", section, i + 1, record.offset,
                                   record.name);
            } else {
                out += fmt::format("  {} {} @{}: {}\n", section, i + 1, record.offset,
                                   describe_record(record));
            }
        }
    }
    if (dns.edns) {
        const bpfgen::Edns& edns = *dns.edns;
        out += fmt::format("  edns: version {}, udp size {}, flags 0x{:04x}{}", edns.version,
                           edns.udp_payload_size, edns.flags, edns.dnssec_ok() ? " [do]" : "");
        if (edns.extended_rcode != 0) {
            out += fmt::format(", extended rcode {}", edns.extended_rcode);
        }
        out += '\n';
        for (const bpfgen::EdnsOption& option : edns.options) {
            out += fmt::format("  edns option: {}\n", bpfgen::format_edns_option(option));
        }
    }
    if (dns.size < message.size()) {
        out += fmt::format("  trailing: {} bytes: {}\n", message.size() - dns.size,
                           bpfgen::hex_encode(message.subspan(dns.size)));
    }
    return out;
}

int parsedns_main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    const std::optional<Options> options = parse_options(argc, argv);
    if (!options) return -1;
    struct Packet {
        std::string name;  // for messages
        std::string hex;
        std::optional<std::string> refused;  // why it is refused before it is decoded
    };
    std::vector<Packet> packets;
    for (std::size_t i = 0; i < options->packets.size(); ++i) {
        if (options->packets[i] != "-") {
            packets.push_back(
                {fmt::format("packet {}", packets.size() + 1), options->packets[i], {}});
            continue;
        }
        bpfgen::HexLineReader reader(std::cin, kLargestPacket);
        while (const std::optional<bpfgen::HexLine> line = reader.next()) {
            Packet& packet = packets.emplace_back();
            packet.name = fmt::format("stdin:{}", line->number);
            if (line->too_long) {
                packet.refused = reader.too_long_message();
            } else {
                packet.hex = line->hex;
            }
        }
        if (std::cin.bad())
            throw Error(fmt::format("stdin: cannot read: {}", std::strerror(errno)));
    }
    // Only stdin can bring no packet at all: every other argument is one.
    if (packets.empty()) throw Error("stdin: no packet (only blank lines or comments)");
    int status = 0;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const auto& [name, hex, refused] = packets[i];
        std::string text;
        try {
            if (refused) throw Error(*refused);
            const std::vector<uint8_t> bytes = bpfgen::hex_decode(hex);
            text = fmt::format("{}{}: {} bytes\n", i == 0 ? "" : "\n", name, bytes.size()) +
                   describe_packet(bytes, *options);
        } catch (const Error& error) {
            capture_tool::flush_stdout();
            std::fprintf(stderr, "parsedns: %s: %s\n", name.c_str(),
                         capture_tool::one_line(error.what()).c_str());
            status = 1;
            continue;
        }
        capture_tool::write_stdout(text);
    }
    capture_tool::flush_stdout();
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("parsedns", kUsage, [&] { return parsedns_main(argc, argv); });
}
