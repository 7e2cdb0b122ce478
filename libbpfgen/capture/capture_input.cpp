// capture_input.cpp: the buffered input of a capture file; see capture_input.h. Regular
// files are read too rather than mapped: on the virtual machine this was measured on,
// setting up and tearing down the page tables of a mapping cost about three times the CPU
// that read(2) spends copying the same bytes.
#include "libbpfgen/capture/detail/capture_input.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/base/descriptor_input.h"
#include "libbpfgen/base/detail/large_buffer.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"

namespace bpfgen {

namespace {

// The buffer of the first look at an input (its file header): small, so that captures
// opened together, or small ones, do not each hold a large buffer.
constexpr std::size_t kFirstBufferSize = std::size_t{16} << 10;

// The most one read(2) asks for: the bytes read are parsed, run through the filter and
// written out while they are still in the processor's cache; reading the whole 2 MiB
// buffer at once left them to be fetched back from memory. 256 KiB took 3-5% less of
// filter's CPU on a flood than 128 KiB (fewer calls), 512 KiB no less than 256.
constexpr std::size_t kReadSize = std::size_t{256} << 10;

// A buffer and a pointer for writing into it.
using Buffer = std::pair<std::shared_ptr<const void>, uint8_t*>;

Buffer share(std::shared_ptr<uint8_t[]> bytes) {
    uint8_t* raw = bytes.get();
    return {std::shared_ptr<const void>(std::move(bytes), raw), raw};
}

// The two halves of one large buffer, each with its own owner count (the whole is freed with
// the last): the reader reads into one while a writer still holds records of the other, and
// the two cost one huge page rather than two.
std::pair<Buffer, Buffer> halves_of_large_buffer() {
    const std::shared_ptr<uint8_t[]> whole(allocate_large_buffer().release(), FreeDeleter{});
    const auto half = [&whole](std::size_t index) {
        uint8_t* bytes = whole.get() + index * CaptureInput::kMaxPeek;
        return Buffer{std::shared_ptr<const void>(bytes, [whole](const void*) {}), bytes};
    };
    return {half(0), half(1)};
}

}  // namespace

CaptureInput::CaptureInput(const std::string& path, const std::string& name)
    : fd_(open_input(path, name)), may_block_(reads_may_block(fd_.get())) {}

bool CaptureInput::may_read() {
    if (!ready_to_read(fd_.get(), may_block_)) {
        stopped_ = true;
        at_end_ = true;
        return false;
    }
    return true;
}

std::span<const uint8_t> CaptureInput::fill(std::size_t size) {
    if (!at_end_ && read_error_ == 0) {
        // Keep the unread bytes, moved to the front of a large buffer no one else holds,
        // and read behind them until there are enough.
        const std::size_t kept = static_cast<std::size_t>(end_ - position_);
        if (!buffer_ && size <= kFirstBufferSize) {
            std::tie(buffer_, buffer_bytes_) =
                share(std::shared_ptr<uint8_t[]>(new uint8_t[kFirstBufferSize]));
            capacity_ = kFirstBufferSize;
        } else if (capacity_ < kMaxPeek || buffer_.use_count() > 1) {
            if (!spare_ || spare_.use_count() > 1) {
                if (other_half_) {
                    spare_ = std::exchange(other_half_, nullptr);
                    spare_bytes_ = other_half_bytes_;
                } else {
                    auto [first, second] = halves_of_large_buffer();
                    std::tie(spare_, spare_bytes_) = std::move(first);
                    std::tie(other_half_, other_half_bytes_) = std::move(second);
                }
            }
            if (kept > 0) std::memcpy(spare_bytes_, position_, kept);
            std::swap(buffer_, spare_);
            std::swap(buffer_bytes_, spare_bytes_);
            if (capacity_ < kMaxPeek) spare_.reset();  // the first, small buffer
            capacity_ = kMaxPeek;
        } else {
            std::memmove(buffer_bytes_, position_, kept);
        }
        position_ = buffer_bytes_;
        uint8_t* free_space = buffer_bytes_ + kept;
        const uint8_t* const limit = buffer_bytes_ + capacity_;
        while (static_cast<std::size_t>(free_space - position_) < size && may_read()) {
            const ssize_t n =
                ::read(fd_.get(), free_space,
                       std::min(kReadSize, static_cast<std::size_t>(limit - free_space)));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                read_error_ = errno;
                break;
            }
            if (n == 0) {
                at_end_ = true;
                break;
            }
            free_space += n;
        }
        end_ = free_space;
    }
    return {position_, std::min(size, static_cast<std::size_t>(end_ - position_))};
}

long CaptureInput::read(void* buffer, std::size_t size) {
    if (position_ == end_ && !at_end_ && read_error_ == 0 && size > 0) {
        // Nothing buffered: read straight into the caller's buffer.
        for (;;) {
            if (!may_read()) return 0;
            const ssize_t n = ::read(fd_.get(), buffer, size);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) read_error_ = errno;
            if (n == 0) at_end_ = true;
            return n;
        }
    }
    const std::size_t copied = std::min(size, static_cast<std::size_t>(end_ - position_));
    if (copied == 0 && read_error_ != 0) {
        errno = read_error_;
        return -1;
    }
    if (copied > 0) std::memcpy(buffer, position_, copied);
    position_ += copied;
    return static_cast<long>(copied);
}

}  // namespace bpfgen
