// capture_files.h: test helpers for the capture code: paths of the captures in tests/data,
// their packets read whole into memory, and a check that code throws an Error whose
// message says what it should. Header-only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/pcap_io.h"

namespace bpftools::test {

struct CapturedPacket {
    bpfgen::Timestamp timestamp;
    uint32_t wire_length = 0;
    std::vector<uint8_t> data;
};

struct Capture {
    int link_type = 0;
    std::vector<CapturedPacket> packets;
};

inline std::string data_file(std::string_view name) {
    return std::string(BPFTOOLS_TEST_DATA) + "/" + std::string(name);
}

// Every packet of tests/data/NAME, read with the project's PcapReader.
inline Capture read_capture(std::string_view name) {
    bpfgen::PcapReader reader(data_file(name));
    Capture capture;
    capture.link_type = reader.link_type();
    while (const auto packet = reader.next()) {
        capture.packets.push_back(CapturedPacket{
            packet->timestamp, packet->wire_length, {packet->data.begin(), packet->data.end()}});
    }
    return capture;
}

// Runs `code`, which must throw bpfgen::Error with every one of `parts` in its message.
inline void expect_error(const std::function<void()>& code,
                         std::initializer_list<std::string_view> parts) {
    try {
        code();
        ADD_FAILURE() << "no Error thrown";
    } catch (const bpfgen::Error& error) {
        const std::string_view message = error.what();
        for (std::string_view part : parts) {
            EXPECT_NE(message.find(part), std::string_view::npos)
                << "message: " << message << "\nshould contain: " << part;
        }
    }
}

inline std::vector<uint8_t> bytes_of(std::initializer_list<int> values) {
    std::vector<uint8_t> out;
    for (int value : values) out.push_back(static_cast<uint8_t>(value));
    return out;
}

}  // namespace bpftools::test
