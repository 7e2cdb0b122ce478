// pcap_builder.h: classic pcap files built byte by byte for tests: either byte order, any
// magic, version, snapshot length and link type, and records whose length fields need not
// match the bytes that follow (to build damaged files). Header-only.
#pragma once

#include <cstdint>
#include <vector>

namespace bpftools::test {

class PcapBuilder {
  public:
    static constexpr uint32_t kMicroseconds = 0xa1b2c3d4;
    static constexpr uint32_t kNanoseconds = 0xa1b23c4d;

    PcapBuilder& big_endian() {
        big_endian_ = true;
        return *this;
    }
    PcapBuilder& magic(uint32_t value) {
        magic_ = value;
        return *this;
    }
    PcapBuilder& nanoseconds() { return magic(kNanoseconds); }
    PcapBuilder& version(uint16_t major, uint16_t minor) {
        major_ = major;
        minor_ = minor;
        return *this;
    }
    PcapBuilder& snaplen(uint32_t value) {
        snaplen_ = value;
        return *this;
    }
    PcapBuilder& link_type(uint32_t value) {
        link_type_ = value;
        return *this;
    }
    // A record whose captured length is its data's.
    PcapBuilder& record(uint32_t seconds, uint32_t fraction, const std::vector<uint8_t>& data) {
        return record(seconds, fraction, data, static_cast<uint32_t>(data.size()));
    }
    PcapBuilder& record(uint32_t seconds, uint32_t fraction, const std::vector<uint8_t>& data,
                        uint32_t wire_length) {
        return raw_record(seconds, fraction, static_cast<uint32_t>(data.size()), wire_length, data);
    }
    // A record with every field as given, whatever the data.
    PcapBuilder& raw_record(uint32_t seconds, uint32_t fraction, uint32_t captured_length,
                            uint32_t wire_length, const std::vector<uint8_t>& data) {
        records_.push_back(Record{seconds, fraction, captured_length, wire_length, data});
        return *this;
    }

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out;
        put32(out, magic_);
        put16(out, major_);
        put16(out, minor_);
        put32(out, 0);  // time zone
        put32(out, 0);  // timestamp accuracy
        put32(out, snaplen_);
        put32(out, link_type_);
        for (const Record& record : records_) {
            put32(out, record.seconds);
            put32(out, record.fraction);
            put32(out, record.captured_length);
            put32(out, record.wire_length);
            out.insert(out.end(), record.data.begin(), record.data.end());
        }
        return out;
    }

  private:
    struct Record {
        uint32_t seconds, fraction, captured_length, wire_length;
        std::vector<uint8_t> data;
    };

    void put16(std::vector<uint8_t>& out, uint16_t value) const {
        if (big_endian_) {
            out.push_back(static_cast<uint8_t>(value >> 8));
            out.push_back(static_cast<uint8_t>(value));
        } else {
            out.push_back(static_cast<uint8_t>(value));
            out.push_back(static_cast<uint8_t>(value >> 8));
        }
    }
    void put32(std::vector<uint8_t>& out, uint32_t value) const {
        if (big_endian_) {
            put16(out, static_cast<uint16_t>(value >> 16));
            put16(out, static_cast<uint16_t>(value));
        } else {
            put16(out, static_cast<uint16_t>(value));
            put16(out, static_cast<uint16_t>(value >> 16));
        }
    }

    bool big_endian_ = false;
    uint32_t magic_ = kMicroseconds;
    uint16_t major_ = 2;
    uint16_t minor_ = 4;
    uint32_t snaplen_ = 262144;
    uint32_t link_type_ = 1;
    std::vector<Record> records_;
};

}  // namespace bpftools::test
