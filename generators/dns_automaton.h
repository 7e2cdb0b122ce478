// dns_automaton.h: the dns generator's -O program for a set of patterns, read label by label
// as one automaton: patterns share the comparisons of their common labels (a trie over the
// literal labels, with equal tails after different labels merged), the literal labels at
// each point are told apart by a decision tree over loaded words, and X keeps the name's
// offset. dns.cpp turns patterns into label tests; this file only writes the program.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bpfgen {

// One label of a pattern, as the program compares it.
struct DnsLabelTest {
    enum class Kind {
        Literal,     // the label's wire bytes, its length byte first
        Wildcard,    // any label of min..max bytes (1 <= min <= max <= 63)
        OpenPrefix,  // a label of at least min bytes starting with bytes[1..]; then anything
    };
    Kind kind = Kind::Literal;
    // Each byte as compared: already ORed with its mask (0xff: any byte, 0x20: a letter in
    // either case, 0: exactly). An OpenPrefix's length byte has the mask 0xff.
    std::vector<uint8_t> bytes;
    std::vector<uint8_t> masks;
    unsigned min = 1, max = 63;

    auto operator<=>(const DnsLabelTest&) const = default;
};

// A pattern: its labels in order; a name matches when it passes them all (a pattern of
// a whole name ends with the root's Literal {0}; one ending in `.**` just stops).
using DnsPatternTests = std::vector<DnsLabelTest>;

struct DnsAutomatonTarget {
    unsigned ip_version = 4;
    uint32_t l3_offset = 0;
    uint32_t match = 65535;
    uint32_t no_match = 0;
};

struct DnsAutomaton {
    std::string assembly;  // bpf_asm syntax, every jump within cBPF's reach
    std::size_t size = 0;  // its instructions (it may be more than the kernel takes)
};

DnsAutomaton dns_automaton(const std::vector<DnsPatternTests>& patterns,
                           const DnsAutomatonTarget& target);

}  // namespace bpfgen
