// merged_captures.cpp: reading several captures as one and copying the packets a program
// selects.
#include "libbpfgen/capture/merged_captures.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/detail/classic_pcap.h"
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

// The next packet of reader, or nullptr at its end or where it is cut short (named in cuts).
const PcapPacket* next_or_cut(PcapReader& reader, std::vector<std::string>& cuts) {
    try {
        return reader.next_view();
    } catch (const TruncatedCapture& cut) {
        cuts.push_back(fmt::format(
            "{} (the capture ends there: the packets before it were filtered)", cut.what()));
        return nullptr;
    }
}

// For a handler of OutputError: whether the output's reader went away (SIGPIPE), which
// ends the copy without an error, as counts then says.
bool output_went_away(MergeCounts& counts) {
    counts.output_closed = StopSignals::output_closed();
    return counts.output_closed;
}

// Copies the plain records (ClassicPcapReader::read_plain_records) that `reader` has read
// and matches(record data, wire length, without_ip) selects, runs of adjacent ones at a
// time: the loop that copies a capture of the writer's format without making a packet of
// each record.
template <typename Matches>
void copy_plain_records(ClassicPcapReader& reader, PcapWriter& writer, Matches matches, bool invert,
                        MergeCounts& counts) {
    // The records read are those the reader counts; the loop keeps few values in registers
    // across the call to the rule.
    const uint64_t read_before = reader.packets_read();
    uint64_t matched = 0;
    uint64_t without_ip = 0;
    const uint8_t* run = nullptr;
    std::size_t run_length = 0;
    uint64_t run_records = 0;
    const auto write_run = [&] {
        if (run_records > 0)
            writer.write_stored_records({run, run_length}, run_records, *reader.storage());
        run_records = 0;
    };
    // Added whether the copy ends or throws (an output closed halfway still reports them).
    const auto add_counts = [&] {
        counts.read += reader.packets_read() - read_before;
        counts.matched += matched;
        counts.without_ip += without_ip;
    };
    try {
        reader.read_plain_records(
            writer.snaplen(), [&](std::span<const uint8_t> record, uint32_t wire_length) {
                const bool selected =
                    matches(record.subspan(kClassicRecordHeaderSize), wire_length, without_ip);
                matched += selected ? 1 : 0;
                if (selected == invert) return;
                if (run_records > 0 && record.data() == run + run_length) {
                    run_length += record.size();
                    ++run_records;
                    return;
                }
                write_run();
                run = record.data();
                run_length = record.size();
                run_records = 1;
            });
        // Before anything reads on: the writer holds the buffer from here.
        write_run();
    } catch (...) {
        add_counts();
        throw;
    }
    add_counts();
}

// copy_plain_records() with the filter's test of each record: its machine code called
// straight where it has some for the frame alone, else verdict_value(); every record
// without a filter.
void copy_plain_records(ClassicPcapReader& reader, PcapWriter& writer, const PacketFilter* filter,
                        bool invert, MergeCounts& counts) {
    if (!filter) {
        copy_plain_records(
            reader, writer, [](std::span<const uint8_t>, uint32_t, uint64_t&) { return true; },
            invert, counts);
    } else if (const detail::MachineCode code = filter->frame_code()) {
        const SkbContext* const context = &filter->frame_context();
        copy_plain_records(
            reader, writer,
            [code, context](std::span<const uint8_t> data, uint32_t wire_length, uint64_t&) {
                return code(data.data(), data.size(), context, wire_length) != 0;
            },
            invert, counts);
    } else {
        copy_plain_records(
            reader, writer,
            [filter](std::span<const uint8_t> data, uint32_t wire_length, uint64_t& without_ip) {
                bool no_ip = false;
                const bool selected = filter->verdict_value(data, wire_length, no_ip) != 0;
                without_ip += no_ip ? 1 : 0;
                return selected;
            },
            invert, counts);
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
        // Captures of the output's format are copied record by record in place where they
        // can be (not for -U, which flushes each packet).
        ClassicPcapReader* const plain = flush == OutputFlush::Buffered &&
                                                 (filter || layer == FilterLayer::LinkLayer) &&
                                                 reader.precision() == writer.precision()
                                             ? reader.classic_reader()
                                             : nullptr;
        for (;;) {
            if (plain) {
                try {
                    copy_plain_records(*plain, writer, filter, invert, counts);
                } catch (const OutputError&) {
                    if (output_went_away(counts)) return counts;
                    throw;
                }
            }
            // Read where the reader keeps it (see PcapReader::next_view): no copy to stall on.
            const PcapPacket* packet = next_or_cut(reader, counts.cuts);
            if (!packet) {
                counts.stopped = reader.stopped();
                break;
            }
            ++counts.read;
            bool matches = true;
            if (filter) {
                bool without_ip = false;
                matches = filter->verdict_value(packet->data, packet->wire_length, without_ip) != 0;
                counts.without_ip += without_ip ? 1 : 0;
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
                if (output_went_away(counts)) return counts;
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
            const PcapPacket* packet = nullptr;
            try {
                packet = reader.next_view();
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
