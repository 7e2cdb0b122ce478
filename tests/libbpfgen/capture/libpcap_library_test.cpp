// libpcap_library_test.cpp: libpcap loaded at run time: every function of the table found
// and the same as the one linked in (this test links libpcap as its reference), one
// library for every caller and thread, and one line naming the library and the loader's
// reason when it cannot be loaded or lacks a function.
#include "libbpfgen/capture/detail/libpcap_library.h"

#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include <string>
#include <thread>
#include <vector>

#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

// The message of the LibraryLoadError loading `soname` throws ("" when it loads).
std::string load_refusal(const char* soname) {
    try {
        LibpcapLibrary library(soname);
    } catch (const LibraryLoadError& error) {
        return error.what();
    }
    return "";
}

TEST(LibpcapLibrary, FindsEveryFunctionAsLinked) {
    const LibpcapFunctions& pcap = libpcap();
    // The dynamic loader gives the library once: the table points at the functions linked.
    EXPECT_EQ(pcap.pcap_open_dead, &::pcap_open_dead);
    EXPECT_EQ(pcap.pcap_open_dead_with_tstamp_precision, &::pcap_open_dead_with_tstamp_precision);
    EXPECT_EQ(pcap.pcap_fopen_offline_with_tstamp_precision,
              &::pcap_fopen_offline_with_tstamp_precision);
    EXPECT_EQ(pcap.pcap_close, &::pcap_close);
    EXPECT_EQ(pcap.pcap_geterr, &::pcap_geterr);
    EXPECT_EQ(pcap.pcap_datalink, &::pcap_datalink);
    EXPECT_EQ(pcap.pcap_snapshot, &::pcap_snapshot);
    EXPECT_EQ(pcap.pcap_next_ex, &::pcap_next_ex);
    EXPECT_EQ(pcap.pcap_compile, &::pcap_compile);
    EXPECT_EQ(pcap.pcap_freecode, &::pcap_freecode);
    EXPECT_EQ(pcap.bpf_image, &::bpf_image);
    EXPECT_EQ(pcap.pcap_dump_fopen, &::pcap_dump_fopen);
    EXPECT_EQ(pcap.pcap_dump_close, &::pcap_dump_close);
    EXPECT_EQ(pcap.pcap_datalink_val_to_name, &::pcap_datalink_val_to_name);
    EXPECT_EQ(pcap.pcap_datalink_val_to_description, &::pcap_datalink_val_to_description);
    EXPECT_EQ(pcap.pcap_datalink_name_to_val, &::pcap_datalink_name_to_val);
    EXPECT_EQ(pcap.pcap_datalink_name_to_val("LINUX_SLL2"), DLT_LINUX_SLL2);
}

TEST(LibpcapLibrary, IsLoadedOnceForEveryThread) {
    std::vector<const LibpcapFunctions*> seen(8);
    std::vector<std::thread> threads;
    for (auto& table : seen) threads.emplace_back([&table] { table = &libpcap(); });
    for (std::thread& thread : threads) thread.join();
    for (const LibpcapFunctions* table : seen) EXPECT_EQ(table, &libpcap());
}

TEST(LibpcapLibrary, AMissingLibraryIsOneLineWithTheLoadersReason) {
    EXPECT_EQ(load_refusal("libpcap-bpftools-missing.so.0"),
              "cannot load libpcap: libpcap-bpftools-missing.so.0: cannot open shared object "
              "file: No such file or directory");
}

TEST(LibpcapLibrary, ALibraryWithoutTheFunctionsIsOneLineNamingTheFirstMissing) {
    const std::string message = load_refusal("libc.so.6");
    EXPECT_TRUE(message.starts_with("cannot load libpcap: ")) << message;
    EXPECT_TRUE(message.ends_with("libc.so.6: undefined symbol: pcap_open_dead")) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

}  // namespace
}  // namespace bpfgen
