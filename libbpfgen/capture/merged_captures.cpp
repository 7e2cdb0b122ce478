// merged_captures.cpp: reading several captures as one and copying the packets a program
// selects.
#include "libbpfgen/capture/merged_captures.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/link_layer.h"

namespace bpfgen {

MergedCaptures::MergedCaptures(const std::vector<std::string>& paths) {
    if (paths.empty()) throw Error("no capture to read");
    for (const std::string& path : paths) readers_.emplace_back(path);
    for (const PcapReader& reader : readers_) {
        if (reader.link_type() != first().link_type()) {
            throw Error(
                fmt::format("{}: link type {} differs from {}'s {}; filter captures of "
                            "one link type at a time",
                            reader.name(), link_type_name(reader.link_type()), first().name(),
                            link_type_name(first().link_type())));
        }
    }
}

uint32_t MergedCaptures::largest_snaplen() const {
    uint32_t snaplen = 0;
    for (const PcapReader& reader : readers_) snaplen = std::max(snaplen, reader.snaplen());
    return snaplen;
}

TimestampPrecision MergedCaptures::finest_precision() const {
    for (const PcapReader& reader : readers_) {
        if (reader.precision() == TimestampPrecision::Nanoseconds) {
            return TimestampPrecision::Nanoseconds;
        }
    }
    return TimestampPrecision::Microseconds;
}

namespace {

// The next packet of reader, or nullopt at its end or where it is cut short (named in cuts).
std::optional<PcapPacket> next_or_cut(PcapReader& reader, std::vector<std::string>& cuts) {
    try {
        return reader.next();
    } catch (const TruncatedCapture& cut) {
        cuts.push_back(fmt::format(
            "{} (the capture ends there: the packets before it were filtered)", cut.what()));
        return std::nullopt;
    }
}

}  // namespace

MergeCounts MergedCaptures::copy_selected(PcapWriter& writer, const PacketFilter* filter,
                                          FilterLayer layer, bool invert, OutputFlush flush) {
    MergeCounts counts;
    for (PcapReader& reader : readers_) {
        if (stop_requested()) {
            counts.stopped = true;
            break;
        }
        for (;;) {
            // Made in place (see PcapReader::next): no copy of the packet to stall on.
            const std::optional<PcapPacket> packet = next_or_cut(reader, counts.cuts);
            if (!packet) {
                counts.stopped = reader.stopped();
                break;
            }
            ++counts.read;
            bool matches = true;
            if (filter) {
                const std::optional<uint32_t> verdict =
                    filter->verdict(packet->data, packet->wire_length);
                if (!verdict) ++counts.without_ip;
                matches = verdict.value_or(0) != 0;
            } else if (layer == FilterLayer::Network &&
                       !find_network_layer(reader.link_type(), packet->data)) {
                ++counts.without_ip;
                matches = false;
            }
            counts.matched += matches ? 1 : 0;
            if (matches == invert) continue;
            try {
                writer.write(*packet);
                if (flush == OutputFlush::EachPacket) writer.flush();
            } catch (const OutputError&) {
                if (StopSignals::output_closed()) {
                    counts.output_closed = true;
                    return counts;
                }
                throw;  // the output's fault, named in the message, not this packet's
            } catch (const Error& error) {
                throw Error(fmt::format("{}: packet {}: {}", reader.name(), reader.packets_read(),
                                        error.what()));
            }
        }
    }
    return counts;
}

MergedCaptures::ReadEnd MergedCaptures::read_each(
    const std::function<void(const PcapPacket&)>& visit) {
    ReadEnd end;
    for (PcapReader& reader : readers_) {
        if (stop_requested()) {
            end.stopped = true;
            break;
        }
        for (;;) {
            std::optional<PcapPacket> packet;
            try {
                packet = reader.next();
            } catch (const TruncatedCapture& cut) {
                end.cuts.emplace_back(cut.what());
                break;
            }
            if (!packet) {
                end.stopped = reader.stopped();
                break;
            }
            visit(*packet);
        }
    }
    return end;
}

}  // namespace bpfgen
