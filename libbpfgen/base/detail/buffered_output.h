// buffered_output.h: bytes written to a file descriptor in few system calls, failures
// reported as OutputError naming the output: bytes made here are gathered in a large
// buffer, bytes that lie elsewhere (a capture's records in its read buffer) are written
// from where they are, and all of it goes out in order with writev(2).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libbpfgen/base/detail/large_buffer.h"

namespace bpfgen {

class BufferedOutput {
  public:
    static constexpr std::size_t kCapacity = kLargeBufferSize;
    // append() writes this many bytes or more straight through instead of copying them.
    static constexpr std::size_t kWriteThrough = std::size_t{1} << 16;
    // The most pieces one flush() writes per writev(2): Linux's IOV_MAX.
    static constexpr std::size_t kMaxPieces = 1024;

    // Writes to fd (not owned: it must outlive this object); `name` is for messages.
    BufferedOutput(int fd, std::string name);

    // Room for `size` contiguous bytes (at most kCapacity) at the end of the buffer,
    // flushing first if they do not fit; the bytes count once added().
    // Flushes first, too, when no piece is left for them: a flush once they are in the
    // buffer would let later bytes overwrite them before they are written.
    uint8_t* reserve(std::size_t size) {
        if (!buffer_ || kCapacity - used_ < size || pieces_.size() == kMaxPieces) [[unlikely]]
            make_room(size);
        return buffer_.get() + used_;
    }
    void added(std::size_t size) {
        add_piece(buffer_.get() + used_, size);  // never flushes: reserve() left a piece
        used_ += size;
    }
    // Appends a copy of bytes; at least kWriteThrough of them are written straight
    // through, after what is buffered.
    void append(std::span<const uint8_t> bytes);
    // Appends bytes that are written from where they lie: the caller keeps them valid and
    // unchanged until the next flush() (which append_held() itself may call).
    void append_held(std::span<const uint8_t> bytes) { add_piece(bytes.data(), bytes.size()); }
    // Writes out everything appended. Throws OutputError, after which what was appended
    // is dropped.
    void flush();
    const std::string& name() const { return name_; }

  private:
    // Adds bytes to the pieces to write: to the last one when they follow it in memory.
    void add_piece(const uint8_t* bytes, std::size_t size) {
        if (!pieces_.empty()) {
            iovec& last = pieces_.back();
            if (static_cast<const uint8_t*>(last.iov_base) + last.iov_len == bytes) {
                last.iov_len += size;
                return;
            }
        }
        if (size == 0) return;
        if (pieces_.size() == kMaxPieces) [[unlikely]]
            flush();
        pieces_.push_back({const_cast<uint8_t*>(bytes), size});
    }
    // reserve()'s slow path: the buffer made on first use (an output of held bytes alone
    // never needs one), and flushed when `size` bytes or their piece do not fit.
    void make_room(std::size_t size);
    void write_all(std::span<const uint8_t> bytes);

    int fd_;
    std::string name_;
    LargeBuffer buffer_;         // none until reserve() needs it
    std::size_t used_ = 0;       // bytes of buffer_ holding pieces
    std::vector<iovec> pieces_;  // what flush() writes, in order
};

}  // namespace bpfgen
