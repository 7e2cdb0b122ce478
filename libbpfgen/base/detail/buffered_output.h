// buffered_output.h: bytes written to a file descriptor through a large buffer with
// write(2), failures reported as OutputError naming the output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "libbpfgen/base/detail/large_buffer.h"

namespace bpfgen {

class BufferedOutput {
  public:
    static constexpr std::size_t kCapacity = kLargeBufferSize;
    // append() writes this many bytes or more straight through instead of copying them.
    static constexpr std::size_t kWriteThrough = std::size_t{1} << 16;

    // Writes to fd (not owned: it must outlive this object); `name` is for messages.
    BufferedOutput(int fd, std::string name);

    // Room for `size` contiguous bytes (at most kCapacity) at the end of the buffer,
    // flushing first if they do not fit; the bytes count once added().
    uint8_t* reserve(std::size_t size) {
        if (kCapacity - used_ < size) [[unlikely]]
            flush();
        return buffer_.get() + used_;
    }
    void added(std::size_t size) { used_ += size; }
    // Appends bytes; at least kWriteThrough of them are written straight through, after
    // what is buffered.
    void append(std::span<const uint8_t> bytes);
    // Writes out everything buffered. Throws OutputError, after which the buffered bytes
    // are dropped.
    void flush();
    const std::string& name() const { return name_; }

  private:
    void write_all(std::span<const uint8_t> bytes);

    int fd_;
    std::string name_;
    LargeBuffer buffer_;
    std::size_t used_ = 0;
};

}  // namespace bpfgen
