// xt_bpf_rules_test.cpp: generate_xt_bpf_rules: a run that fits is the one program generate()
// writes; a dns rule of any number of patterns is split greedily into programs of at most 64
// instructions whose union matches what its patterns match; what cannot be split is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "generators/xt_bpf_rules.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/deploy/iptables_script.h"
#include "tests/common/crafted_packets.h"

namespace bpfgen {
namespace {

using bpftools::test::Bytes;

GeneratorOptions with(int ip_version, bool negate = false) {
    GeneratorOptions options;
    options.ip_version = ip_version;
    options.negate = negate;
    return options;
}

std::vector<std::string> wildcard_patterns(std::size_t count) {
    std::vector<std::string> patterns;
    for (std::size_t i = 0; i < count; ++i) {
        patterns.push_back("*.attack" + std::to_string(i) + ".example.com");
    }
    return patterns;
}

std::vector<std::string> plain_patterns(std::size_t count) {
    std::vector<std::string> patterns;
    for (std::size_t i = 0; i < count; ++i) {
        patterns.push_back("www" + std::to_string(i) + ".example.org");
    }
    return patterns;
}

// A name the pattern matches: its '*' labels filled in.
std::string query_name(const std::string& pattern) {
    std::string name = pattern;
    if (name.starts_with("*.")) name.replace(0, 1, "host");
    return name;
}

std::string upper(std::string text) {
    for (char& c : text) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return text;
}

// A DNS query for name, as UDP in IPv4 or IPv6 (the fixed header only, as the dns program
// expects with -6).
Bytes query_packet(const std::string& name, int ip_version) {
    using namespace bpftools::test;
    const Bytes datagram = udp(3333, 53, dns_query(name));
    return ip_version == 4 ? ipv4(17, {192, 0, 2, 1}, datagram) : ipv6(17, datagram);
}

std::vector<CheckedProgram> checked(const XtBpfRules& rules) {
    std::vector<CheckedProgram> programs;
    for (const GeneratedProgram& generated : rules.programs) {
        programs.emplace_back(generated.program, CheckTarget::XtBpf, Engine::Interpreter);
    }
    return programs;
}

// How many of the programs match (give a non-zero verdict for) the packet.
std::size_t matches(const std::vector<CheckedProgram>& programs, const Bytes& packet) {
    std::size_t count = 0;
    for (const CheckedProgram& program : programs) {
        if (run(program, packet).verdict != 0) ++count;
    }
    return count;
}

bool single_pattern_matches(const std::vector<std::string>& flags, const std::string& pattern,
                            const Bytes& packet, const GeneratorOptions& options) {
    std::vector<std::string> args = flags;
    args.push_back("--");
    args.push_back(pattern);
    const CheckedProgram program(generate("dns", args, options).program, CheckTarget::XtBpf,
                                 Engine::Interpreter);
    return run(program, packet).verdict != 0;
}

// Every program at most 64 instructions and accepted by xt_bpf's kernel checks.
void expect_each_fits_xt_bpf(const XtBpfRules& rules) {
    for (std::size_t i = 0; i < rules.programs.size(); ++i) {
        const Program& program = rules.programs[i].program;
        EXPECT_LE(program.size(), op::kXtBpfMaxInstructions) << "program " << i;
        EXPECT_NO_THROW(check_kernel_rules(program, CheckTarget::XtBpf)) << "program " << i;
    }
}

// Today's grouping, written out plainly: each group grows pattern by pattern while the
// program generate() writes for it fits 64 instructions; the flags go with every group.
std::vector<GeneratedProgram> greedy_groups(const std::vector<std::string>& flags,
                                            const std::vector<std::string>& patterns,
                                            const GeneratorOptions& options) {
    auto program_for = [&](const std::vector<std::string>& group) {
        std::vector<std::string> args = flags;
        args.push_back("--");
        args.insert(args.end(), group.begin(), group.end());
        return generate("dns", args, options);
    };
    std::vector<GeneratedProgram> programs;
    std::vector<std::string> group;
    GeneratedProgram current;
    for (const std::string& pattern : patterns) {
        std::vector<std::string> candidate = group;
        candidate.push_back(pattern);
        GeneratedProgram generated = program_for(candidate);
        if (generated.program.size() <= op::kXtBpfMaxInstructions) {
            group = std::move(candidate);
            current = std::move(generated);
            continue;
        }
        programs.push_back(std::move(current));
        group = {pattern};
        current = program_for(group);
    }
    programs.push_back(std::move(current));
    return programs;
}

// What generate() names a run of these patterns: each one's own name, joined by '_'.
std::string run_name(const std::vector<std::string>& patterns) {
    std::string name;
    for (const std::string& pattern : patterns) {
        name += (name.empty() ? "" : "_") + generate("dns", {"--", pattern}, {}).name;
    }
    return name;
}

std::vector<std::string> joined(const std::vector<std::string>& flags,
                                const std::vector<std::string>& patterns) {
    std::vector<std::string> args = flags;
    args.push_back("--");
    args.insert(args.end(), patterns.begin(), patterns.end());
    return args;
}

// The message of the Error generate_xt_bpf_rules throws ("" when it throws none).
std::string refusal(const std::string& generator, const std::vector<std::string>& args,
                    const GeneratorOptions& options = {}) {
    try {
        generate_xt_bpf_rules(generator, args, options);
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(XtBpfRules, ARunThatFitsIsTheProgramGenerateWrites) {
    const std::vector<std::vector<std::string>> runs = {
        {"example.com"},
        {"-i", "*.example.com", "example.net"},
        {"--", "-i", "example.org"},
        {"*.attack0.example.com", "*.attack1.example.com"},
    };
    for (const std::vector<std::string>& args : runs) {
        for (const GeneratorOptions& options : {with(4), with(6), with(4, true), with(6, true)}) {
            const GeneratedProgram expected = generate("dns", args, options);
            ASSERT_LE(expected.program.size(), op::kXtBpfMaxInstructions);
            const XtBpfRules rules = generate_xt_bpf_rules("dns", args, options);
            ASSERT_EQ(rules.programs.size(), 1u) << args.front();
            EXPECT_EQ(rules.name, expected.name);
            EXPECT_EQ(rules.programs[0].name, expected.name);
            EXPECT_EQ(rules.programs[0].assembly, expected.assembly);
            EXPECT_EQ(rules.programs[0].program, expected.program);
        }
    }
    const GeneratedProgram suffix = generate("suffix", {"deadbeef"}, {});
    const XtBpfRules rules = generate_xt_bpf_rules("suffix", {"deadbeef"}, {});
    ASSERT_EQ(rules.programs.size(), 1u);
    EXPECT_EQ(rules.programs[0].program, suffix.program);
    EXPECT_EQ(rules.programs[0].assembly, suffix.assembly);
}

// Where the whole program stays within the kernel's 4096 instructions (150 of these patterns)
// and beyond it, the split is the same greedy grouping, program for program, the generator's
// options in every group.
TEST(XtBpfRules, SplitsGreedilyAsGenerateWouldForEachGroup) {
    for (const std::size_t count : {std::size_t{6}, std::size_t{150}, std::size_t{1000}}) {
        for (const std::vector<std::string>& flags :
             {std::vector<std::string>{}, std::vector<std::string>{"-i"}}) {
            for (const int v : {4, 6}) {
                std::vector<std::string> patterns = wildcard_patterns(count / 2);
                for (const std::string& plain : plain_patterns(count - count / 2)) {
                    patterns.push_back(plain);
                }
                const std::vector<GeneratedProgram> expected =
                    greedy_groups(flags, patterns, with(v));
                const XtBpfRules rules =
                    generate_xt_bpf_rules("dns", joined(flags, patterns), with(v));
                EXPECT_EQ(rules.name, run_name(patterns));
                ASSERT_EQ(rules.programs.size(), expected.size()) << count << " patterns";
                for (std::size_t i = 0; i < expected.size(); ++i) {
                    EXPECT_EQ(rules.programs[i].program, expected[i].program) << i;
                    EXPECT_EQ(rules.programs[i].assembly, expected[i].assembly) << i;
                }
                expect_each_fits_xt_bpf(rules);
            }
        }
    }
}

struct SplitCase {
    std::size_t count;
    bool wildcard;
    bool ignore_case;
    int ip_version;
};

// Thousands of patterns: the rules' union matches exactly what the patterns match, each
// pattern's queries matched by exactly one rule. Checked with the interpreter on a sample of
// patterns (first, last, random ones between; all of them for 1,000), against the program
// the pattern makes alone.
TEST(XtBpfRules, SplitsThousandsOfPatternsIntoRulesMatchingTheirUnion) {
    std::mt19937 random(20240601);
    for (const SplitCase& test :
         {SplitCase{1000, true, false, 4}, SplitCase{1000, false, true, 6},
          SplitCase{5000, true, true, 4}, SplitCase{5000, false, false, 6},
          SplitCase{5000, true, false, 6}, SplitCase{5000, false, true, 4}}) {
        SCOPED_TRACE(::testing::Message()
                     << test.count << (test.wildcard ? " wildcard" : " plain") << " patterns"
                     << (test.ignore_case ? " -i" : "") << " IPv" << test.ip_version);
        const std::vector<std::string> patterns =
            test.wildcard ? wildcard_patterns(test.count) : plain_patterns(test.count);
        const std::vector<std::string> flags =
            test.ignore_case ? std::vector<std::string>{"-i"} : std::vector<std::string>{};
        const GeneratorOptions options = with(test.ip_version);

        const auto start = std::chrono::steady_clock::now();
        const XtBpfRules rules = generate_xt_bpf_rules("dns", joined(flags, patterns), options);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        // A regression to regenerating the whole set per group takes minutes, not this.
        EXPECT_LT(took.count(), 5.0);

        ASSERT_GT(rules.programs.size(), test.count / 20);
        expect_each_fits_xt_bpf(rules);
        const std::vector<CheckedProgram> programs = checked(rules);

        std::vector<std::size_t> sample;
        if (test.count <= 1000) {
            for (std::size_t i = 0; i < test.count; ++i) sample.push_back(i);
        } else {
            sample = {0, 1, test.count - 2, test.count - 1};
            std::uniform_int_distribution<std::size_t> pick(2, test.count - 3);
            for (int i = 0; i < 12; ++i) sample.push_back(pick(random));
        }
        for (const std::size_t i : sample) {
            const std::string name = query_name(patterns[i]);
            const Bytes packet = query_packet(name, test.ip_version);
            EXPECT_TRUE(single_pattern_matches(flags, patterns[i], packet, options)) << name;
            EXPECT_EQ(matches(programs, packet), 1u) << name;
            const Bytes shouted = query_packet(upper(name), test.ip_version);
            EXPECT_EQ(single_pattern_matches(flags, patterns[i], shouted, options),
                      test.ignore_case);
            EXPECT_EQ(matches(programs, shouted), test.ignore_case ? 1u : 0u) << upper(name);
        }
        const std::string unlisted =
            query_name(test.wildcard ? wildcard_patterns(test.count + 1).back()
                                     : plain_patterns(test.count + 1).back());
        for (const std::string& name :
             {unlisted, std::string("attack1.example.com"), std::string("www1.example.org.evil"),
              std::string("a.b.attack7.example.com"), std::string("example.com")}) {
            EXPECT_EQ(matches(programs, query_packet(name, test.ip_version)), 0u) << name;
        }
    }
}

// With -O, the patterns under each domain go into rules together, whatever their order on
// the command line, so that they share their domain's comparisons: hosts under five
// domains, given in turn, need far fewer rules than without -O, and the rules' union still
// matches exactly what the patterns match.
TEST(XtBpfRules, OptimizedSplitGroupsThePatternsUnderOneDomain) {
    const std::vector<std::string> domains = {"example.com", "example.org", "shop.example.net",
                                              "corp.example.co.uk", "cdn.example.io"};
    std::mt19937 random(7);
    auto word = [&](unsigned min, unsigned max) {
        std::string text(std::uniform_int_distribution<unsigned>(min, max)(random), 'a');
        for (char& c : text) c = static_cast<char>('a' + random() % 26);
        return text;
    };
    std::vector<std::string> patterns;
    for (std::size_t i = 0; i < 1000; ++i) {
        const std::string& domain = domains[i % domains.size()];
        patterns.push_back(i % 10 == 9 ? "*." + word(3, 8) + "." + domain
                                       : word(3, 12) + "." + domain);
    }
    for (const int v : {4, 6}) {
        GeneratorOptions optimized = with(v);
        optimized.optimize = true;
        const XtBpfRules plain = generate_xt_bpf_rules("dns", joined({}, patterns), with(v));
        const XtBpfRules rules = generate_xt_bpf_rules("dns", joined({}, patterns), optimized);
        EXPECT_EQ(rules.name, plain.name);
        EXPECT_LT(rules.programs.size() * 4, plain.programs.size() * 3)
            << rules.programs.size() << " rules with -O, " << plain.programs.size() << " without";
        expect_each_fits_xt_bpf(rules);
        const std::vector<CheckedProgram> programs = checked(rules);
        for (const std::string& pattern : patterns) {
            EXPECT_EQ(matches(programs, query_packet(query_name(pattern), v)), 1u) << pattern;
        }
        for (const std::string& domain : domains) {
            for (const std::string& name :
                 {domain, "zz" + word(3, 12) + "." + domain, "a.b." + domain, patterns[0] + "x"}) {
                EXPECT_EQ(matches(programs, query_packet(name, v)), 0u) << name;
            }
        }
    }
}

// The generator's options are told from its patterns as it tells them itself: -i and
// --ignorecase anywhere before `--`, "-5" (a negative number) as a pattern, and after `--`
// everything, "-i" included, a pattern.
TEST(XtBpfRules, SplitKeepsTheGeneratorsOptionsAndPatternsApart) {
    std::vector<std::string> args = {"--ignorecase", "-5", "-1.5"};
    for (const std::string& pattern : plain_patterns(200)) args.push_back(pattern);
    args.push_back("-i");
    for (const std::string& pattern : wildcard_patterns(200)) args.push_back(pattern);
    for (const char* pattern : {"--", "-i", "--", "-x.example.com", "--ignorecase"}) {
        args.push_back(pattern);
    }
    const XtBpfRules rules = generate_xt_bpf_rules("dns", args, with(4));
    ASSERT_GT(rules.programs.size(), 1u);
    expect_each_fits_xt_bpf(rules);
    const std::vector<CheckedProgram> programs = checked(rules);
    for (const char* name :
         {"-5", "-1.5", "WWW0.EXAMPLE.ORG", "www199.example.org", "HOST.ATTACK123.example.com",
          "-i", "-X.example.com", "--ignorecase", "--"}) {
        EXPECT_EQ(matches(programs, query_packet(name, 4)), 1u) << name;
    }
    EXPECT_EQ(matches(programs, query_packet("www200.example.org", 4)), 0u);
}

TEST(XtBpfRules, EverySplitRuleFitsOneIptablesRestoreArgument) {
    // Case-insensitive long labels: wide constants and masks, the widest text per rule.
    std::vector<std::string> args = {"-i"};
    for (std::size_t i = 0; i < 300; ++i) {
        args.push_back(std::string(40, static_cast<char>('p' + i % 10)) + std::to_string(i) +
                       ".example.com");
    }
    const XtBpfRules rules = generate_xt_bpf_rules("dns", args, with(6));
    ASSERT_GT(rules.programs.size(), 1u);
    expect_each_fits_xt_bpf(rules);
    for (std::size_t i = 0; i < rules.programs.size(); ++i) {
        const Program& program = rules.programs[i].program;
        EXPECT_TRUE(fits_restore_rule(program)) << "program " << i;
        EXPECT_LE(format_xt_bpf(program).size(), kRestoreMaxArgument) << "program " << i;
    }
}

TEST(XtBpfRules, RefusesANegatedDnsRuleThatNeedsASplit) {
    for (const std::size_t count : {std::size_t{6}, std::size_t{5000}}) {
        const std::vector<std::string> args = wildcard_patterns(count);
        for (const int v : {4, 6}) {
            const std::string message = refusal("dns", args, with(v, true));
            EXPECT_TRUE(contains(message, "negated dns rule")) << message;
            EXPECT_TRUE(contains(message, "at most 64")) << message;
        }
    }
    const std::string message = refusal("dns", wildcard_patterns(6), with(4, true));
    const std::size_t length = generate("dns", wildcard_patterns(6), with(4, true)).program.size();
    EXPECT_TRUE(contains(message, "needs " + std::to_string(length) + " instructions")) << message;
}

TEST(XtBpfRules, RefusesAPatternTooLongForOneProgramNamingIt) {
    const std::string label(50, 'a');
    const std::string too_long = label + "." + label + "." + label + "." + label + ".com";
    const std::size_t length = generate("dns", {too_long}, {}).program.size();
    ASSERT_GT(length, op::kXtBpfMaxInstructions);
    for (const std::size_t count : {std::size_t{0}, std::size_t{10}, std::size_t{1000}}) {
        std::vector<std::string> args = plain_patterns(count);
        args.push_back(too_long);
        args.push_back("example.net");
        const std::string message = refusal("dns", args);
        EXPECT_TRUE(contains(message, "the dns pattern '" + label)) << message;
        EXPECT_TRUE(contains(message, "needs " + std::to_string(length) +
                                          " instructions, iptables' bpf "
                                          "match takes at most 64"))
            << message;
    }
}

TEST(XtBpfRules, RefusesOtherGeneratorsProgramsThatDoNotFitWithTheirLength) {
    std::string hex;
    for (int i = 0; i < 150; ++i) hex += "ab";
    const std::size_t length = generate("suffix", {hex}, {}).program.size();
    ASSERT_GT(length, op::kXtBpfMaxInstructions);
    EXPECT_EQ(refusal("suffix", {hex}), "the suffix rule needs " + std::to_string(length) +
                                            " instructions, iptables' bpf match takes at most 64");
}

// However many patterns, bad input is refused as generate() refuses it, before any split.
TEST(XtBpfRules, RefusesBadArgumentsAsGenerateDoes) {
    std::vector<std::string> args = plain_patterns(5000);
    args.push_back("a..b");
    EXPECT_THROW(generate_xt_bpf_rules("dns", args, {}), UsageError);
    EXPECT_TRUE(contains(refusal("dns", args), "empty label"));

    args = plain_patterns(5000);
    args.push_back("-x");
    EXPECT_EQ(refusal("dns", args), "dns: unknown option '-x'");
    EXPECT_TRUE(contains(refusal("dns", {"-i"}), "dns: no domain pattern given"));
    EXPECT_THROW(generate_xt_bpf_rules("dns", plain_patterns(5000), with(5)), UsageError);
    EXPECT_THROW(generate_xt_bpf_rules("nope", {"x"}, {}), UsageError);
}

// Whether a run is split is the registry entry's property, not its generator's name: dns
// says how to split, the others do not, and an entry's own split is the one used.
TEST(XtBpfRules, TheRegistryEntrySaysWhetherARunIsSplit) {
    for (const GeneratorInfo& info : generators()) {
        EXPECT_EQ(info.split_xt_bpf_rules != nullptr, info.name == "dns") << info.name;
    }
    EXPECT_EQ(find_generator("dns")->split_xt_bpf_rules, &split_dns_xt_bpf_rules);

    GeneratorInfo unsplit_dns = *find_generator("dns");
    unsplit_dns.split_xt_bpf_rules = nullptr;
    const std::vector<std::string> many = wildcard_patterns(20);
    ASSERT_GT(generate_xt_bpf_rules("dns", many, {}).programs.size(), 1u);
    try {
        generate_xt_bpf_rules(unsplit_dns, many, {});
        ADD_FAILURE() << "an entry without a split made rules of a run too long for one";
    } catch (const Error& error) {
        EXPECT_TRUE(contains(error.what(), "the dns rule needs")) << error.what();
    }

    GeneratorInfo split_suffix = *find_generator("suffix");
    split_suffix.split_xt_bpf_rules = [](const std::vector<std::string>& args,
                                         const GeneratorOptions& options) {
        XtBpfRules rules{"halves", {}};
        for (const std::string& arg : args) {
            rules.programs.push_back(generate("suffix", {arg}, options));
        }
        return rules;
    };
    const XtBpfRules rules = generate_xt_bpf_rules(split_suffix, {"dead", "beef"}, {});
    EXPECT_EQ(rules.name, "halves");
    ASSERT_EQ(rules.programs.size(), 2u);
    EXPECT_EQ(rules.programs[1].program, generate("suffix", {"beef"}, {}).program);
}

}  // namespace
}  // namespace bpfgen
