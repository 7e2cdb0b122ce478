// dns.h: the 'dns' generator (see kDnsHelp in dns.cpp for what it matches), and its run
// taken apart into programs for runs of its patterns, for rules split to fit xt_bpf.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "generators/dns_automaton.h"
#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kDnsHelp;

struct MatchRules;  // how patterns become comparisons (dns.cpp)

GeneratedProgram generate_dns(const std::vector<std::string>& args,
                              const GeneratorOptions& options);

// A dns run whose arguments and patterns are parsed and checked once, so that programs for
// runs of its patterns can be measured and written without writing the whole program (which
// may be longer than the kernel takes). program(first, last) is exactly what generate_dns
// writes for the run's options and patterns first..last-1 alone; generate_dns itself is
// program(0, size()) after the kernel's length check.
class DnsPatterns {
  public:
    // Throws the UsageErrors generate_dns throws, in the same order, except the one for a
    // whole program longer than the kernel takes.
    DnsPatterns(const std::vector<std::string>& args, const GeneratorOptions& options);

    std::size_t size() const { return patterns_.size(); }  // at least 1
    const std::string& pattern(std::size_t index) const { return patterns_[index]; }
    // The name generate_dns gives the whole run.
    std::string name() const;
    // The length of program(first, last), in constant time (with -O, by writing its text
    // without assembling it). first < last <= size().
    std::size_t program_size(std::size_t first, std::size_t last) const;
    GeneratedProgram program(std::size_t first, std::size_t last) const;
    // Puts the patterns in the order of their labels read from the end (case folded), so
    // that patterns under the same domain follow each other: a run of them then shares
    // more with -O. For a split into rules, whose union matches what the whole set does.
    void group_by_domain();

  private:
    void measure_blocks();
    MatchRules match_rules() const;
    // -O (without --compat): the program of patterns first..last-1 and its length.
    DnsAutomaton automaton(std::size_t first, std::size_t last) const;

    GeneratorOptions options_;
    bool ignore_case_ = false;  // -i
    bool compat_ = false;       // --compat: the original's program
    std::vector<std::string> patterns_;
    std::size_t header_size_ = 0;  // instructions before the first block, less `st M[0]`
    // block_sizes_before_[i]: instructions of the blocks of patterns 0..i-1, each counted
    // with the `ldx M[0]` it starts with when not the first.
    std::vector<std::size_t> block_sizes_before_;
    // moving_x_before_[i]: patterns among 0..i-1 with a wildcard label (with -O, IPv4, the
    // block after each reloads X).
    std::vector<std::size_t> moving_x_before_;
};

}  // namespace bpfgen
