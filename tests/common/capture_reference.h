// capture_reference.h: a capture read whole, by PcapReader or by libpcap itself
// (pcap_fopen_offline with nanosecond timestamps, then pcap_next_ex, as tcpdump reads one),
// in one form so that the two can be compared: link type, snapshot length, every packet,
// and where and why reading stopped. Header-only and without a test framework: the fuzz
// targets use it too.
#pragma once

#include <pcap/pcap.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/pcap_io.h"

namespace bpftools::test {

struct ReadPacket {
    int64_t seconds = 0;
    uint32_t nanoseconds = 0;
    uint32_t wire_length = 0;
    std::vector<uint8_t> data;

    friend bool operator==(const ReadPacket&, const ReadPacket&) = default;
};

struct ReadOutcome {
    bool opened = false;
    int link_type = -1;  // LINKTYPE_*
    uint32_t snaplen = 0;
    std::vector<ReadPacket> packets;  // those read before `error`
    std::string error;                // why opening or reading failed; empty at a clean end
};

// Reads at most `limit` packets of what `stream` holds with libpcap; takes the stream.
inline ReadOutcome read_with_libpcap(std::FILE* stream, std::size_t limit = SIZE_MAX) {
    ReadOutcome outcome;
    std::array<char, PCAP_ERRBUF_SIZE> error{};
    std::unique_ptr<pcap, bpfgen::PcapCloser> handle(
        pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, error.data()));
    if (!handle) {
        std::fclose(stream);
        outcome.error = error.data();
        return outcome;
    }
    outcome.opened = true;
    outcome.link_type = bpfgen::link_type_from_dlt(pcap_datalink(handle.get()));
    outcome.snaplen = static_cast<uint32_t>(pcap_snapshot(handle.get()));
    while (outcome.packets.size() < limit) {
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        const int status = pcap_next_ex(handle.get(), &header, &data);
        if (status == PCAP_ERROR_BREAK) break;
        if (status != 1) {
            outcome.error = pcap_geterr(handle.get());
            break;
        }
        outcome.packets.push_back(ReadPacket{static_cast<int64_t>(header->ts.tv_sec),
                                             static_cast<uint32_t>(header->ts.tv_usec),
                                             header->len,
                                             {data, data + header->caplen}});
    }
    return outcome;
}

inline ReadOutcome read_with_libpcap(const std::string& path, std::size_t limit = SIZE_MAX) {
    std::FILE* stream = std::fopen(path.c_str(), "rb");
    if (stream == nullptr) {
        ReadOutcome outcome;
        outcome.error = "cannot open " + path;
        return outcome;
    }
    return read_with_libpcap(stream, limit);
}

// Reads at most `limit` packets of path ("-": standard input) with PcapReader.
inline ReadOutcome read_with_pcap_reader(const std::string& path, std::size_t limit = SIZE_MAX) {
    ReadOutcome outcome;
    try {
        bpfgen::PcapReader reader(path);
        outcome.opened = true;
        outcome.link_type = reader.link_type();
        outcome.snaplen = reader.snaplen();
        while (outcome.packets.size() < limit) {
            const auto packet = reader.next();
            if (!packet) break;
            outcome.packets.push_back(ReadPacket{packet->timestamp.seconds,
                                                 packet->timestamp.nanoseconds,
                                                 packet->wire_length,
                                                 {packet->data.begin(), packet->data.end()}});
        }
    } catch (const bpfgen::Error& error) {
        outcome.error = error.what();
    }
    return outcome;
}

// How PcapReader's reading (`ours`) departs from libpcap's (`reference`) of the same bytes:
// empty when they agree on whether the capture opens, its link type and snapshot length,
// every packet (timestamp, wire length, bytes), and on whether and where an error stops
// the reading, with libpcap's reason at the end of our message. An empty input is the one
// case where the messages differ ("empty file" against libpcap's "truncated dump file").
inline std::string disagreement(const ReadOutcome& ours, const ReadOutcome& reference) {
    const auto ends_with = [](std::string_view text, std::string_view end) {
        return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
    };
    if (ours.opened != reference.opened) {
        return fmt::format("opened: ours {} ('{}'), libpcap's {} ('{}')", ours.opened, ours.error,
                           reference.opened, reference.error);
    }
    if (!ours.opened) {
        const bool empty_input = ours.error.find("empty file") != std::string::npos &&
                                 ends_with(reference.error, "only got 0");
        if (!empty_input && !ends_with(ours.error, reference.error)) {
            return fmt::format("open error: ours '{}', libpcap's '{}'", ours.error,
                               reference.error);
        }
        return {};
    }
    if (ours.link_type != reference.link_type) {
        return fmt::format("link type: ours {}, libpcap's {}", ours.link_type, reference.link_type);
    }
    if (ours.snaplen != reference.snaplen) {
        return fmt::format("snaplen: ours {}, libpcap's {}", ours.snaplen, reference.snaplen);
    }
    for (std::size_t i = 0; i < std::min(ours.packets.size(), reference.packets.size()); ++i) {
        const ReadPacket& a = ours.packets[i];
        const ReadPacket& b = reference.packets[i];
        if (a != b) {
            return fmt::format(
                "packet {}: ours {}.{:09} s, wire {}, {} bytes; libpcap's {}.{:09} s, wire {}, "
                "{} bytes{}",
                i + 1, a.seconds, a.nanoseconds, a.wire_length, a.data.size(), b.seconds,
                b.nanoseconds, b.wire_length, b.data.size(),
                a.data == b.data ? "" : ", bytes differ");
        }
    }
    if (ours.packets.size() != reference.packets.size()) {
        return fmt::format("packets: ours {} ('{}'), libpcap's {} ('{}')", ours.packets.size(),
                           ours.error, reference.packets.size(), reference.error);
    }
    if (ours.error.empty() != reference.error.empty() || !ends_with(ours.error, reference.error) ||
        (!ours.error.empty() &&
         ours.error.find(fmt::format("packet {}: ", ours.packets.size() + 1)) ==
             std::string::npos)) {
        return fmt::format("after {} packets: ours '{}', libpcap's '{}'", ours.packets.size(),
                           ours.error, reference.error);
    }
    return {};
}

}  // namespace bpftools::test
