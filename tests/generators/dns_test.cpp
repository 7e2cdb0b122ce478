// dns_test.cpp: the 'dns' generator: pattern syntax, the program it writes (assembly text
// and instructions, compared with the original bpftools' output), names and refusals.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "generators/dns.h"
#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {
namespace {

GeneratedProgram dns(const std::vector<std::string>& args, GeneratorOptions options = {}) {
    return generate("dns", args, options);
}

GeneratorOptions at_offset(uint32_t offset) {
    GeneratorOptions options;
    options.l3_offset = offset;
    return options;
}

// The message of the UsageError the arguments are refused with ("" when accepted).
std::string refusal(const std::vector<std::string>& args) {
    try {
        dns(args);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// `bpfgen -s dns -- example.com` of the original, less the final newline print added.
constexpr std::string_view kExampleComAssembly = R"(    ldx 4*([0]&0xf)
    ; l3_off(0) + 8 of udp + 12 of dns
    ld #20
    add x
    tax
    ; a = x = M[0] = offset of first dns query byte
    ; st M[0]

lb_0:
    ; ldx M[0]
    ; Match: 076578616d706c6503636f6d00 '\x07example\x03com\x00'  mask=00000000000000000000000000
    ld [x + 0]
    jneq #0x07657861, lb_1
    ld [x + 4]
    jneq #0x6d706c65, lb_1
    ld [x + 8]
    jneq #0x03636f6d, lb_1
    ldb [x + 12]
    jneq #0x00, lb_1
    ret #65535

lb_1:
    ret #0
)";

TEST(Dns, WritesTheOriginalsAssemblyForAnExactName) {
    EXPECT_EQ(dns({"example.com"}).assembly, kExampleComAssembly);
}

TEST(Dns, AssemblesTheOriginalsBytecodeForAnExactName) {
    EXPECT_EQ(dns({"example.com"}).program,
              parse_xt_bpf("14,177 0 0 0,0 0 0 20,12 0 0 0,7 0 0 0,64 0 0 0,21 0 7 124090465,64 0 "
                           "0 4,21 0 5 1836084325,64 0 0 8,21 0 3 56848237,80 0 0 12,21 0 1 0,6 0 "
                           "0 65535,6 0 0 0,"));
}

TEST(Dns, WildcardLabelIsOneToSixtyThreeBytes) {
    EXPECT_TRUE(contains(dns({"*.www.example.uk"}).assembly,
                         "    ; Match: *\n    ldb [x + 0]\n    jlt #1, lb_1\n    jgt #63, lb_1\n"
                         "    add x\n    add #1\n    tax\n"));
}

TEST(Dns, CompatWildcardLabelSkipsAnyLengthByteAsTheOriginalDid) {
    EXPECT_EQ(dns({"--compat", "*.www.example.uk"}, at_offset(18)).program,
              parse_xt_bpf("18,177 0 0 18,0 0 0 38,12 0 0 0,7 0 0 0,80 0 0 0,12 0 0 0,4 0 0 1,7 "
                           "0 0 0,64 0 0 0,21 0 7 58161015,64 0 0 4,21 0 5 124090465,64 0 0 8,21 0 "
                           "3 1836084325,64 0 0 12,21 0 1 41249536,6 0 0 65535,6 0 0 0,"));
}

TEST(Dns, RangedWildcardChecksTheLabelLength) {
    GeneratorOptions options;
    options.ip_version = 6;
    EXPECT_EQ(dns({"*{1-20}.a.b"}, options).program,
              parse_xt_bpf("14,0 0 0 60,7 0 0 0,80 0 0 0,53 0 9 1,37 8 0 20,12 0 0 0,4 0 0 1,7 0 "
                           "0 0,64 0 0 0,21 0 3 23134562,80 0 0 4,21 0 1 0,6 0 0 65535,6 0 0 0,"));
}

TEST(Dns, RangeWithEqualBoundsIsOneEqualityTest) {
    const std::string text = dns({"*{3-3}.example.com"}).assembly;
    EXPECT_TRUE(contains(text, "    ; Match: *{3-3}\n    ldb [x + 0]\n    jneq #3, lb_1\n"));
    EXPECT_FALSE(contains(text, "jlt"));
}

TEST(Dns, RangeUpTo255StopsAtTheLongestLabel) {
    const std::string text = dns({"*{4-255}.example.com"}).assembly;
    EXPECT_TRUE(contains(text, "    jlt #4, lb_1\n    jgt #63, lb_1\n    add x\n"));
}

TEST(Dns, CompatRangeUpTo255HasNoUpperCheck) {
    const std::string text = dns({"--compat", "*{4-255}.example.com"}).assembly;
    EXPECT_TRUE(contains(text, "    jlt #4, lb_1\n    add x\n"));
    EXPECT_FALSE(contains(text, "jgt"));
}

TEST(Dns, RangeBoundsArePrintedAsNumbers) {
    EXPECT_TRUE(contains(dns({"*{004-010}.a"}).assembly, "; Match: *{4-10}\n"));
}

TEST(Dns, QuestionMarkMatchesAnyByteAndIgnoreCaseFoldsTheRest) {
    EXPECT_EQ(
        dns({"-i", "fin?.me"}).program,
        parse_xt_bpf("14,177 0 0 0,0 0 0 20,12 0 0 0,7 0 0 0,64 0 0 0,68 0 0 2105376,21 0 "
                     "6 73820526,64 0 0 4,68 0 0 4278198304,21 0 3 4278349157,80 0 0 8,21 0 1 "
                     "0,6 0 0 65535,6 0 0 0,"));
}

TEST(Dns, IgnoreCaseHasALongSpellingAndAbbreviations) {
    const std::string short_form = dns({"-i", "Example.com"}).assembly;
    EXPECT_EQ(dns({"--ignorecase", "Example.com"}).assembly, short_form);
    EXPECT_EQ(dns({"Example.com", "--ign"}).assembly, short_form);
    EXPECT_TRUE(contains(short_form, "or #0x00202020\n"));
}

TEST(Dns, WithoutIgnoreCaseLettersCompareExactly) {
    EXPECT_TRUE(contains(dns({"ExAmPlE.CoM"}).assembly, "jneq #0x07457841, lb_1\n"));
}

TEST(Dns, DotStarStarIsTheExactLabelThenAnything) {
    const std::string text = dns({"example.**"}).assembly;
    EXPECT_TRUE(
        contains(text, "; Match: 076578616d706c65 '\\x07example'  mask=0000000000000000\n"));
    EXPECT_FALSE(contains(text, "or #"));
}

TEST(Dns, StarStarWithoutDotNeedsTheLastLabelAtLeastThatLong) {
    const std::string text = dns({"example**"}).assembly;
    EXPECT_TRUE(contains(text,
                         "mask=ff00000000000000\n    ldb [x + 0]\n    jlt #7, lb_1\n"
                         "    ld [x + 0]\n    or #0xff000000\n    jneq #0xff657861, lb_1\n"));
}

TEST(Dns, CompatStarStarWithoutDotIgnoresTheLastLabelsLength) {
    const std::string text = dns({"--compat", "example**"}).assembly;
    EXPECT_TRUE(contains(text,
                         "mask=ff00000000000000\n    ld [x + 0]\n    or #0xff000000\n"
                         "    jneq #0xff657861, lb_1\n"));
    EXPECT_FALSE(contains(text, "jlt"));
}

TEST(Dns, IgnoreCaseFoldsLettersOnly) {
    EXPECT_TRUE(contains(dns({"-i", "a1_b.com"}).assembly, "    or #0x00200000\n"));
}

TEST(Dns, CompatIgnoreCaseFoldsEveryNameByte) {
    EXPECT_TRUE(contains(dns({"--compat", "-i", "a1_b.com"}).assembly, "    or #0x00202020\n"));
}

TEST(Dns, CompatKeepsTheOriginalsProgramWhereNothingChanged) {
    EXPECT_EQ(dns({"--compat", "example.com"}).assembly, kExampleComAssembly);
}

TEST(Dns, LeadingAndTrailingDotsAndSpacesAreIgnored) {
    const std::string plain = dns({"example.com"}).assembly;
    EXPECT_EQ(dns({".example.com."}).assembly, plain);
    EXPECT_EQ(dns({" ..example.com.. "}).assembly, plain);
}

TEST(Dns, PercentEscapesAreDecodedInsideALabel) {
    EXPECT_TRUE(contains(dns({"a%2eb.com"}).assembly,
                         "; Match: 03612e6203636f6d00 '\\x03a.b\\x03com\\x00'"));
    EXPECT_TRUE(contains(dns({"a%2Ab.com"}).assembly, "'\\x03a*b\\x03com\\x00'"));
}

TEST(Dns, StarInsideALabelIsLiteral) {
    EXPECT_TRUE(contains(dns({"*x.com"}).assembly, "'\\x02*x\\x03com\\x00'"));
}

TEST(Dns, DotsAloneAreTheRootName) {
    const std::string text = dns({"."}).assembly;
    EXPECT_TRUE(contains(text,
                         "; Match: 00 '\\x00'  mask=00\n    ldb [x + 0]\n    jneq #0x00, "
                         "lb_1\n    ret #65535\n"));
}

TEST(Dns, SeveralPatternsTryEachFromTheSavedOffset) {
    GeneratorOptions options;
    options.negate = true;
    EXPECT_EQ(
        dns({"a.com", "b.org", "c.net"}, options).program,
        parse_xt_bpf("29,177 0 0 0,0 0 0 20,12 0 0 0,7 0 0 0,2 0 0 0,64 0 0 0,21 0 5 "
                     "23135075,72 0 0 4,21 0 3 28525,80 0 0 6,21 0 1 0,6 0 0 0,97 0 0 0,64 0 0 "
                     "0,21 0 5 23200623,72 0 0 4,21 0 3 29287,80 0 0 6,21 0 1 0,6 0 0 0,97 0 0 "
                     "0,64 0 0 0,21 0 5 23266158,72 0 0 4,21 0 3 25972,80 0 0 6,21 0 1 0,6 0 0 "
                     "0,6 0 0 65535,"));
}

TEST(Dns, NegateSwapsTheReturnValues) {
    GeneratorOptions options;
    options.negate = true;
    const std::string text = dns({"example.com"}, options).assembly;
    EXPECT_TRUE(contains(text, "    ret #0\n\nlb_1:\n    ret #65535\n"));
}

TEST(Dns, Ipv4FindsUdpFromTheHeaderLengthAtEachOffset) {
    for (uint32_t offset : {0u, 14u, 16u, 18u, 20u}) {
        const Program program = dns({"x"}, at_offset(offset)).program;
        ASSERT_GE(program.size(), 2u);
        EXPECT_EQ(program[0], (Instruction{0xb1, 0, 0, offset})) << offset;       // ldx 4*([o]&0xf)
        EXPECT_EQ(program[1], (Instruction{0x00, 0, 0, offset + 20})) << offset;  // ld #o+20
    }
}

TEST(Dns, Ipv6AssumesUdpRightAfterTheFixedHeader) {
    for (uint32_t offset : {0u, 14u, 16u, 18u, 20u}) {
        GeneratorOptions options = at_offset(offset);
        options.ip_version = 6;
        const Program program = dns({"x"}, options).program;
        ASSERT_GE(program.size(), 1u);
        EXPECT_EQ(program[0], (Instruction{0x00, 0, 0, offset + 60})) << offset;  // ld #o+60
    }
}

TEST(Dns, NameJoinsPatternLabelsWithStarsSpelledAny) {
    EXPECT_EQ(dns({"*.example.com"}).name, "any_example_com");
    EXPECT_EQ(dns({"example.com", "*.www.fint.me"}).name, "example_com_any_www_fint_me");
    EXPECT_EQ(dns({"-i", "example.**"}).name, "example_xx");
    EXPECT_EQ(dns({"a%2eb.com", "_dmarc.x"}).name, "ax2eb_com_xdmarc_x");
    EXPECT_EQ(dns({".example.com."}).name, "example_com");
}

TEST(Dns, RefusesLabelsOver63Bytes) {
    const std::string label(64, 'a');
    EXPECT_EQ(dns({std::string(63, 'a') + ".com"}).name, std::string(63, 'a') + "_com");
    const std::string message = refusal({label + ".com"});
    EXPECT_TRUE(message.starts_with("dns: pattern 'aaa")) << message;
    EXPECT_TRUE(contains(message, "is 64 bytes long, at most 63")) << message;
}

TEST(Dns, CountsEscapedBytesTowardsTheLabelLimit) {
    std::string label;
    for (int i = 0; i < 64; ++i) label += "%41";
    EXPECT_TRUE(contains(refusal({label + ".com"}), "is 64 bytes long, at most 63"));
}

TEST(Dns, RefusesNamesOver255BytesOnTheWire) {
    const std::string l63(63, 'a');
    const std::string fits = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'a');
    EXPECT_EQ(refusal({fits}), "");
    const std::string message = refusal({fits + "a"});
    EXPECT_TRUE(contains(message, "takes 256 bytes on the wire, at most 255")) << message;
}

TEST(Dns, RefusesEmptyLabelsInsideAName) {
    EXPECT_TRUE(contains(refusal({"a..b"}), "dns: pattern 'a..b': empty label"));
}

TEST(Dns, RefusesEmptyPatterns) {
    EXPECT_TRUE(contains(refusal({""}), "dns: empty pattern"));
    EXPECT_TRUE(contains(refusal({"  "}), "dns: empty pattern"));
}

TEST(Dns, RefusesBadPercentEscapes) {
    for (const std::string pattern : {"a%zz.com", "a%2.com", "a%"}) {
        EXPECT_TRUE(contains(refusal({pattern}), "bad escape")) << pattern;
    }
}

TEST(Dns, RefusesRangesWithMinimumAboveMaximum) {
    EXPECT_EQ(refusal({"*{5-3}.com"}),
              "dns: pattern '*{5-3}.com': wildcard '*{5-3}': minimum 5 is greater than maximum 3");
}

TEST(Dns, RefusesRangesBeyondLabelLengths) {
    for (const std::string pattern :
         {"*{1-64}.com", "*{64-255}.com", "*{1-254}.com", "*{1-99999999999999999999}.com"}) {
        EXPECT_TRUE(contains(refusal({pattern}), "labels are 1 to 63 bytes long")) << pattern;
    }
    EXPECT_TRUE(contains(refusal({"*{0-3}.com"}), "minimum is at least 1"));
}

TEST(Dns, RefusesMalformedRanges) {
    for (const std::string pattern : {"*{1-}.com", "*{-3}.com", "*{a-b}.com", "*{1-3}x.com"}) {
        EXPECT_TRUE(contains(refusal({pattern}), "bad wildcard")) << pattern;
    }
}

TEST(Dns, RefusesPatternsTooLongForEightBitJumps) {
    std::string pattern;
    for (int i = 0; i < 60; ++i) pattern += "*{1-2}.";
    EXPECT_TRUE(contains(refusal({pattern + "com"}), "cBPF jumps reach 255"));
}

TEST(Dns, RefusesProgramsLongerThanTheKernelTakes) {
    std::vector<std::string> patterns;
    for (int i = 0; i < 400; ++i) patterns.push_back("host" + std::to_string(i) + ".example.com");
    EXPECT_TRUE(contains(refusal(patterns), "the kernel takes at most 4096"));
}

TEST(Dns, RefusesMissingPatternsAndUnknownOptions) {
    EXPECT_TRUE(contains(refusal({}), "dns: no domain pattern given"));
    EXPECT_TRUE(contains(refusal({"-i"}), "dns: no domain pattern given"));
    EXPECT_EQ(refusal({"-x", "a.com"}), "dns: unknown option '-x'");
    EXPECT_TRUE(contains(refusal({"--ignorecase=yes", "a.com"}), "takes no value"));
}

TEST(Dns, DoubleDashMakesOptionLikeArgumentsPatterns) {
    EXPECT_TRUE(contains(dns({"--", "-i"}).assembly, "'\\x02-i\\x00'"));
}

TEST(Dns, MessagesQuoteControlCharactersOnOneLine) {
    const std::string message = refusal({"a\n..b"});
    EXPECT_FALSE(contains(message, "\n"));
    EXPECT_TRUE(contains(message, "'a\\x0a..b'")) << message;
}

// DnsPatterns, which xt_bpf rules use to split a run: a run of patterns' program is the one
// generate() writes for those patterns alone, and its length is known without writing it.
TEST(DnsPatterns, ProgramsOfRunsArePatternsAloneAndTheirLengthsKnownBeforehand) {
    const std::vector<std::string> patterns = {
        "example.com", "*.www.example.uk", "*{3-8}.example.com", "fin?.me",
        "example.**",  "example**",        "a%2eb.com",          ".",
        "-5",          "*{4-255}.x"};
    for (const bool ignore_case : {false, true}) {
        for (const uint32_t offset : {0u, 14u}) {
            for (const int v : {4, 6, 4 + 10, 6 + 10}) {  // plus 10: with -O
                GeneratorOptions options = at_offset(offset);
                options.ip_version = v % 10;
                options.optimize = v > 10;
                options.negate = offset == 14;
                std::vector<std::string> flags;
                if (ignore_case) flags.push_back("-i");
                std::vector<std::string> args = flags;
                args.insert(args.end(), patterns.begin(), patterns.end());
                const DnsPatterns set(args, options);
                ASSERT_EQ(set.size(), patterns.size());
                EXPECT_EQ(set.name(), dns(args, options).name);
                for (std::size_t first = 0; first < patterns.size(); ++first) {
                    for (std::size_t last = first + 1; last <= patterns.size(); ++last) {
                        std::vector<std::string> run = flags;
                        run.push_back("--");
                        run.insert(run.end(), patterns.begin() + first, patterns.begin() + last);
                        const GeneratedProgram expected = dns(run, options);
                        const GeneratedProgram program = set.program(first, last);
                        EXPECT_EQ(program.assembly, expected.assembly) << first << ".." << last;
                        EXPECT_EQ(program.program, expected.program) << first << ".." << last;
                        EXPECT_EQ(program.name, expected.name) << first << ".." << last;
                        EXPECT_EQ(set.program_size(first, last), expected.program.size())
                            << first << ".." << last;
                    }
                }
            }
        }
    }
}

TEST(DnsPatterns, MeasuresRunsLongerThanTheKernelTakesWithoutRefusingThem) {
    std::vector<std::string> patterns;
    for (int i = 0; i < 5000; ++i) patterns.push_back("host" + std::to_string(i) + ".example.com");
    const DnsPatterns set(patterns, {});
    const std::size_t whole = set.program_size(0, set.size());
    EXPECT_GT(whole, 4096u);
    EXPECT_EQ(refusal(patterns), "dns: 5000 patterns make a program of " + std::to_string(whole) +
                                     " instructions, the kernel takes at most 4096");
    EXPECT_EQ(set.program(4990, 5000).program,
              dns(std::vector<std::string>(patterns.begin() + 4990, patterns.end())).program);
}

TEST(Dns, OptimizeFoldsTheStartOfTheNameIntoTheLoads) {
    GeneratorOptions options;
    options.optimize = true;
    EXPECT_EQ(dns({"example.com"}, options).program,
              parse_xt_bpf("11,177 0 0 0,64 0 0 20,21 0 7 124090465,64 0 0 24,21 0 5 1836084325,"
                           "64 0 0 28,21 0 3 56848237,80 0 0 32,21 0 1 0,6 0 0 65535,6 0 0 0,"));
    options.ip_version = 6;
    EXPECT_TRUE(contains(dns({"example.com"}, options).assembly, "    ld [60]\n"));
}

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

// Two different wildcards at the start need two blocks; the second reloads X, which the
// first moved, and nothing is kept in M[0].
TEST(Dns, OptimizeReloadsXOnlyAfterABlockThatMovedIt) {
    GeneratorOptions options;
    options.optimize = true;
    const std::string text = dns({"a.com", "*{2-3}.b.com", "*.c.com"}, options).assembly;
    EXPECT_TRUE(contains(text, "; block 2 of 2\n")) << text;
    EXPECT_EQ(occurrences(text, "ldx 4*([0]&0xf)"), 2U) << text;
    EXPECT_FALSE(contains(text, "M[0]"));
    EXPECT_EQ(occurrences(dns({"a.com", "b.com", "*.c.com"}, options).assembly, "ldx"), 1U);
}

// Names under one domain compare the domain once, whatever the first labels' lengths.
TEST(Dns, OptimizeComparesASharedDomainOnce) {
    GeneratorOptions options;
    options.optimize = true;
    const std::string text =
        dns({"www.example.com", "mail.example.com", "a.example.com", "*.example.com"}, options)
            .assembly;
    EXPECT_EQ(occurrences(text, "#0x6d706c65"), 1U) << text;  // "mple" of example
}

// Names starting alike compare their common start once.
TEST(Dns, OptimizeComparesACommonStartOnce) {
    GeneratorOptions options;
    options.optimize = true;
    const std::string text = dns({"www.example.com", "www.example.org"}, options).assembly;
    EXPECT_EQ(occurrences(text, "#0x03777777"), 1U) << text;  // the label www
}

// Literal first labels are told apart by a tree of `jgt`, so a name that fits none leaves
// after a few comparisons.
TEST(Dns, OptimizeSplitsManyLiteralLabelsByATree) {
    GeneratorOptions options;
    options.optimize = true;
    std::vector<std::string> patterns;
    for (int i = 0; i < 100; ++i) patterns.push_back(fmt::format("h{:03}.example.com", i));
    const GeneratedProgram program = dns(patterns, options);
    EXPECT_TRUE(contains(program.assembly, "jgt #0x")) << program.assembly;
    GeneratorOptions plain;
    EXPECT_LT(program.program.size() * 10, dns(patterns, plain).program.size() * 7);
}

// Names that share nothing: each is told apart by its first word and the rest of it is
// compared in place (no jump to a chain of its own), a tail of 3 bytes is read as the word
// ending there, every match ends at one `ret #65535`, and the last comparison of a name is
// written after the tree, where names ending alike can share it.
TEST(Dns, OptimizeComparesUnrelatedNamesInPlaceWithOneAccept) {
    GeneratorOptions options;
    options.optimize = true;
    options.l3_offset = 14;
    EXPECT_EQ(dns({"alpha.com", "deltazz.io"}, options).assembly,
              "    ldx 4*([14]&0xf)\n"
              "    ; x + 34 = offset of first dns query byte\n"
              "    ; block 1 of 1\n"
              "l2:\n"
              "    ld [x + 34]\n"
              "    jneq #0x05616c70, l5\n"
              "    ; labels 05616c70686103636f6d00\n"
              "    ld [x + 38]\n"
              "    jeq #0x68610363, l6, l1\n"
              "l5:\n"
              "    jneq #0x0764656c, l1\n"
              "    ; labels 0764656c74617a7a02696f00\n"
              "    ld [x + 38]\n"
              "    jeq #0x74617a7a, l7, l1\n"
              "l6:\n"
              "    ld [x + 41]\n"
              "    jeq #0x636f6d00, l0, l1\n"
              "l7:\n"
              "    ld [x + 42]\n"
              "    jeq #0x02696f00, l0, l1\n"
              "l0:\n"
              "    ret #65535\n"
              "l1:\n"
              "    ret #0\n");
}

// Names of the same length whose last word is the same compare it once, though their last
// labels differ.
TEST(Dns, OptimizeSharesTheLastWordOfNamesEndingAlike) {
    GeneratorOptions options;
    options.optimize = true;
    const std::string text = dns({"abcde.xcom", "vwxyz.ycom", "fghij.zcom"}, options).assembly;
    EXPECT_EQ(occurrences(text, "#0x636f6d00"), 1U) << text;  // "com" and the root
    EXPECT_EQ(occurrences(text, "ret #65535"), 1U) << text;
}

// With -O, 100 names that share nothing but their top-level domains take at most 70% of
// the default's instructions (the target of the dns -O work).
TEST(Dns, OptimizeTakesUnder70PercentForUnrelatedNames) {
    std::mt19937 random(12);
    const std::vector<std::string> tops = {"com", "net", "org", "de", "uk", "io", "fr"};
    auto word = [&](unsigned min, unsigned max) {
        std::string text(std::uniform_int_distribution<unsigned>(min, max)(random), 'a');
        for (char& c : text) c = static_cast<char>('a' + random() % 26);
        return text;
    };
    std::vector<std::string> patterns;
    for (int i = 0; i < 100; ++i) {
        std::string name = word(3, 10);
        if (random() % 2 == 0) name = word(2, 8) + "." + name;
        patterns.push_back(name + "." + tops[random() % tops.size()]);
    }
    GeneratorOptions optimized;
    optimized.optimize = true;
    const std::size_t shorter = dns(patterns, optimized).program.size();
    const std::size_t plain = dns(patterns, GeneratorOptions{}).program.size();
    EXPECT_LE(shorter * 10, plain * 7)
        << shorter << " instructions with -O, " << plain << " without";
}

// A run whose jumps reach past 255 instructions goes through stepping stones; the kernel's
// rules (checked by generate) accept it.
TEST(Dns, OptimizeReachesFarTargets) {
    GeneratorOptions options;
    options.optimize = true;
    std::vector<std::string> patterns;
    for (int i = 0; i < 300; ++i) {
        patterns.push_back(fmt::format("n{}x.d{}.example{}.com", i * 7919 % 1000, i % 7, i % 3));
    }
    const GeneratedProgram program = dns(patterns, options);
    EXPECT_GT(program.program.size(), 600U);
    EXPECT_TRUE(contains(program.assembly, "    ja l")) << program.assembly;
}

// Hosts under five domains, a tenth of them `*.` under a sub-domain: the stepping stones
// of such sets once went round in circles and -O refused them. Every set now builds, and
// -O stays shorter than the default.
TEST(Dns, OptimizePlacesTheJumpsOfAnySet) {
    const std::vector<std::string> domains = {"example.com", "example.org", "shop.example.net",
                                              "corp.example.co.uk", "cdn.example.io"};
    for (const std::size_t count : {100U, 1000U}) {
        for (uint32_t seed = 1; seed <= 8; ++seed) {
            std::mt19937 random(seed);
            auto word = [&](unsigned min, unsigned max) {
                std::string text(std::uniform_int_distribution<unsigned>(min, max)(random), 'a');
                for (char& c : text) c = static_cast<char>('a' + random() % 26);
                return text;
            };
            std::vector<std::string> patterns;
            for (std::size_t i = 0; i < count; ++i) {
                const std::string& domain = domains[i % domains.size()];
                patterns.push_back(i % 10 == 9 ? "*." + word(3, 8) + "." + domain
                                               : word(3, 12) + "." + domain);
            }
            GeneratorOptions optimized;
            optimized.optimize = true;
            const DnsPatterns shorter(patterns, optimized);
            const DnsPatterns plain(patterns, GeneratorOptions{});
            const std::size_t size = shorter.program_size(0, count);
            EXPECT_LT(size, plain.program_size(0, count)) << count << " patterns, seed " << seed;
            if (size <= op::kMaxInstructions) {
                const GeneratedProgram program = shorter.program(0, count);
                EXPECT_EQ(program.program.size(), size);
            }
        }
    }
}

TEST(Dns, HelpGivesExamples) {
    EXPECT_TRUE(contains(std::string(kDnsHelp), "bpfgen dns -- example.com"));
    EXPECT_TRUE(contains(std::string(kDnsHelp), "-i, --ignorecase"));
}

}  // namespace
}  // namespace bpfgen
