// p0f_database.cpp: reading p0f.fp's TCP signatures and finding a label's.
#include "generators/p0f_database.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

const std::string_view kDefaultP0fDatabase = "/etc/p0f/p0f.fp";

namespace {

constexpr std::size_t kMaxLineLength = 4096;

std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const std::size_t last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

// The label's forms an operator may name it by: whole, without type, without type and class.
std::vector<std::string_view> label_forms(std::string_view label) {
    std::vector<std::string_view> forms{label};
    for (int dropped = 0; dropped < 2; ++dropped) {
        const std::size_t colon = forms.back().find(':');
        if (colon == std::string_view::npos) break;
        forms.push_back(forms.back().substr(colon + 1));
    }
    return forms;
}

}  // namespace

std::string_view section_name(P0fSection section) {
    return section == P0fSection::Request ? "tcp:request" : "tcp:response";
}

P0fDatabase read_p0f_database(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(fmt::format("p0f: cannot read the database {}", quote_for_message(path)));
    P0fDatabase database{path, {}};
    std::optional<P0fSection> section;  // nullopt: a section without TCP signatures
    bool in_known_section = false;
    std::string label;
    std::string line;
    std::size_t number = 0;
    auto malformed = [&](std::string_view why) {
        return Error(fmt::format("p0f: {}:{}: {}", path, number, why));
    };
    while (std::getline(in, line)) {
        ++number;
        if (line.size() > kMaxLineLength) throw malformed("line too long");
        const std::string_view text = trim(line);
        if (text.empty() || text.front() == ';') continue;
        if (text.front() == '[') {
            static const std::map<std::string_view, std::optional<P0fSection>> kSections{
                {"[tcp:request]", P0fSection::Request},
                {"[tcp:response]", P0fSection::Response},
                {"[http:request]", std::nullopt},
                {"[http:response]", std::nullopt},
                {"[mtu]", std::nullopt}};
            const auto found = kSections.find(text);
            if (found == kSections.end()) {
                throw malformed(fmt::format("unknown section {}", quote_for_message(text)));
            }
            section = found->second;
            in_known_section = true;
            label.clear();
            continue;
        }
        const std::size_t equals = text.find('=');
        if (equals == std::string_view::npos) {
            throw malformed(fmt::format("expected 'key = value', got {}", quote_for_message(text)));
        }
        const std::string_view key = trim(text.substr(0, equals));
        const std::string_view value = trim(text.substr(equals + 1));
        if (key != "classes" && key != "ua_os" && !in_known_section) {
            throw malformed(fmt::format("{} before any section", quote_for_message(key)));
        }
        if (key == "classes" || key == "ua_os" || key == "sys") continue;
        if (key == "label") {
            if (section) {
                const std::vector<std::string_view> forms = label_forms(value);
                if (forms.size() != 3 || value.size() < 2 ||
                    (value.substr(0, 2) != "s:" && value.substr(0, 2) != "g:") ||
                    forms[2].find(':') == std::string_view::npos) {
                    throw malformed(
                        fmt::format("label {} is not type:class:name:flavor with type s or g",
                                    quote_for_message(value)));
                }
            }
            label = value;
            continue;
        }
        if (key == "sig") {
            if (!section) continue;  // HTTP and MTU signatures
            if (label.empty()) throw malformed("a signature before any label");
            database.signatures.push_back({label, *section, std::string(value), number});
            continue;
        }
        throw malformed(fmt::format("unknown key {}", quote_for_message(key)));
    }
    if (in.bad())
        throw Error(fmt::format("p0f: cannot read the database {}", quote_for_message(path)));
    return database;
}

std::string list_p0f_labels(const P0fDatabase& database) {
    std::vector<std::string> order;
    std::map<std::string, std::pair<std::size_t, std::size_t>> counts;
    std::size_t width = 0;
    for (const P0fDatabaseSignature& signature : database.signatures) {
        auto [entry, inserted] = counts.try_emplace(signature.label);
        if (inserted) {
            order.push_back(signature.label);
            width = std::max(width, signature.label.size());
        }
        (signature.section == P0fSection::Request ? entry->second.first : entry->second.second)++;
    }
    std::string text;
    for (const std::string& label : order) {
        const auto& [requests, responses] = counts[label];
        text += fmt::format("{:<{}}  tcp:request {}, tcp:response {}\n", label, width, requests,
                            responses);
    }
    return text;
}

std::vector<P0fDatabaseSignature> signatures_of_label(const P0fDatabase& database,
                                                      std::string_view query) {
    std::vector<std::string> exact;
    std::vector<std::string> starting;
    for (const P0fDatabaseSignature& signature : database.signatures) {
        const std::string& label = signature.label;
        if (std::find(exact.begin(), exact.end(), label) != exact.end() ||
            std::find(starting.begin(), starting.end(), label) != starting.end()) {
            continue;
        }
        for (std::string_view form : label_forms(label)) {
            if (form == query) {
                exact.push_back(label);
                break;
            }
            if (!query.empty() && form.substr(0, query.size()) == query) {
                starting.push_back(label);
                break;
            }
        }
    }
    const std::vector<std::string>& chosen = exact.empty() ? starting : exact;
    if (chosen.empty()) {
        throw UsageError(fmt::format("p0f: no label {} in {} (see bpfgen p0f -- --list)",
                                     quote_for_message(query), database.path));
    }
    if (chosen.size() > 1) {
        std::string names;
        for (std::size_t i = 0; i < chosen.size() && i < 5; ++i) {
            names += (i ? ", " : "") + quote_for_message(chosen[i]);
        }
        if (chosen.size() > 5) names += fmt::format(" and {} more", chosen.size() - 5);
        throw UsageError(fmt::format("p0f: label {} fits {} labels: {}; give more of one",
                                     quote_for_message(query), chosen.size(), names));
    }
    std::vector<P0fDatabaseSignature> signatures;
    for (const P0fDatabaseSignature& signature : database.signatures) {
        if (signature.label == chosen.front()) signatures.push_back(signature);
    }
    return signatures;
}

}  // namespace bpfgen
