// merged_captures.h: several captures of one link type read one after the other as a
// single capture, and the packets a program selects from them copied into one pcap
// capture (what filter does with its FILEs).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/capture/pcap_io.h"

namespace bpfgen {

// What copying the packets of merged captures saw.
struct MergeCounts {
    uint64_t read = 0;     // packets read from every capture
    uint64_t matched = 0;  // of them, those the program (if any) matched
    // Packets without an IPv4/IPv6 header, when the program looks at the network layer.
    uint64_t without_ip = 0;
    // One message for each capture cut short: its whole packets were copied, and reading
    // went on with the next capture.
    std::vector<std::string> cuts;
    // A stop signal (stop_signals.h) ended the reading: every packet read before it was
    // copied, and the captures after it were not read.
    bool stopped = false;
    // The output's reader went away (SIGPIPE): copying ended there, the writer is not to be
    // committed.
    bool output_closed = false;
};

// When the packets copied reach the output.
enum class OutputFlush {
    Buffered,   // in large blocks, and at the end
    EachPacket  // as each one is written, for a live pipeline (tcpdump's -U)
};

class MergedCaptures {
  public:
    // Opens every capture ("-" is standard input) before any is read, so a wrong input
    // fails before anything is written. Throws Error naming the capture that cannot be
    // opened, or the first whose link type differs from the first capture's.
    explicit MergedCaptures(const std::vector<std::string>& paths);

    // The first capture: its name, link type and snapshot length stand for all of them.
    const PcapReader& first() const { return readers_.front(); }
    int link_type() const { return first().link_type(); }
    // What a capture holding every packet needs: the largest snapshot length, and
    // nanoseconds when any capture has them.
    uint32_t largest_snaplen() const;
    TimestampPrecision finest_precision() const;

    // Reads every capture to its end and writes to writer the packets that filter matches
    // (all of them without a filter, only those with an IP header at the network layer),
    // or with invert those it does not. Throws OutputError when writer fails (except for a
    // reader gone: see MergeCounts::output_closed), Error naming the capture and the packet
    // that cannot be stored or read. Does not commit writer. A stop signal ends the copy.
    MergeCounts copy_selected(PcapWriter& writer, const PacketFilter* filter, FilterLayer layer,
                              bool invert, OutputFlush flush = OutputFlush::Buffered);

    // Reads every capture to its end, handing each packet to visit (the packet's bytes
    // stay valid only during the call). Returns the reason of each capture cut short, whose
    // whole packets were visited before reading went on with the next capture, and whether
    // a stop signal ended the reading early. Throws Error naming the capture and the packet
    // that cannot be read.
    struct ReadEnd {
        std::vector<std::string> cuts;
        bool stopped = false;
    };
    ReadEnd read_each(const std::function<void(const PcapPacket&)>& visit);

  private:
    std::vector<PcapReader> readers_;
};

}  // namespace bpfgen
