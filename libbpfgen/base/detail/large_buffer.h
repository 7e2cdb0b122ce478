// large_buffer.h: the 2 MiB buffers capture input and output go through, aligned so that
// the kernel can back each with one transparent huge page: one page fault instead of 512,
// which matters where page faults are costly (virtual machines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace bpfgen {

inline constexpr std::size_t kLargeBufferSize = std::size_t{2} << 20;

struct FreeDeleter {
    void operator()(uint8_t* bytes) const { std::free(bytes); }
};
using LargeBuffer = std::unique_ptr<uint8_t[], FreeDeleter>;

// kLargeBufferSize bytes, uninitialised. Throws std::bad_alloc.
LargeBuffer allocate_large_buffer();

}  // namespace bpfgen
