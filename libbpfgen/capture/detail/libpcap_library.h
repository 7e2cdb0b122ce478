// libpcap_library.h: libpcap loaded at run time, on first use, and the table of its
// functions this component calls. Linking libpcap would make the dynamic loader map it and
// the nine libraries it needs (dbus, systemd, gcrypt...) into every program at start-up,
// several milliseconds, even for the runs that never call it (a rule over a classic pcap).
// pcap.h still gives the types; only the calls go through the table.
#pragma once

#include <pcap/pcap.h>

#include <memory>

namespace bpfgen {

// The library's name as Debian's libpcap0.8 installs it (the runtime package, no -dev).
inline constexpr const char* kLibpcapSoname = "libpcap.so.0.8";

// Every libpcap function the project calls, each with its type from pcap.h.
struct LibpcapFunctions {
    decltype(&::pcap_open_dead) pcap_open_dead = nullptr;
    decltype(&::pcap_open_dead_with_tstamp_precision) pcap_open_dead_with_tstamp_precision =
        nullptr;
    decltype(&::pcap_fopen_offline_with_tstamp_precision) pcap_fopen_offline_with_tstamp_precision =
        nullptr;
    decltype(&::pcap_close) pcap_close = nullptr;
    decltype(&::pcap_geterr) pcap_geterr = nullptr;
    decltype(&::pcap_datalink) pcap_datalink = nullptr;
    decltype(&::pcap_snapshot) pcap_snapshot = nullptr;
    decltype(&::pcap_next_ex) pcap_next_ex = nullptr;
    decltype(&::pcap_compile) pcap_compile = nullptr;
    decltype(&::pcap_freecode) pcap_freecode = nullptr;
    decltype(&::bpf_image) bpf_image = nullptr;
    decltype(&::pcap_dump_fopen) pcap_dump_fopen = nullptr;
    decltype(&::pcap_dump_close) pcap_dump_close = nullptr;
    decltype(&::pcap_datalink_val_to_name) pcap_datalink_val_to_name = nullptr;
    decltype(&::pcap_datalink_val_to_description) pcap_datalink_val_to_description = nullptr;
    decltype(&::pcap_datalink_name_to_val) pcap_datalink_name_to_val = nullptr;
};

// One loaded copy of the library (dlopen with RTLD_NOW | RTLD_LOCAL) and its functions.
class LibpcapLibrary {
  public:
    // Loads `soname` and looks up every function. Throws LibraryLoadError, one line naming
    // the library and dlerror()'s reason, when it cannot be loaded or lacks a function.
    explicit LibpcapLibrary(const char* soname);

    const LibpcapFunctions& functions() const { return functions_; }

  private:
    struct Closer {
        void operator()(void* library) const;  // dlclose()
    };
    std::unique_ptr<void, Closer> library_;
    LibpcapFunctions functions_;
};

// libpcap's functions, the library loaded by the first call (thread-safe; immutable once
// loaded). Throws LibraryLoadError when it cannot be loaded; a later call tries again.
const LibpcapFunctions& libpcap();

}  // namespace bpfgen
