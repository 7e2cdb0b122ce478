// p0f_database_test.cpp: reading p0f.fp (a crafted one, and Debian's /etc/p0f/p0f.fp when
// the p0f package is installed): its TCP signatures, the errors for lines p0f would refuse,
// finding a label by the names an operator gives it; and every signature of the real
// database, as written, made into a program at every offset that the kernel accepts.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "generators/p0f_database.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "tests/common/kernel_socket.h"
#include "tests/common/test_files.h"

namespace bpfgen {
namespace {

using bpftools::test::Socket;
using bpftools::test::TemporaryDirectory;

const char* const kCrafted = R"(; a comment
classes = win,unix,other

[tcp:request]

label = s:unix:Linux:3.11 and newer
sys   = Linux
sig   = *:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0
sig   = *:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0

label = g:unix:Linux:3.x
sig   = 4:64:0:*:mss*10,*:mss,sok,ts,nop,ws:df,id+:0

label = s:unix:Linux:3.x
sig   = *:64:0:*:mss*10,4:mss,sok,ts,nop,ws:df,id+:0

[tcp:response]

label = s:unix:Linux:3.x
sig   = *:64:0:*:mss*10,7:mss,sok,ts,nop,ws:df:0

[mtu]

label = Ethernet or modem
sig   = 1500

[http:request]

ua_os = Linux,Windows
label = s:!:wget:
sig   = *:Host,User-Agent:Connection:Wget
)";

std::string write(const TemporaryDirectory& directory, const std::string& text) {
    const std::string path = directory.file("p0f.fp");
    std::ofstream(path) << text;
    return path;
}

std::string error_of(const std::string& text) {
    const TemporaryDirectory directory;
    try {
        read_p0f_database(write(directory, text));
    } catch (const Error& error) {
        const std::string message = error.what();
        return message.substr(message.find("p0f.fp:"));
    }
    return "no error";
}

TEST(P0fDatabase, ReadsTheTcpSignaturesWithLabelSectionAndLine) {
    const TemporaryDirectory directory;
    const P0fDatabase database = read_p0f_database(write(directory, kCrafted));
    ASSERT_EQ(database.signatures.size(), 5u);
    EXPECT_EQ(database.signatures[0].label, "s:unix:Linux:3.11 and newer");
    EXPECT_EQ(database.signatures[0].section, P0fSection::Request);
    EXPECT_EQ(database.signatures[0].signature, "*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0");
    EXPECT_EQ(database.signatures[0].line, 8u);
    EXPECT_EQ(database.signatures[4].section, P0fSection::Response);
    EXPECT_EQ(database.signatures[4].label, "s:unix:Linux:3.x");
}

TEST(P0fDatabase, ListsLabelsWithTheirCountsPerSection) {
    const TemporaryDirectory directory;
    EXPECT_EQ(list_p0f_labels(read_p0f_database(write(directory, kCrafted))),
              "s:unix:Linux:3.11 and newer  tcp:request 2, tcp:response 0\n"
              "g:unix:Linux:3.x             tcp:request 1, tcp:response 0\n"
              "s:unix:Linux:3.x             tcp:request 1, tcp:response 1\n");
}

TEST(P0fDatabase, FindsALabelByAnyOfItsNamesOrAStartOnlyOneHas) {
    const TemporaryDirectory directory;
    const P0fDatabase database = read_p0f_database(write(directory, kCrafted));
    for (const char* name : {"s:unix:Linux:3.11 and newer", "unix:Linux:3.11 and newer",
                             "Linux:3.11 and newer", "Linux:3.11", "s:unix:Linux:3.1"}) {
        EXPECT_EQ(signatures_of_label(database, name).size(), 2u) << name;
    }
    // "s:unix:Linux:3.x" is whole: it wins over the labels it is the start of.
    const auto both_sections = signatures_of_label(database, "s:unix:Linux:3.x");
    ASSERT_EQ(both_sections.size(), 2u);
    EXPECT_EQ(both_sections[1].section, P0fSection::Response);
}

TEST(P0fDatabase, RefusesUnknownAndAmbiguousLabels) {
    const TemporaryDirectory directory;
    const P0fDatabase database = read_p0f_database(write(directory, kCrafted));
    try {
        signatures_of_label(database, "Linux:3.x");
        FAIL() << "an ambiguous label was taken";
    } catch (const UsageError& error) {
        EXPECT_NE(std::string(error.what())
                      .find("fits 2 labels: 'g:unix:Linux:3.x', "
                            "'s:unix:Linux:3.x'"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_THROW(signatures_of_label(database, "Windows"), UsageError);
    EXPECT_THROW(signatures_of_label(database, ""), UsageError);
}

TEST(P0fDatabase, NamesTheFileAndLineOfWhatP0fWouldRefuse) {
    EXPECT_EQ(error_of("[tcp:request]\nsig = *:64:0:*:*,*:::0\n"),
              "p0f.fp:2: a signature before any label");
    EXPECT_EQ(error_of("[tcp:request]\nlabel = s:unix:Linux\n"),
              "p0f.fp:2: label 's:unix:Linux' is not type:class:name:flavor with type s or g");
    EXPECT_EQ(error_of("[tcp:request]\nlabel = x:unix:Linux:3\n"),
              "p0f.fp:2: label 'x:unix:Linux:3' is not type:class:name:flavor with type s or g");
    EXPECT_EQ(error_of("\n\n[udp:request]\n"), "p0f.fp:3: unknown section '[udp:request]'");
    EXPECT_EQ(error_of("[tcp:request]\nlabel s:unix:Linux:3\n"),
              "p0f.fp:2: expected 'key = value', got 'label s:unix:Linux:3'");
    EXPECT_EQ(error_of("[tcp:request]\nflavor = 3\n"), "p0f.fp:2: unknown key 'flavor'");
    EXPECT_EQ(error_of("sig = 1\n"), "p0f.fp:1: 'sig' before any section");
    EXPECT_EQ(error_of(std::string(5000, ';') + "\n"), "p0f.fp:1: line too long");
}

TEST(P0fDatabase, AnUnreadableFileIsAnError) {
    EXPECT_THROW(read_p0f_database("/nonexistent/p0f.fp"), Error);
}

TEST(P0fDatabase, ASignatureTheGeneratorRefusesIsNamedByItsLine) {
    const TemporaryDirectory directory;
    const std::string path = write(directory,
                                   "[tcp:request]\nlabel = s:unix:Odd:1\nsig = 4:64:0:*:*,*:::0\n"
                                   "sig = 4:300:0:*:*,*:::0\n");
    try {
        generate("p0f", {"--label", "Odd:1", "--fp", path}, GeneratorOptions{});
        FAIL() << "an invalid signature was taken";
    } catch (const UsageError& error) {
        EXPECT_NE(std::string(error.what()).find("p0f.fp:4)"), std::string::npos) << error.what();
    }
}

// --- Debian's database ---

const char* const kInstalled = "/etc/p0f/p0f.fp";

TEST(InstalledP0fDatabase, EverySignatureAsWrittenMakesAProgramTheKernelTakesAtEveryOffset) {
    if (!std::filesystem::exists(kInstalled)) {
        GTEST_SKIP() << kInstalled
                     << " is missing (Debian package p0f; scripts/setup.sh installs it)";
    }
    const Socket socket(::socket(AF_INET, SOCK_DGRAM, 0));
    if (!socket.valid()) GTEST_SKIP() << "no AF_INET/SOCK_DGRAM socket: " << std::strerror(errno);
    const P0fDatabase database = read_p0f_database(kInstalled);
    ASSERT_EQ(database.signatures.size(), 192u);  // p0f 3.09b: [tcp:request] and [tcp:response]
    std::size_t wildcard = 0, attached = 0, attached_exact = 0;
    for (const P0fDatabaseSignature& entry : database.signatures) {
        if (entry.signature.front() == '*') ++wildcard;
        for (const bool exact : {false, true}) {
            std::vector<std::string> args;
            if (exact) args.push_back("--exact");
            if (exact && entry.section == P0fSection::Response) args.push_back("--response");
            args.insert(args.end(), {"--", entry.signature});
            for (const uint32_t offset : {0u, 14u, 16u, 18u, 20u}) {
                for (const int ip_version : {4, 6}) {
                    if (offset != 0 && ip_version == 6) continue;  // -6 matters at offset 0
                    GeneratorOptions options;
                    options.l3_offset = offset;
                    options.ip_version = ip_version;
                    const std::string what = fmt::format(
                        "{}:{} '{}' at offset {}{}{}", kInstalled, entry.line, entry.signature,
                        offset, ip_version == 6 ? " -6" : "", exact ? " --exact" : "");
                    GeneratedProgram generated;
                    try {
                        generated = generate("p0f", args, options);
                        check_kernel_rules(generated.program);
                    } catch (const std::exception& error) {
                        ADD_FAILURE() << what << ": " << error.what();
                        continue;
                    }
                    EXPECT_EQ(bpftools::test::attach(socket, generated.program), 0) << what;
                    ++(exact ? attached_exact : attached);
                }
            }
        }
    }
    EXPECT_EQ(wildcard, 178u);
    std::cout << database.signatures.size() << " signatures (" << wildcard << " of version '*'), "
              << attached << " programs attached, " << attached_exact << " with --exact\n";
}

TEST(InstalledP0fDatabase, EveryLabelMakesOneProgramTheCheckerTakes) {
    if (!std::filesystem::exists(kInstalled)) {
        GTEST_SKIP() << kInstalled
                     << " is missing (Debian package p0f; scripts/setup.sh installs it)";
    }
    const P0fDatabase database = read_p0f_database(kInstalled);
    std::vector<std::string> labels;
    for (const auto& entry : database.signatures) {
        if (std::find(labels.begin(), labels.end(), entry.label) == labels.end()) {
            labels.push_back(entry.label);
        }
    }
    // With --exact, a label whose signatures together exceed the kernel's 4096 instructions
    // is refused in one line (at offset 14 a '*' signature is read for IPv4 and IPv6).
    std::size_t made = 0;
    std::vector<std::string> too_large;
    for (const std::string& label : labels) {
        GeneratorOptions options;
        options.l3_offset = 14;
        for (const bool exact : {false, true}) {
            const std::vector<std::string> args =
                exact ? std::vector<std::string>{"--exact", "--label", label}
                      : std::vector<std::string>{"--label", label};
            GeneratedProgram generated;
            try {
                generated = generate("p0f", args, options);
            } catch (const std::exception& error) {
                const std::string message = error.what();
                if (exact && message.find("the kernel allows at most 4096") != std::string::npos &&
                    message.find('\n') == std::string::npos) {
                    too_large.push_back(label);
                    continue;
                }
                ADD_FAILURE() << label << (exact ? " --exact: " : ": ") << message;
                continue;
            }
            EXPECT_NO_THROW(check_kernel_rules(generated.program)) << label;
            ++made;
        }
    }
    EXPECT_EQ(made + too_large.size(), 2 * labels.size());
    EXPECT_EQ(too_large, std::vector<std::string>{});
    std::cout << labels.size() << " labels: " << labels.size() << " programs, "
              << labels.size() - too_large.size() << " with --exact (" << too_large.size()
              << " over 4096 instructions)\n";
}

}  // namespace
}  // namespace bpfgen
