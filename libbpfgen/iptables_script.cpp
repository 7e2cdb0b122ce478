// iptables_script.cpp: the text of the deployment scripts. The scripts keep every
// user-supplied value in single quotes or in bash arrays, so nothing is re-parsed by the
// shell; comments go through comment_safe so a newline cannot end them.
#include "libbpfgen/iptables_script.h"

#include <fmt/format.h>

#include "libbpfgen/error.h"
#include "libbpfgen/format.h"
#include "libbpfgen/opcodes.h"

namespace bpfgen {

namespace {

constexpr std::size_t kMaxSetName = 31;    // IPSET_MAXNAMELEN - 1
constexpr std::size_t kMaxChainName = 28;  // XT_EXTENSION_MAXNAMELEN - 1 - room for -j
constexpr std::size_t kMaxComment = 255;   // XT_MAX_COMMENT_LEN - 1

void validate_comment(const std::string& comment) {
    if (comment.size() > kMaxComment) {
        throw UsageError(fmt::format("comment is {} bytes long, iptables keeps at most {}",
                                     comment.size(), kMaxComment));
    }
    for (char c : comment) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            throw UsageError(
                fmt::format("comment '{}' holds a control character", comment_safe(comment)));
        }
    }
}

// The library's own guard, whatever the caller checked: iptables would refuse the rule
// halfway through the script otherwise.
void validate_xt_bpf_size(const Program& program) {
    if (program.empty() || program.size() > op::kXtBpfMaxInstructions) {
        throw Error(fmt::format("a program of {} instructions cannot be an xt_bpf rule (1 to {})",
                                program.size(), op::kXtBpfMaxInstructions));
    }
}

// A chain of the user's must not be one of iptables' own: `-N INPUT || -F INPUT` would
// flush the built-in chain, and a standard target cannot be a chain.
void validate_user_chain(const std::string& chain) {
    validate_identifier("chain name", chain, kMaxChainName);
    static constexpr std::string_view kReserved[] = {
        "INPUT",  "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING",
        "ACCEPT", "DROP",   "RETURN",  "QUEUE",      "REJECT"};
    for (const std::string_view reserved : kReserved) {
        if (chain == reserved) {
            throw UsageError(fmt::format(
                "chain name '{}' is one of iptables' built-in chains or targets; choose another",
                chain));
        }
    }
}

std::string family_word(AddressFamily family) {
    return family == AddressFamily::Inet ? "inet" : "inet6";
}

std::string comment_block(const std::string& text) {
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = comment_safe(std::string_view(text).substr(start, end - start));
        out += line.empty() ? "#\n" : "#    " + line + "\n";
        if (end == text.size()) break;
        start = end + 1;
    }
    return out;
}

// The part both scripts share: strict mode, the iptables backend, the interface, the set
// name and preset addresses, and the usage check of the arguments.
std::string prologue(const std::string& set_name, AddressFamily family,
                     const std::vector<std::string>& addresses) {
    const bool v4 = family == AddressFamily::Inet;
    const std::string legacy = v4 ? "iptables-legacy" : "ip6tables-legacy";
    const std::string plain = v4 ? "iptables" : "ip6tables";
    std::string list;
    for (const std::string& address : addresses) {
        validate_address(address, family);
        list += (list.empty() ? "" : " ") + shell_quote(address);
    }
    std::string out = R"(set -o errexit -o nounset -o pipefail

fail() {
    echo "${0##*/}: $*" >&2
    exit 1
}

# iptables' bpf match needs the legacy (x_tables) backend: the nf_tables one refuses
# `-m bpf` (RULE_APPEND failed: Invalid argument).
if [[ -z ${IPTABLES:-} ]]; then
    if command -v )" + legacy +
                      R"( >/dev/null 2>&1; then
        IPTABLES=)" + legacy +
                      R"(
    elif )" + plain + R"( --version 2>/dev/null | grep -q legacy; then
        IPTABLES=)" + plain +
                      R"(
    else
        fail "no iptables that can load -m bpf rules: ')" +
                      plain +
                      R"(' is missing or the nf_tables backend, which refuses them; install )" +
                      legacy + R"( (Debian: apt-get install iptables) or set IPTABLES"
    fi
fi
: "${IPSET:=ipset}"
command -v "$IPTABLES" >/dev/null 2>&1 || fail "IPTABLES: '$IPTABLES' is not a command"
command -v "$IPSET" >/dev/null 2>&1 ||
    fail "IPSET: '$IPSET' is not a command; install ipset (Debian: apt-get install ipset) or set IPSET"
: "${INPUTPLACE:=1}"
if [[ -z ${DEFAULTINT:-} ]]; then
)";
    if (v4) {
        out += R"(    DEFAULTINT=$(awk '$2 == "00000000" {print $1; exit}' /proc/net/route)
)";
    } else {
        out +=
            R"(    # The kernel lists an unreachable ::/0 on lo when there is no IPv6 default route;
    # then the IPv4 default route's interface is the best guess.
    DEFAULTINT=$(awk '$1 == "00000000000000000000000000000000" && $2 == "00" && $10 != "lo" {print $10; exit}' /proc/net/ipv6_route)
    if [[ -z $DEFAULTINT ]]; then
        DEFAULTINT=$(awk '$2 == "00000000" {print $1; exit}' /proc/net/route)
    fi
)";
    }
    out +=
        R"(    [[ -n $DEFAULTINT ]] || fail "no default route to find the interface by: set DEFAULTINT"
fi

SET_NAME=)" +
        shell_quote(set_name) + R"(
SET_FAMILY=)" +
        family_word(family) + R"(
ADDRESSES=()" +
        list + R"()

XT_BPF_REFUSED="$IPTABLES refused the rule (see above): the kernel needs the xt_bpf, xt_set and xt_comment matches"

# Removes every INPUT rule that matches on the set, on whatever interface it was added
# (DEFAULTINT may differ now), searching iptables' own words only, not the rule's comment.
remove_rules_of_set() {
    local number
    while number=$("$IPTABLES" --wait -S INPUT | awk -v wanted=" --match-set $SET_NAME dst " '
            $1 == "-A" {
                n++
                line = $0
                cut = index(line, " -m comment --comment ")
                if (cut) line = substr(line, 1, cut - 1)
                if (index(line " ", wanted)) { print n; exit }
            }') && [[ -n $number ]]; do
        "$IPTABLES" --wait -D INPUT "$number"
    done
}

# Once no rule of this script uses it.
remove_set() {
    "$IPSET" -exist destroy "$SET_NAME" ||
        fail "cannot remove the set '$SET_NAME': a rule outside this script still uses it"
}

DELETE=0
if [[ $# -eq 1 && $1 == --delete ]]; then
    DELETE=1
else
    for argument in "$@"; do
        [[ $argument != -* ]] || fail "usage: ${0##*/} [--delete | ADDRESS...]"
    done
fi
)";
    return out;
}

std::string words(const std::vector<std::string>& quoted) {
    std::string out;
    for (const std::string& word : quoted) out += (out.empty() ? "" : " ") + word;
    return out;
}

std::string add_addresses() {
    return R"(    "$IPSET" -exist create "$SET_NAME" hash:net family "$SET_FAMILY"
    for address in "${ADDRESSES[@]}" "$@"; do
        "$IPSET" -exist add "$SET_NAME" "$address"
    done
)";
}

}  // namespace

std::string render_iptables_bpf_script(const IptablesBpfScript& s) {
    validate_identifier("set name", s.set_name, kMaxSetName);
    validate_comment(s.comment);
    if (s.rules.empty()) throw Error("no rule to deploy");
    for (const BpfRule& rule : s.rules) validate_xt_bpf_size(rule.program);
    const std::string name = comment_safe(s.file_name);
    const std::string sample = s.family == AddressFamily::Inet ? "192.0.2.1/32" : "2001:db8::1/128";
    std::string out =
        "#!/bin/bash\n#\n# Generated by bpftools iptables_bpf: generate it again rather "
        "than edit it.\n#\n# Created with:\n#\n";
    out += "#     " + comment_safe(s.command_line) + "\n#\n";
    out += fmt::format(
        "# Drops {}packets that match the BPF program{} below and go to an address of the\n"
        "# ipset '{}', on the default-route interface (or $DEFAULTINT):\n#\n"
        "#     ./{} {}     add the rule (once) and these destinations\n"
        "#     ./{} --delete           remove the rule and the set\n#\n"
        "# Environment: IPTABLES (default {}: the nf_tables iptables refuses -m bpf),\n"
        "# IPSET (ipset), DEFAULTINT (interface), INPUTPLACE (1, position in INPUT).\n#\n",
        s.dns_only ? "DNS (UDP port 53) " : "", s.rules.size() > 1 ? "s" : "", s.set_name, name,
        sample, name, s.family == AddressFamily::Inet ? "iptables-legacy" : "ip6tables-legacy");
    for (std::size_t i = 0; i < s.rules.size(); ++i) {
        out += fmt::format("# BPF assembly of rule {} of {} ({} instructions):\n#\n", i + 1,
                           s.rules.size(), s.rules[i].program.size());
        out += comment_block(s.rules[i].assembly);
        out += "#\n";
    }
    out += "\n" + prologue(s.set_name, s.family, s.addresses);
    out +=
        "\n# Sets RULE to the arguments of rule $1 after the chain name.\nrule() {\n    case $1 "
        "in\n";
    for (std::size_t i = 0; i < s.rules.size(); ++i) {
        std::vector<std::string> args = {"-i", "\"$DEFAULTINT\""};
        if (s.dns_only) args.insert(args.end(), {"-p", "udp", "--dport", "53"});
        args.insert(args.end(), {"-m", "set", "--match-set", "\"$SET_NAME\"", "dst", "-m", "bpf",
                                 "--bytecode", shell_quote(format_xt_bpf(s.rules[i].program)), "-m",
                                 "comment", "--comment", shell_quote(s.comment), "-j", "DROP"});
        out += fmt::format("        {}) RULE=({}) ;;\n", i, words(args));
    }
    out += fmt::format(R"(    esac
}}
RULES={}

if ((DELETE)); then
    remove_rules_of_set
    remove_set
else
{}    for ((i = 0; i < RULES; i++)); do
        rule "$i"
        if ! "$IPTABLES" --wait -C INPUT "${{RULE[@]}}" 2>/dev/null; then
            "$IPTABLES" --wait -I INPUT "$INPUTPLACE" "${{RULE[@]}}" || fail "$XT_BPF_REFUSED"
        fi
    done
fi
)",
                       s.rules.size(), add_addresses());
    return out;
}

std::string render_iptables_bpf_chain_script(const IptablesBpfChainScript& s) {
    validate_identifier("set name", s.set_name, kMaxSetName);
    validate_user_chain(s.chain);
    const std::string name = comment_safe(s.file_name);
    const std::string sample = s.family == AddressFamily::Inet ? "192.0.2.1/32" : "2001:db8::1/128";
    std::string out =
        "#!/bin/bash\n#\n# Generated by bpftools iptables_bpf_chain: generate it again "
        "rather than edit it.\n#\n# Created with:\n#\n";
    out += "#     " + comment_safe(s.command_line) + "\n#\n";
    out += fmt::format(
        "# DNS (UDP port 53) packets to an address of the ipset '{}' go through the chain\n"
        "# '{}': its ACCEPT rules first, then its DROP rules, on the default-route interface\n"
        "# (or $DEFAULTINT):\n#\n"
        "#     ./{} {}     add the chain (once) and these destinations\n"
        "#     ./{} --delete           remove the chain and the set\n#\n"
        "# Environment: IPTABLES (default {}: the nf_tables iptables refuses -m bpf),\n"
        "# IPSET (ipset), DEFAULTINT (interface), INPUTPLACE (1, position in INPUT).\n#\n",
        s.set_name, s.chain, name, sample, name,
        s.family == AddressFamily::Inet ? "iptables-legacy" : "ip6tables-legacy");
    out += "\n" + prologue(s.set_name, s.family, s.addresses);
    out += "\nCHAIN=" + shell_quote(s.chain) + "\n";
    out +=
        R"(MAIN=(-i "$DEFAULTINT" -p udp --dport 53 -m set --match-set "$SET_NAME" dst -j "$CHAIN")

chain_create() {
    "$IPTABLES" --wait -N "$CHAIN" 2>/dev/null || "$IPTABLES" --wait -F "$CHAIN"
)";
    for (const ChainRule& rule : s.rules) {
        validate_comment(rule.comment);
        if (rule.program) validate_xt_bpf_size(*rule.program);
        std::vector<std::string> args = {"\"$IPTABLES\"", "--wait", "-A", "\"$CHAIN\""};
        if (rule.program) {
            args.insert(args.end(),
                        {"-m", "bpf", "--bytecode", shell_quote(format_xt_bpf(*rule.program))});
        }
        args.insert(args.end(), {"-m", "comment", "--comment", shell_quote(rule.comment), "-j",
                                 rule.accept ? "ACCEPT" : "DROP"});
        out += "    " + words(args) + " || fail \"$XT_BPF_REFUSED\"\n";
    }
    out += R"(    "$IPTABLES" --wait -A "$CHAIN" -j RETURN
}

if ((DELETE)); then
    # The jumps into the chain go first: a chain still jumped to cannot be deleted.
    remove_rules_of_set
    if "$IPTABLES" --wait -F "$CHAIN" 2>/dev/null; then
        "$IPTABLES" --wait -X "$CHAIN"
    fi
    remove_set
else
)" + add_addresses() +
           R"(    if ! "$IPTABLES" --wait -C INPUT "${MAIN[@]}" 2>/dev/null; then
        chain_create
        "$IPTABLES" --wait -I INPUT "$INPUTPLACE" "${MAIN[@]}" || fail "$XT_BPF_REFUSED"
    fi
fi
)";
    return out;
}

}  // namespace bpfgen
