// libpcap_library.cpp: loading libpcap at run time and looking up its functions.
#include "libbpfgen/capture/detail/libpcap_library.h"

#include <dlfcn.h>

#include <string>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

namespace {

// dlerror()'s reason names the library file ("libpcap.so.0.8: cannot open shared object
// file: ...", ".../libpcap.so.0.8: undefined symbol: pcap_compile").
[[noreturn]] void refuse_library(const char* soname) {
    const char* reason = ::dlerror();
    if (reason == nullptr) throw LibraryLoadError(fmt::format("cannot load libpcap: {}", soname));
    throw LibraryLoadError(fmt::format("cannot load libpcap: {}", reason));
}

// Sets `function` to the library's symbol of that name, of the type pcap.h declares.
template <typename Function>
void look_up(void* library, const char* soname, const char* name, Function& function) {
    ::dlerror();  // clears an earlier error: the symbol's address cannot be null
    void* address = ::dlsym(library, name);
    if (address == nullptr) refuse_library(soname);
    function = reinterpret_cast<Function>(address);
}

}  // namespace

void LibpcapLibrary::Closer::operator()(void* library) const {
    ::dlclose(library);
}

LibpcapLibrary::LibpcapLibrary(const char* soname) {
    // RTLD_NODELETE: closing the handle at exit leaves the library mapped, so that nothing
    // destroyed after it (another static, an exit handler of libpcap's) calls into unmapped
    // code.
    library_.reset(::dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE));
    if (!library_) refuse_library(soname);
    void* library = library_.get();
    LibpcapFunctions& f = functions_;
    // The name given is the member's, so a function is looked up under its own name.
#define BPFGEN_LOOK_UP(function) look_up(library, soname, #function, f.function)
    BPFGEN_LOOK_UP(pcap_open_dead);
    BPFGEN_LOOK_UP(pcap_open_dead_with_tstamp_precision);
    BPFGEN_LOOK_UP(pcap_fopen_offline_with_tstamp_precision);
    BPFGEN_LOOK_UP(pcap_close);
    BPFGEN_LOOK_UP(pcap_geterr);
    BPFGEN_LOOK_UP(pcap_datalink);
    BPFGEN_LOOK_UP(pcap_snapshot);
    BPFGEN_LOOK_UP(pcap_next_ex);
    BPFGEN_LOOK_UP(pcap_compile);
    BPFGEN_LOOK_UP(pcap_freecode);
    BPFGEN_LOOK_UP(bpf_image);
    BPFGEN_LOOK_UP(pcap_dump_fopen);
    BPFGEN_LOOK_UP(pcap_dump_close);
    BPFGEN_LOOK_UP(pcap_datalink_val_to_name);
    BPFGEN_LOOK_UP(pcap_datalink_val_to_description);
    BPFGEN_LOOK_UP(pcap_datalink_name_to_val);
#undef BPFGEN_LOOK_UP
}

const LibpcapFunctions& libpcap() {
    // Initialised once, by the first caller, the others waiting; an Error thrown leaves it
    // uninitialised for the next call to try again.
    static const LibpcapLibrary library(kLibpcapSoname);
    return library.functions();
}

}  // namespace bpfgen
