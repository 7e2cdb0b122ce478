// capture_input.h: the bytes of a capture file read through large buffers with read(2),
// handed out in place: a buffer whose bytes someone still holds (PcapWriter, writing
// records straight from it) is set aside rather than overwritten. A stop signal
// (stop_signals.h) ends the input: a pipe or a terminal is waited on so that the signal
// interrupts the wait.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "libbpfgen/base/detail/large_buffer.h"
#include "libbpfgen/base/file_descriptor.h"

namespace bpfgen {

class CaptureInput {
  public:
    // The size of each buffer (half of a large one), and the most peek() can return at
    // once: more than the largest record the classic pcap reader accepts (a 16-byte header
    // and 262144 bytes).
    static constexpr std::size_t kMaxPeek = kLargeBufferSize / 2;

    // Opens path, or a duplicate of standard input for "-"; `name` is used in messages.
    // Reading starts at the descriptor's current offset. Throws Error naming the input
    // when it cannot be opened.
    CaptureInput(const std::string& path, const std::string& name);
    CaptureInput(const CaptureInput&) = delete;
    CaptureInput& operator=(const CaptureInput&) = delete;

    // The next `size` bytes (at most kMaxPeek) without consuming them, contiguous in
    // memory; fewer only at the end of the input or after a read error (see read_error()).
    // They stay valid until the next call to peek() or read(), and for as long as a copy
    // of storage() taken before that call is kept.
    std::span<const uint8_t> peek(std::size_t size) {
        if (static_cast<std::size_t>(end_ - position_) >= size) [[likely]] {
            return {position_, size};
        }
        return fill(size);
    }
    // Moves past `size` bytes of the last peek() (or of buffered()).
    void consume(std::size_t size) { position_ += size; }
    // The bytes read and not yet consumed, without reading more; valid as peek()'s.
    std::span<const uint8_t> buffered() const {
        return {position_, static_cast<std::size_t>(end_ - position_)};
    }
    // Copies up to `size` bytes and consumes them, for readers that want their own copy
    // (libpcap's, through a stdio stream). Returns 0 at the end and -1 on a read error,
    // with errno set, as read(2) does.
    long read(void* buffer, std::size_t size);
    // The errno of a failed read (0 if none): a short peek() is then an error, not the end.
    int read_error() const { return read_error_; }
    // Whether a stop signal ended the input: a short peek() is then no truncation.
    bool stopped() const { return stopped_; }
    // The owner of the buffer the last peek() returned bytes of.
    const std::shared_ptr<const void>* storage() const { return &buffer_; }

  private:
    std::span<const uint8_t> fill(std::size_t size);
    // Before each read(2): false, with the input ended, once a stop signal was received.
    bool may_read();

    FileDescriptor fd_;
    // Buffers (none before the first peek()), written through the raw pointers beside
    // them; all but the first are halves of large ones.
    std::shared_ptr<const void> buffer_;
    uint8_t* buffer_bytes_ = nullptr;
    std::size_t capacity_ = 0;           // of buffer_
    std::shared_ptr<const void> spare_;  // the previous buffer, reused once no one holds it
    uint8_t* spare_bytes_ = nullptr;
    std::shared_ptr<const void> other_half_;  // of the large buffer spare_ was taken from
    uint8_t* other_half_bytes_ = nullptr;
    const uint8_t* position_ = nullptr;  // next unread byte
    const uint8_t* end_ = nullptr;       // end of the bytes read into the buffer
    bool at_end_ = false;
    int read_error_ = 0;
    bool may_block_ = false;  // a pipe, a terminal, a socket: reads wait for a writer
    bool stopped_ = false;
};

}  // namespace bpfgen
