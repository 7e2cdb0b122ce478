// flood_sender.cpp: the bench's packet source: a bounded count of Ethernet/IPv4/UDP DNS
// queries for RANDOM.www.example.uk (1,024 random names, valid IP checksums, to the given MAC
// and IPv4 address; the dns rule *.www.example.uk matches every one) written to an interface
// through an AF_PACKET socket, 64 a system call, past the queueing discipline. Prints the count,
// the wall-clock seconds and this process's CPU seconds (user and system: on a veth the receiving
// side's softirq work mostly runs in the sender's context and is counted there). Usage:
// flood_sender IFACE DST_MAC SRC_IPV4 DST_IPV4 COUNT
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench/flood_packets.h"
#include "libbpfgen/base/file_descriptor.h"

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "flood_sender: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

bool parse_mac(const char* text, uint8_t mac[6]) {
    unsigned v[6];
    if (std::sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) {
        return false;
    }
    for (int i = 0; i < 6; ++i) mac[i] = static_cast<uint8_t>(v[i]);
    return true;
}

// The flood's frame rewritten for this link: addresses, and the IPv4 header checksum.
void address(bench::Packet& frame, const uint8_t dst_mac[6], const uint8_t src_mac[6],
             in_addr source, in_addr destination) {
    std::memcpy(frame.data(), dst_mac, 6);
    std::memcpy(frame.data() + 6, src_mac, 6);
    std::memcpy(frame.data() + 26, &source, 4);
    std::memcpy(frame.data() + 30, &destination, 4);
    frame[24] = frame[25] = 0;
    uint32_t sum = 0;
    for (int i = 14; i < 34; i += 2) sum += static_cast<uint32_t>(frame[i] << 8 | frame[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    frame[24] = static_cast<uint8_t>(~sum >> 8);
    frame[25] = static_cast<uint8_t>(~sum);
}

double cpu_seconds(const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    uint8_t dst_mac[6], src_mac[6];
    in_addr source{}, destination{};
    if (argc != 6 || !parse_mac(argv[2], dst_mac) || inet_pton(AF_INET, argv[3], &source) != 1 ||
        inet_pton(AF_INET, argv[4], &destination) != 1 || std::atol(argv[5]) <= 0) {
        std::fprintf(stderr, "usage: flood_sender IFACE DST_MAC SRC_IPV4 DST_IPV4 COUNT\n");
        return 2;
    }
    const long count = std::atol(argv[5]);
    const unsigned index = if_nametoindex(argv[1]);
    if (index == 0) fail(std::string("no interface ") + argv[1]);
    const bpfgen::FileDescriptor socket(::socket(AF_PACKET, SOCK_RAW, 0));
    if (socket.get() < 0) fail("socket(AF_PACKET)");
    ifreq request{};
    std::strncpy(request.ifr_name, argv[1], IFNAMSIZ - 1);
    if (ioctl(socket.get(), SIOCGIFHWADDR, &request) != 0) fail("SIOCGIFHWADDR");
    std::memcpy(src_mac, request.ifr_hwaddr.sa_data, 6);
    const int one = 1;
    if (setsockopt(socket.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) {
        fail("PACKET_QDISC_BYPASS");
    }
    sockaddr_ll link{};
    link.sll_family = AF_PACKET;
    link.sll_ifindex = static_cast<int>(index);
    link.sll_protocol = htons(ETH_P_IP);
    if (bind(socket.get(), reinterpret_cast<sockaddr*>(&link), sizeof(link)) != 0) fail("bind");

    constexpr std::size_t kBatch = 64;
    std::vector<bench::Packet> frames;
    std::mt19937 random(20141105);
    const std::string letters = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 1024; ++i) {
        std::string name;
        for (int n = 4 + static_cast<int>(random() % 13); n > 0; --n) {
            name += letters[random() % letters.size()];
        }
        frames.push_back(bench::dns_query(name + ".www.example.uk"));
    }
    for (bench::Packet& frame : frames) address(frame, dst_mac, src_mac, source, destination);
    std::vector<iovec> vectors(frames.size());
    std::vector<mmsghdr> messages(frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        vectors[i] = iovec{frames[i].data(), frames[i].size()};
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    const auto start = std::chrono::steady_clock::now();
    long sent = 0;
    while (sent < count) {
        const std::size_t at = static_cast<std::size_t>(sent) % frames.size();
        const long batch = std::min<long>(
            {static_cast<long>(kBatch), count - sent, static_cast<long>(frames.size() - at)});
        const int done = sendmmsg(socket.get(), &messages[at], static_cast<unsigned>(batch), 0);
        if (done < 0) {
            if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
            fail("sendmmsg");
        }
        sent += done;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("sent %ld packets in %.3f s, cpu user %.3f s system %.3f s\n", sent, seconds,
                cpu_seconds(usage.ru_utime), cpu_seconds(usage.ru_stime));
    return 0;
}
