// large_buffer.cpp: huge-page-aligned buffer allocation; see large_buffer.h.
#include "libbpfgen/base/detail/large_buffer.h"

#include <sys/mman.h>

#include <new>

namespace bpfgen {

LargeBuffer allocate_large_buffer() {
    void* bytes = std::aligned_alloc(kLargeBufferSize, kLargeBufferSize);
    if (bytes == nullptr) throw std::bad_alloc();
    // Only advice: without transparent huge pages the buffer works the same.
    (void)::madvise(bytes, kLargeBufferSize, MADV_HUGEPAGE);
    return LargeBuffer(static_cast<uint8_t*>(bytes));
}

}  // namespace bpfgen
