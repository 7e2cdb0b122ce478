// p0f_signature_test.cpp: parsing p0f v3 signatures (every field, every quirk, every
// refusal of the original and of its defects) and the pcap-filter checks each part of a
// signature becomes, with the explanations `bpfgen -s` prints.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "generators/p0f_signature.h"
#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

std::vector<P0fCheck> checks_of(const std::string& signature) {
    return p0f_checks(parse_p0f_signature(signature));
}

std::string expression_of(const std::string& signature) {
    return p0f_expression(checks_of(signature));
}

// The checks whose explanation starts with prefix.
std::vector<std::string> checks_about(const std::string& signature, const std::string& prefix) {
    std::vector<std::string> found;
    for (const P0fCheck& check : checks_of(signature)) {
        if (check.explanation.rfind(prefix, 0) == 0) found.push_back(check.expression);
    }
    return found;
}

using Checks = std::vector<std::string>;

// The message of the UsageError the signature is refused with ("" when accepted).
std::string refusal(const std::string& signature) {
    try {
        checks_of(signature);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// --- fields ---

TEST(P0fSignature, ParsesIpVersion) {
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::*").ip_version, 4);
    EXPECT_EQ(parse_p0f_signature("6:64:*:*:*,*:::*").ip_version, 6);
}

TEST(P0fSignature, ParsesFixedAndRandomTtl) {
    const P0fSignature fixed = parse_p0f_signature("4:128:*:*:*,*:::*");
    EXPECT_EQ(fixed.initial_ttl, 128u);
    EXPECT_FALSE(fixed.random_ttl);
    const P0fSignature random = parse_p0f_signature("4:255-:*:*:*,*:::*");
    EXPECT_EQ(random.initial_ttl, 255u);
    EXPECT_TRUE(random.random_ttl);
}

TEST(P0fSignature, ParsesOlen) {
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::*").olen, std::nullopt);
    EXPECT_EQ(parse_p0f_signature("4:64:3:*:*,*:::*").olen, 3u);
    EXPECT_EQ(parse_p0f_signature("6:64:0:*:*,*:::*").olen, 0u);
}

TEST(P0fSignature, ParsesMssInDecimalEvenWithLeadingZeros) {
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::*").mss, std::nullopt);
    EXPECT_EQ(parse_p0f_signature("4:64:*:1460:*,*:mss::*").mss, 1460u);
    EXPECT_EQ(checks_about("4:64:*:01460:*,*:mss::*", "mss =="), Checks{"(tcp[22:2] == 1460)"});
}

TEST(P0fSignature, ParsesEveryWindowSizeForm) {
    using Kind = P0fWindowSize::Kind;
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::*").window_size, (P0fWindowSize{Kind::Any, 0}));
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:8192,*:::*").window_size,
              (P0fWindowSize{Kind::Value, 8192}));
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:mss*44,*:mss::*").window_size,
              (P0fWindowSize{Kind::MssMultiple, 44}));
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:mtu*4,*:::*").window_size,
              (P0fWindowSize{Kind::MtuMultiple, 4}));
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:%8192,*:::*").window_size,
              (P0fWindowSize{Kind::Multiple, 8192}));
}

TEST(P0fSignature, ParsesWindowScale) {
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::*").window_scale, std::nullopt);
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,7:ws::*").window_scale, 7u);
}

TEST(P0fSignature, ParsesEveryOlayoutOption) {
    const P0fSignature signature = parse_p0f_signature("4:64:*:*:*,*:mss,nop,ws,sok,ts,eol+3::*");
    EXPECT_EQ(signature.olayout,
              (std::vector<P0fOption>{P0fOption::Mss, P0fOption::Nop, P0fOption::Ws, P0fOption::Sok,
                                      P0fOption::Ts, P0fOption::Eol}));
    EXPECT_EQ(signature.eol_padding, 3u);
    EXPECT_TRUE(parse_p0f_signature("4:64:*:*:*,*:::*").olayout.empty());
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:nop,eol::*").eol_padding, 0u);
}

TEST(P0fSignature, ParsesPayloadClass) {
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::*").payload, std::nullopt);
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::0").payload, false);
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*:::+").payload, true);
}

struct QuirkCase {
    const char* signature;
    P0fQuirk quirk;
};

class P0fQuirkParsing : public testing::TestWithParam<QuirkCase> {};

TEST_P(P0fQuirkParsing, ParsesTheQuirk) {
    const P0fSignature signature = parse_p0f_signature(GetParam().signature);
    EXPECT_EQ(signature.quirks, std::set<P0fQuirk>{GetParam().quirk});
}

INSTANTIATE_TEST_SUITE_P(EveryQuirk, P0fQuirkParsing,
                         testing::Values(QuirkCase{"4:64:*:*:*,*::df:*", P0fQuirk::Df},
                                         QuirkCase{"4:64:*:*:*,*::id+:*", P0fQuirk::IdPlus},
                                         QuirkCase{"4:64:*:*:*,*::id-:*", P0fQuirk::IdMinus},
                                         QuirkCase{"4:64:*:*:*,*::ecn:*", P0fQuirk::Ecn},
                                         QuirkCase{"4:64:*:*:*,*::0+:*", P0fQuirk::MbzPlus},
                                         QuirkCase{"6:64:*:*:*,*::flow:*", P0fQuirk::Flow},
                                         QuirkCase{"4:64:*:*:*,*::seq-:*", P0fQuirk::SeqMinus},
                                         QuirkCase{"4:64:*:*:*,*::ack+:*", P0fQuirk::AckPlus},
                                         QuirkCase{"4:64:*:*:*,*::ack-:*", P0fQuirk::AckMinus},
                                         QuirkCase{"4:64:*:*:*,*::uptr+:*", P0fQuirk::UptrPlus},
                                         QuirkCase{"4:64:*:*:*,*::urgf+:*", P0fQuirk::UrgfPlus},
                                         QuirkCase{"4:64:*:*:*,*::pushf+:*", P0fQuirk::PushfPlus},
                                         QuirkCase{"4:64:*:*:*,*:ts:ts1-:*", P0fQuirk::Ts1Minus},
                                         QuirkCase{"4:64:*:*:*,*:ts:ts2+:*", P0fQuirk::Ts2Plus},
                                         QuirkCase{"4:64:*:*:*,*:nop,eol+1:opt+:*",
                                                   P0fQuirk::OptPlus},
                                         QuirkCase{"4:64:*:*:*,*:ws:exws:*", P0fQuirk::Exws},
                                         QuirkCase{"4:64:*:*:*,*:ts:linux:*", P0fQuirk::Linux},
                                         QuirkCase{"4:64:*:*:*,*:nop:bad:*", P0fQuirk::Bad}));

TEST(P0fSignature, EmptyQuirkEntriesAreNoQuirk) {
    EXPECT_EQ(parse_p0f_signature("4:64:*:*:*,*::df,,seq-:*").quirks,
              (std::set<P0fQuirk>{P0fQuirk::Df, P0fQuirk::SeqMinus}));
}

// --- checks ---

TEST(P0fChecks, FirstCheckIsTheIpVersion) {
    EXPECT_EQ(checks_of("4:64:*:*:*,*:::*").front(), (P0fCheck{"ip", "ip version"}));
    EXPECT_EQ(checks_of("6:64:*:*:*,*:::*").front(), (P0fCheck{"ip6", "ip version"}));
}

TEST(P0fChecks, TtlIsAtMostTheInitialAndWithin35HopsOfIt) {
    EXPECT_EQ(checks_about("4:64:*:*:*,*:::*", "ttl"), (Checks{"(ip[8] <= 64)", "(ip[8] > 29)"}));
    EXPECT_EQ(checks_about("4:32:*:*:*,*:::*", "ttl"), (Checks{"(ip[8] <= 32)"}));
    EXPECT_EQ(checks_about("6:128:*:*:*,*:::*", "ttl"),
              (Checks{"((ip6[7]) <= 128)", "((ip6[7]) > 93)"}));
}

TEST(P0fChecks, TtlBelow35HasNoLowerBound) {
    // ittl - 35 would be negative: libpcap read the original's "> -2" as unsigned and the
    // rule matched nothing.
    EXPECT_EQ(checks_about("4:33:*:*:*,*:::*", "ttl"), (Checks{"(ip[8] <= 33)"}));
    EXPECT_EQ(checks_about("4:34:*:*:*,*:::*", "ttl"), (Checks{"(ip[8] <= 34)"}));
    EXPECT_EQ(checks_about("4:35:*:*:*,*:::*", "ttl"), (Checks{"(ip[8] <= 35)", "(ip[8] > 0)"}));
}

TEST(P0fChecks, RandomTtlIsNotChecked) {
    EXPECT_TRUE(checks_about("4:255-:*:*:*,*:::*", "ttl").empty());
}

TEST(P0fChecks, OlenCountsIpv4HeaderWordsBeyondFive) {
    EXPECT_EQ(checks_about("4:64:1:*:*,*:::*", "IP options"), Checks{"((ip[0] & 0xf) == 6)"});
    EXPECT_TRUE(checks_about("4:64:*:*:*,*:::*", "IP options").empty());
    EXPECT_TRUE(checks_about("6:64:0:*:*,*:::*", "IP options").empty());
}

TEST(P0fChecks, MssReadsTheFirstMssOption) {
    EXPECT_EQ(checks_about("4:64:*:1460:*,*:nop,nop,mss::*", "mss"), Checks{"(tcp[24:2] == 1460)"});
    EXPECT_EQ(checks_about("6:64:*:1460:*,*:mss::*", "mss"), Checks{"(ip6[(40 + 22):2] == 1460)"});
}

TEST(P0fChecks, MssZeroIsNotChecked) {
    EXPECT_TRUE(checks_about("4:64:*:0:*,*:::*", "mss").empty());
}

TEST(P0fChecks, EveryWindowSizeForm) {
    EXPECT_EQ(checks_about("4:64:*:*:8192,*:::*", "win size"), Checks{"(tcp[14:2] == 8192)"});
    EXPECT_EQ(checks_about("4:64:*:*:mss*10,*:mss::*", "win size"),
              Checks{"(tcp[14:2] == (tcp[22:2] * 10))"});
    EXPECT_EQ(checks_about("4:64:*:*:mtu*2,*:::*", "win size"),
              Checks{"(tcp[14:2] == (1500 * 2))"});
    EXPECT_EQ(checks_about("4:64:*:*:%8192,*:::*", "win size"),
              Checks{"((tcp[14:2] % 8192) == 0)"});
    EXPECT_EQ(checks_about("6:64:*:*:mss*20,*:mss::*", "win size"),
              Checks{"(ip6[(40 + 14):2] == (ip6[(40 + 22):2] * 20))"});
}

TEST(P0fChecks, WindowScaleReadsTheWsOption) {
    EXPECT_EQ(checks_about("4:64:*:*:*,7:nop,ws::*", "win scale"), Checks{"(tcp[23:1] == 7)"});
    EXPECT_TRUE(checks_about("4:64:*:*:*,0:::*", "win scale").empty());
}

TEST(P0fChecks, OlayoutChecksDataOffsetAndEachOptionKind) {
    EXPECT_EQ(checks_about("4:64:*:*:*,*:mss,sok,ts,nop,ws::*", "TCP data offset"),
              Checks{"((tcp[12] >> 4) == 10)"});
    EXPECT_EQ(checks_about("4:64:*:*:*,*:mss,sok,ts,nop,ws::*", "olayout"),
              (Checks{"(tcp[20] == 2)", "(tcp[24] == 4)", "(tcp[26] == 8)", "(tcp[36] == 1)",
                      "(tcp[37] == 3)"}));
    EXPECT_EQ(checks_about("6:64:*:*:*,*:nop,eol::*", "olayout"),
              (Checks{"(ip6[40 + 20] == 1)", "(ip6[40 + 21] == 0)"}));
}

TEST(P0fChecks, DataOffsetRoundsOptionsUpToWords) {
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,nop,nop::*", "TCP data offset"),
              Checks{"((tcp[12] >> 4) == 6)"});
    EXPECT_EQ(checks_about("4:64:*:*:*,*:::*", "TCP data offset"), Checks{"((tcp[12] >> 4) == 5)"});
}

TEST(P0fChecks, BadQuirkSkipsTheDataOffset) {
    EXPECT_TRUE(checks_about("4:64:*:*:*,*:nop:bad:*", "TCP data offset").empty());
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop:bad:*", "olayout"), Checks{"(tcp[20] == 1)"});
}

TEST(P0fChecks, EolPaddingIsZeroInChunksSizedByThePadding) {
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,eol+2::*", "eol pad"), Checks{"(tcp[22:2] == 0)"});
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,eol+1::*", "eol pad"), Checks{"(tcp[22:1] == 0)"});
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,eol+8::*", "eol pad"),
              (Checks{"(tcp[22:4] == 0)", "(tcp[26:4] == 0)"}));
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,eol+2::*", "TCP data offset"),
              Checks{"((tcp[12] >> 4) == 6)"});
}

TEST(P0fChecks, EolPaddingChecksNeverReadPastThePadding) {
    // The original read tcp[22:2] and tcp[24:2] for eol+3, one byte too many.
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,eol+3::*", "eol pad"),
              (Checks{"(tcp[22:2] == 0)", "(tcp[24:1] == 0)"}));
    EXPECT_EQ(
        checks_about("6:64:*:*:*,*:nop,eol+7::*", "eol pad"),
        (Checks{"(ip6[(40 + 22):4] == 0)", "(ip6[(40 + 26):2] == 0)", "(ip6[(40 + 28):1] == 0)"}));
}

TEST(P0fChecks, OptPlusWantsSomePaddingByteNonZero) {
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,eol+2:opt+:*", "eol pad"), Checks{"(tcp[22:2] != 0)"});
    EXPECT_EQ(checks_about("4:64:*:*:*,*:nop,eol+6:opt+:*", "eol pad"),
              Checks{"((tcp[22:4] != 0) or (tcp[26:2] != 0))"});
}

struct QuirkChecks {
    const char* signature;
    const char* explanation_prefix;
    Checks expressions;
};

class P0fQuirkChecks : public testing::TestWithParam<QuirkChecks> {};

TEST_P(P0fQuirkChecks, TranslatesTheQuirk) {
    EXPECT_EQ(checks_about(GetParam().signature, GetParam().explanation_prefix),
              GetParam().expressions);
}

INSTANTIATE_TEST_SUITE_P(
    EveryQuirk, P0fQuirkChecks,
    testing::Values(
        QuirkChecks{"4:64:*:*:*,*::df:*", "df", {"((ip[6] & 0x40) != 0)"}},
        QuirkChecks{"4:64:*:*:*,*::id+:*", "id+", {"((ip[6] & 0x40) != 0)", "(ip[4:2] != 0)"}},
        QuirkChecks{"4:64:*:*:*,*::id-:*", "id-", {"((ip[6] & 0x40) == 0)", "(ip[4:2] == 0)"}},
        QuirkChecks{"4:64:*:*:*,*::ecn:*", "ecn", {"((ip[1] & 0x2) != 0)"}},
        QuirkChecks{"4:64:*:*:*,*::0+:*", "mbz", {"((ip[6] & 0x80) != 0)"}},
        QuirkChecks{"4:64:*:*:*,*:::*", "mbz", {"((ip[6] & 0x80) == 0)"}},
        QuirkChecks{"6:64:*:*:*,*::flow:*", "flow", {"((ip6[2:2]) != 0)"}},
        QuirkChecks{"4:64:*:*:*,*::seq-:*", "seq-", {"(tcp[4:4] == 0)"}},
        QuirkChecks{"6:64:*:*:*,*::seq-:*", "seq-", {"(ip6[(40 + 4):4] == 0)"}},
        QuirkChecks{"4:64:*:*:*,*::ack+:*",
                    "ack+",
                    {"((tcp[tcpflags] & tcp-ack) == 0)", "(tcp[8:4] != 0)"}},
        QuirkChecks{"6:64:*:*:*,*::ack-:*",
                    "ack-",
                    {"((ip6[40 + tcpflags] & tcp-ack) != 0)", "(ip6[(40 + 8):4] == 0)"}},
        QuirkChecks{"4:64:*:*:*,*::uptr+:*",
                    "uptr+",
                    {"((tcp[tcpflags] & tcp-urg) == 0)", "(tcp[18:2] != 0)"}},
        QuirkChecks{"4:64:*:*:*,*::urgf+:*", "urgf+", {"((tcp[tcpflags] & tcp-urg) != 0)"}},
        QuirkChecks{"6:64:*:*:*,*::pushf+:*", "pushf+", {"((ip6[40 + tcpflags] & tcp-push) != 0)"}},
        QuirkChecks{"4:64:*:*:*,*:nop,ts:ts1-:*", "ts1-", {"(tcp[23:4] == 0)"}},
        QuirkChecks{"4:64:*:*:*,*:nop,ts:ts2+:*", "ts2+", {"(tcp[27:4] != 0)"}},
        QuirkChecks{"6:64:*:*:*,*:ws:exws:*", "exws", {"(ip6[(40 + 22):1] > 14)"}},
        QuirkChecks{"4:64:*:*:*,*:ts:linux:*",
                    "linux",
                    {"(ip[4:2] == ((tcp[4:4] ^ tcp[22:4]) & 0xffff))"}}));

TEST(P0fChecks, DfWithIdPlusChecksOnlyDfAsTheOriginal) {
    EXPECT_EQ(checks_about("4:64:*:*:*,*::df,id+:*", "id+"), Checks{});
    EXPECT_EQ(checks_about("4:64:*:*:*,*::df,id+:*", "df"), Checks{"((ip[6] & 0x40) != 0)"});
}

TEST(P0fChecks, IdPlusExplanationKeepsTheOriginalsTrailingSpace) {
    EXPECT_EQ(checks_of("4:64:*:*:*,*::id+:*")[5], (P0fCheck{"(ip[4:2] != 0)", "id+ (id set) "}));
}

TEST(P0fChecks, PayloadClass) {
    EXPECT_EQ(checks_about("4:64:*:*:*,*:::0", "payload"),
              Checks{"((ip[2:2] - ((ip[0] & 0xf) * 4) - ((tcp[12] >> 4) * 4)) == 0)"});
    EXPECT_EQ(checks_about("6:64:*:*:*,*:::+", "payload"),
              Checks{"(((ip6[4:2]) - ((ip6[40 + 12] >> 4) * 4)) != 0)"});
    EXPECT_TRUE(checks_about("4:64:*:*:*,*:::*", "payload").empty());
}

TEST(P0fChecks, ExpressionJoinsTheChecksWithAnd) {
    EXPECT_EQ(expression_of("4:64:*:*:*,*:::0"),
              "ip and (ip[8] <= 64) and (ip[8] > 29) and ((tcp[12] >> 4) == 5) and "
              "((ip[6] & 0x80) == 0) and ((ip[2:2] - ((ip[0] & 0xf) * 4) - ((tcp[12] >> 4) * "
              "4)) == 0)");
}

TEST(P0fChecks, ExplanationsPairEachExpressionWithWhatItChecks) {
    EXPECT_EQ(p0f_explanations(checks_of("6:64:*:*:*,*:::*")),
              (std::vector<std::string>{"ip6: ip version", "((ip6[7]) <= 64): ttl <= 64",
                                        "((ip6[7]) > 29): ttl > 29",
                                        "((ip6[40 + 12] >> 4) == 5): TCP data offset"}));
}

// --- refusals: the original's test_invalid_signature ---

TEST(P0fWildcardVersion, ReadForEachVersionAsP0fDoes) {
    const P0fSignature signature = parse_p0f_signature("*:64:0:*:*,*::df,id+,flow,seq-:0");
    EXPECT_EQ(signature.ip_version, 0);
    const P0fSignature ipv4 = for_ip_version(signature, 4, "sig");
    EXPECT_EQ(ipv4.ip_version, 4);
    EXPECT_EQ(ipv4.quirks,
              (std::set<P0fQuirk>{P0fQuirk::Df, P0fQuirk::IdPlus, P0fQuirk::SeqMinus}));
    const P0fSignature ipv6 = for_ip_version(signature, 6, "sig");
    EXPECT_EQ(ipv6.ip_version, 6);
    EXPECT_EQ(ipv6.quirks, (std::set<P0fQuirk>{P0fQuirk::Flow, P0fQuirk::SeqMinus}));
}

TEST(P0fWildcardVersion, AReadingThatCannotBeCheckedIsRefused) {
    const P0fSignature options = parse_p0f_signature("*:64:2:*:*,*:::0");
    EXPECT_EQ(for_ip_version(options, 4, "s").olen, 2u);
    EXPECT_THROW(for_ip_version(options, 6, "s"), UsageError);
    EXPECT_THROW(for_ip_version(parse_p0f_signature("*:64:*:*:*,*::0+:0"), 6, "s"), UsageError);
}

TEST(P0fWildcardVersion, OneVersionSignatureIsItsOwnReadingOnly) {
    const P0fSignature ipv4 = parse_p0f_signature("4:64:*:*:*,*::df:0");
    EXPECT_EQ(for_ip_version(ipv4, 4, "s").quirks, ipv4.quirks);
    EXPECT_THROW(for_ip_version(ipv4, 6, "s"), UsageError);
    EXPECT_THROW(p0f_checks(parse_p0f_signature("*:64:*:*:*,*:::0")), Error);
}

TEST(P0fChecks, EcnOfIpv6IsTheTrafficClassBit) {
    EXPECT_EQ(p0f_expression(checks_of("6:64:*:*:*,*::ecn:*")),
              "ip6 and ((ip6[7]) <= 64) and ((ip6[7]) > 29) and ((ip6[40 + 12] >> 4) == 5) and "
              "((ip6[1] & 0x20) != 0)");
}

TEST(P0fRefusals, UnknownVersion) {
    EXPECT_EQ(refusal("22:255-:*:*:*,*:::0"),
              "p0f: invalid version field '22' in signature '22:255-:*:*:*,*:::0': expected 4, 6 "
              "or *");
}

TEST(P0fRefusals, TtlThatIsNotANumber) {
    EXPECT_TRUE(contains(refusal("4:x:*:*:*,*:::0"),
                         "p0f: invalid ttl field 'x' in signature '4:x:*:*:*,*:::0'"));
    EXPECT_TRUE(contains(refusal("4:255x:*:*:*,*:::0"), "invalid ttl field '255x'"));
}

TEST(P0fRefusals, OlenThatIsNotAWholeNumber) {
    EXPECT_TRUE(contains(refusal("4:64:0.1:*:*,*:::0"), "p0f: invalid olen field '0.1'"));
}

TEST(P0fRefusals, MssThatIsNotANumber) {
    EXPECT_TRUE(contains(refusal("4:64:*:y:*,*:::0"), "p0f: invalid mss field 'y'"));
}

TEST(P0fRefusals, UnknownWindowSizeForm) {
    EXPECT_TRUE(
        contains(refusal("4:64:*:*:nope*2,*:::0"), "p0f: invalid window size field 'nope*2'"));
}

TEST(P0fRefusals, WindowScaleThatIsNotANumber) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:mss*2,x:::0"), "p0f: invalid window scale field 'x'"));
}

TEST(P0fRefusals, UnknownOlayoutOption) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:mss,nop,nope::0"),
                         "p0f: invalid olayout option 'nope' in signature"));
}

TEST(P0fRefusals, UnknownQuirk) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*::quirk:0"), "p0f: invalid quirk 'quirk'"));
}

TEST(P0fRefusals, UnknownPayloadClass) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:::-"), "p0f: invalid pclass field '-'"));
}

// --- refusals of what the original crashed on or got silently wrong ---

TEST(P0fRefusals, WrongNumberOfFields) {
    EXPECT_EQ(refusal("4:64"),
              "p0f: signature '4:64' has 2 fields, expected 8 "
              "(ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass)");
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:::0:extra"), "has 9 fields"));
}

TEST(P0fRefusals, WindowWithoutScale) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:8192:::0"), "p0f: invalid window field '8192'"));
}

TEST(P0fRefusals, MssCheckWithoutMssOption) {
    EXPECT_EQ(refusal("4:64:*:1460:*,*:nop,ws::0"),
              "p0f: mss 1460 in signature '4:64:*:1460:*,*:nop,ws::0' reads the mss option, which "
              "olayout 'nop,ws' does not have");
}

TEST(P0fRefusals, MssMultipleWithoutMssOption) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:mss*4,*:::0"), "window size mss*4 in signature"));
}

TEST(P0fRefusals, WindowScaleWithoutWsOption) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,7:mss::0"), "window scale 7 in signature"));
}

TEST(P0fRefusals, TimestampQuirksWithoutTsOption) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:mss:ts1-:0"), "quirk 'ts1-' in signature"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:mss:ts2+:0"), "quirk 'ts2+' in signature"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:mss:linux:0"), "quirk 'linux' in signature"));
}

TEST(P0fRefusals, ExwsWithoutWsOption) {
    EXPECT_TRUE(contains(refusal("6:64:*:*:*,*:mss:exws:0"), "quirk 'exws' in signature"));
}

TEST(P0fRefusals, Ipv4QuirkInIpv6Signature) {
    for (const char* quirk : {"df", "id+", "id-", "0+"}) {
        EXPECT_TRUE(contains(refusal(std::string("6:64:*:*:*,*::") + quirk + ":0"),
                             "is checked for IPv4 signatures only"))
            << quirk;
    }
    EXPECT_TRUE(contains(refusal("6:64:*:*:*,*:ts:linux:0"), "quirk 'linux'"));
}

TEST(P0fRefusals, FlowInIpv4Signature) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*::flow:0"), "checked for IPv6 signatures only"));
}

TEST(P0fRefusals, ContradictingQuirks) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*::id+,id-:0"), "quirks 'id+' and 'id-'"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*::df,id-:0"), "quirks 'df' and 'id-'"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*::ack+,ack-:0"), "quirks 'ack+' and 'ack-'"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*::uptr+,urgf+:0"), "quirks 'uptr+' and 'urgf+'"));
}

TEST(P0fRefusals, Ipv6ExtensionHeaderLength) {
    EXPECT_TRUE(contains(refusal("6:64:8:*:*,*:::0"), "p0f: invalid olen field '8'"));
}

TEST(P0fRefusals, NumbersOutOfRange) {
    EXPECT_TRUE(contains(refusal("4:256:*:*:*,*:::0"), "invalid ttl field '256'"));
    EXPECT_TRUE(contains(refusal("4:0:*:*:*,*:::0"), "invalid ttl field '0'"));
    EXPECT_TRUE(contains(refusal("4:64:11:*:*,*:::0"), "invalid olen field '11'"));
    EXPECT_TRUE(contains(refusal("4:64:*:65536:*,*:mss::0"), "invalid mss field '65536'"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:99999999999,*:::0"), "invalid window size field"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,256:ws::0"), "invalid window scale field '256'"));
}

TEST(P0fRefusals, WindowMultipleOfZero) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:%0,*:::0"), "invalid window size field '%0'"));
}

TEST(P0fRefusals, EolPaddingBeforeOtherOptions) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:eol+2,nop::0"), "must be the last one"));
}

TEST(P0fRefusals, OptionsLongerThanATcpHeaderHolds) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:ts,ts,ts,ts,nop::0"),
                         "takes 41 bytes; a TCP header holds at most 40"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:nop,eol+39::0"), "takes 41 bytes"));
}

TEST(P0fRefusals, PayloadClassWithTrailingText) {
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:::0x"), "invalid pclass field '0x'"));
}

TEST(P0fRefusals, MessagesQuoteUnprintableBytes) {
    EXPECT_TRUE(contains(refusal("4:6\n4:*:*:*,*:::0"), "'6\\x0a4'"));
}

}  // namespace
}  // namespace bpfgen
