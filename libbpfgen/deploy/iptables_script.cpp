// iptables_script.cpp: the text of the deployment scripts: a header of comments, the
// script's own values (names, destinations, the chain's rules in iptables-restore form),
// then one body of bash shared by both tools that installs, removes or shows them. The
// body reads only those values and the environment; user text reaches it single-quoted,
// inside a quoted here-document, or validated.
#include "libbpfgen/deploy/iptables_script.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {

std::string name_hash(std::string_view identity) {
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (char c : identity) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    static constexpr std::string_view kDigits = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out;
    for (std::size_t i = 0; i < kNameHashLength; ++i) {
        out += kDigits[hash & 31];
        hash >>= 5;
    }
    return out;
}

namespace {

constexpr std::size_t kMaxSetName = 27;   // IPSET_MAXNAMELEN - 1, less "_new" for staging
constexpr std::size_t kMaxUserName = 24;  // iptables_bpf_chain's NAME

// The bash that does the work; see the file comment.
constexpr std::string_view kBody = R"BASH(
set -o errexit -o nounset -o pipefail
# A reader that went away must not stop the script between two steps: writes to it fail.
trap '' PIPE

PROGRAM=${0##*/}
USAGE="usage: $PROGRAM [--delete | --status | ADDRESS...]"

fail() {
    echo "$PROGRAM: $*" >&2
    exit 1
}

usage_error() {
    echo "$PROGRAM: $*; $USAGE" >&2
    exit 2
}

say() {
    echo "$PROGRAM: $*" 2>/dev/null || true
}

ACTION=install
if [[ $# -eq 1 && $1 == --delete ]]; then
    ACTION=delete
elif [[ $# -eq 1 && $1 == --status ]]; then
    ACTION=status
elif [[ $# -eq 1 && ($1 == --help || $1 == -h) ]]; then
    echo "$USAGE"
    exit 0
else
    for argument in "$@"; do
        [[ $argument != -* ]] || usage_error "unknown option ${argument@Q}"
    done
fi

# The iptables backends to use, the one the plain command is first (its -S shows the
# rules), unless the environment names one.
if ((FAMILY == 4)); then
    PLAIN=iptables
    OVERRIDE=${IPTABLES:-}
    OVERRIDE_RESTORE=${IPTABLES_RESTORE:-}
    TABLE_NAMES=/proc/net/ip_tables_names
else
    PLAIN=ip6tables
    OVERRIDE=${IP6TABLES:-}
    OVERRIDE_RESTORE=${IP6TABLES_RESTORE:-}
    TABLE_NAMES=/proc/net/ip6_tables_names
fi
BACKENDS=()
if [[ -n $OVERRIDE ]]; then
    command -v "$OVERRIDE" >/dev/null 2>&1 || fail "${OVERRIDE@Q} (from the environment) is not a command"
    BACKENDS=("$OVERRIDE")
else
    case $("$PLAIN" --version 2>/dev/null) in
        *legacy*) candidates=("$PLAIN-legacy" "$PLAIN-nft") ;;
        *) candidates=("$PLAIN-nft" "$PLAIN-legacy") ;;
    esac
    for candidate in "${candidates[@]}"; do
        if command -v "$candidate" >/dev/null 2>&1; then
            BACKENDS+=("$candidate")
        fi
    done
    if ((${#BACKENDS[@]} == 0)) && command -v "$PLAIN" >/dev/null 2>&1; then
        BACKENDS=("$PLAIN")
    fi
    ((${#BACKENDS[@]})) ||
        fail "no $PLAIN, $PLAIN-nft or $PLAIN-legacy found: install iptables (Debian: apt-get install iptables) or set ${PLAIN^^}"
fi
: "${IPSET:=ipset}"
command -v "$IPSET" >/dev/null 2>&1 ||
    fail "IPSET: ${IPSET@Q} is not a command; install ipset (Debian: apt-get install ipset) or set IPSET"

# The restore command of backend $1.
restore_command() {
    if [[ -n $OVERRIDE_RESTORE ]]; then
        echo "$OVERRIDE_RESTORE"
    else
        echo "$1-restore"
    fi
}

# Whether backend $1 has a filter table to look in: looking at a legacy table creates it,
# and its mere presence makes the nf_tables iptables warn, so a legacy table is only read
# when the kernel already has one.
has_table() {
    case $("$1" --version 2>/dev/null) in
        *legacy*) grep -qx filter "$TABLE_NAMES" 2>/dev/null ;;
        *) return 0 ;;
    esac
}

# The INPUT rules of backend $1 that jump to the chain as this script adds them (on any
# interface), in iptables-save form; nothing else is ever removed from INPUT.
JUMP_PATTERN="^-A INPUT (-i [^ ]+ )?(-p udp -m udp --dport 53 )?-m set --match-set $SET_NAME dst -j $CHAIN\$"
our_jumps() {
    local listing line
    has_table "$1" || return 0
    listing=$("$1" -w -S INPUT 2>/dev/null) || return 0
    while IFS= read -r line; do
        if [[ $line =~ $JUMP_PATTERN ]]; then
            printf '%s\n' "$line"
        fi
    done <<<"$listing"
}

# The iptables-restore lines that remove those jumps from backend $1.
jump_deletions() {
    local line
    while IFS= read -r line; do
        [[ -z $line ]] || printf '%s\n' "-D${line#-A}"
    done <<<"$(our_jumps "$1")"
}

chain_exists() {
    has_table "$1" && "$1" -w -S "$CHAIN" >/dev/null 2>&1
}

chain_rule_count() {
    local listing
    if ! listing=$("$1" -w -S "$CHAIN" 2>/dev/null); then
        echo 0
        return
    fi
    grep -c '^-A ' <<<"$listing" || true
}

set_exists() {
    "$IPSET" list -n "$1" >/dev/null 2>&1
}

# Applies the iptables-restore input $2 to backend $1 as one transaction; on failure
# REASON holds what iptables said.
REASON=
apply() {
    local output restore
    restore=$(restore_command "$1")
    if ! command -v "$restore" >/dev/null 2>&1; then
        REASON="${restore@Q} is not a command"
        return 1
    fi
    if ! output=$("$restore" -w --noflush 2>&1 <<<"$2"); then
        output=$(grep -v '^Try ' <<<"$output" | tr '\n' ' ')
        REASON="${output% }"
        return 1
    fi
}

# Holds the script's lock until it exits: runs of this script (or of any with the same
# set) take turns, so none sees another's half-done work.
take_lock() {
    local directory=${BPFTOOLS_LOCK_DIR:-/run/bpftools}
    mkdir -p -m 0700 "$directory" 2>/dev/null ||
        fail "cannot create the lock directory ${directory@Q} (run as root, or set BPFTOOLS_LOCK_DIR)"
    exec {LOCK_FD}>>"$directory/$SET_NAME.lock" ||
        fail "cannot open the lock file ${directory@Q}/$SET_NAME.lock"
    command -v flock >/dev/null 2>&1 || fail "flock is missing (Debian: apt-get install util-linux)"
    flock -w 300 "$LOCK_FD" || fail "another run still holds $directory/$SET_NAME.lock after 5 minutes"
}

STAGING_SET=${SET_NAME}_new

# Checks every destination in a staging set before anything of the script's is changed;
# creates the set from it when there is none yet (CREATED_SET=1).
CREATED_SET=0
prepare_set() {
    local address error
    "$IPSET" -exist destroy "$STAGING_SET" 2>/dev/null || true
    error=$("$IPSET" create "$STAGING_SET" hash:net family "$SET_FAMILY" 2>&1) ||
        fail "ipset cannot create a hash:net set: $error"
    for address in "${ADDRESSES[@]}" "$@"; do
        if ! error=$("$IPSET" -exist add "$STAGING_SET" "$address" 2>&1); then
            "$IPSET" destroy "$STAGING_SET" 2>/dev/null || true
            fail "destination ${address@Q} refused, nothing changed: $error"
        fi
    done
    if ! set_exists "$SET_NAME"; then
        "$IPSET" rename "$STAGING_SET" "$SET_NAME"
        CREATED_SET=1
    fi
}

# After the rules are in: the destinations go into a set that was already there.
finish_set() {
    local address
    if ((!CREATED_SET)); then
        for address in "${ADDRESSES[@]}" "$@"; do
            "$IPSET" -exist add "$SET_NAME" "$address"
        done
        "$IPSET" -exist destroy "$STAGING_SET" 2>/dev/null || true
    fi
}

undo_set() {
    if ((CREATED_SET)); then
        "$IPSET" destroy "$SET_NAME" 2>/dev/null || true
    else
        "$IPSET" -exist destroy "$STAGING_SET" 2>/dev/null || true
    fi
}

# Whether backend $1 holds the whole installation: one jump, on this interface, and the
# chain with all its rules. Then a rerun leaves the rules (and their counters) alone.
installed_in() {
    local jumps
    jumps=$(our_jumps "$1")
    [[ -n $jumps && $jumps != *$'\n'* ]] || return 1
    "$1" -w -C INPUT "${JUMP[@]}" 2>/dev/null || return 1
    [[ $(chain_rule_count "$1") -eq $RULE_COUNT ]]
}

# The chain (created, or emptied) with its rules, the jumps of earlier runs replaced by
# one for this interface: one transaction.
install_input() {
    printf '*filter\n:%s - [0:0]\n%s\n' "$CHAIN" "$CHAIN_RULES"
    jump_deletions "$1"
    printf '%s\n' "-I INPUT $INPUTPLACE ${JUMP[*]}" COMMIT
}

# Whether backend $1's kernel side takes this script's kind of rule: one transaction that
# adds a rule with the bpf, set and comment matches to a chain of its own and removes it
# again, so that nothing stays (REASON on failure). The legacy backend checks matches only
# when it commits a table, where the probe's net effect is nothing: there only the install
# itself can tell.
takes_bpf_rules() {
    case $("$1" --version 2>/dev/null) in
        *legacy*) return 0 ;;
    esac
    local probe=bpftools_probe_$$
    apply "$1" "$(printf '%s\n' '*filter' ":$probe - [0:0]" \
        "-A $probe -m bpf --bytecode \"1,6 0 0 0\" -m set --match-set $SET_NAME dst -m comment --comment probe -j RETURN" \
        "-F $probe" "-X $probe" COMMIT)"
}

# Installs the chain and the jump with backend $1; REASON on failure.
install_rules() {
    if ((!WIDE_RULES)); then
        apply "$1" "$(install_input "$1")"
        return
    fi
    # A rule too wide for iptables-restore: the old jumps go in one transaction (the rules
    # are then all out), the chain is built while nothing jumps to it, and the jump comes in
    # another transaction (the rules are then all in). A run stopped in between can leave
    # the chain without a jump, which no packet reaches; the next run or --delete removes it.
    apply "$1" "$(printf '*filter\n'; jump_deletions "$1"; echo COMMIT)" || return 1
    if ! REASON=$({ "$1" -w -N "$CHAIN" 2>/dev/null || "$1" -w -F "$CHAIN"; } 2>&1 &&
        add_wide_rules "$1" 2>&1) ||
        ! apply "$1" "$(printf '%s\n' '*filter' "-I INPUT $INPUTPLACE ${JUMP[*]}" COMMIT)"; then
        REASON=${REASON//$'\n'/ }
        { "$1" -w -F "$CHAIN" && "$1" -w -X "$CHAIN"; } >/dev/null 2>&1 || true
        return 1
    fi
}

do_install() {
    local backend reasons=()
    [[ $INPUTPLACE =~ ^[1-9][0-9]{0,5}$ ]] || fail "INPUTPLACE ${INPUTPLACE@Q} is not a rule position (1, 2, ...)"
    [[ $DEFAULTINT =~ ^[A-Za-z0-9_.:@+-]{1,15}$ ]] || fail "DEFAULTINT ${DEFAULTINT@Q} is not an interface name"
    take_lock
    prepare_set "$@"
    # A backend that holds the chain already (an earlier run) keeps it; else the first
    # whose kernel side takes -m bpf rules.
    local chosen=
    for backend in "${BACKENDS[@]}"; do
        if chain_exists "$backend" || [[ -n $(our_jumps "$backend") ]]; then
            chosen=$backend
            break
        fi
    done
    if [[ -z $chosen ]]; then
        for backend in "${BACKENDS[@]}"; do
            if takes_bpf_rules "$backend"; then
                chosen=$backend
                break
            fi
            reasons+=("$backend: $REASON")
        done
    fi
    if [[ -z $chosen ]]; then
        undo_set
        local IFS=';'
        fail "no iptables backend takes -m bpf rules here (the kernel needs the xt_bpf, xt_set and xt_comment matches), nothing changed: ${reasons[*]}"
    fi
    if installed_in "$chosen"; then
        finish_set "$@"
        say "already installed with $chosen ($RULE_COUNT rules in chain $CHAIN, set $SET_NAME)"
        return
    fi
    if ! install_rules "$chosen"; then
        undo_set
        fail "$chosen refused the rules, nothing installed: $REASON"
    fi
    finish_set "$@"
    say "installed with $chosen ($RULE_COUNT rules in chain $CHAIN, set $SET_NAME)"
}

do_delete() {
    local backend deletions input
    take_lock
    for backend in "${BACKENDS[@]}"; do
        deletions=$(jump_deletions "$backend")
        input=$'*filter\n'${deletions:+$deletions$'\n'}
        if chain_exists "$backend"; then
            input+="-F $CHAIN"$'\n'"-X $CHAIN"$'\n'
        elif [[ -z $deletions ]]; then
            continue
        fi
        apply "$backend" "${input}COMMIT" ||
            fail "$backend refused to remove the rules, nothing changed (a rule outside this script may jump to $CHAIN): $REASON"
        say "removed chain $CHAIN from $backend"
    done
    "$IPSET" -exist destroy "$STAGING_SET" 2>/dev/null || true
    if set_exists "$SET_NAME"; then
        "$IPSET" destroy "$SET_NAME" 2>/dev/null ||
            fail "cannot remove the set $SET_NAME: a rule outside this script still uses it"
        say "removed set $SET_NAME"
    fi
}

# Exit status 0 when installed (a jump into the whole chain), 1 otherwise.
do_status() {
    local backend jumps listing installed=0
    for backend in "${BACKENDS[@]}"; do
        chain_exists "$backend" || continue
        jumps=$(our_jumps "$backend")
        if [[ -n $jumps && $(chain_rule_count "$backend") -eq $RULE_COUNT ]]; then
            installed=1
            say "installed with $backend: chain $CHAIN ($RULE_COUNT rules), set $SET_NAME"
        else
            say "incomplete in $backend: chain $CHAIN without its jump or rules (run the script again, or --delete)"
        fi
        listing=$("$backend" -w -L INPUT -v -x -n)
        awk -v chain="$CHAIN" 'NR == 2 || $3 == chain' <<<"$listing"
        "$backend" -w -L "$CHAIN" -v -x -n
    done
    if set_exists "$SET_NAME"; then
        "$IPSET" list "$SET_NAME"
    fi
    if ((!installed)); then
        say "not installed"
        return 1
    fi
}

case $ACTION in
    status)
        do_status
        ;;
    delete)
        do_delete
        ;;
    install)
        : "${INPUTPLACE:=1}"
        if [[ -z ${DEFAULTINT:-} ]]; then
            if ((FAMILY == 6)); then
                # The kernel lists an unreachable ::/0 on lo when there is no IPv6 default
                # route; then the IPv4 default route's interface is the best guess.
                DEFAULTINT=$(awk '$1 == "00000000000000000000000000000000" && $2 == "00" && $10 != "lo" {print $10; exit}' /proc/net/ipv6_route)
            fi
            if [[ -z ${DEFAULTINT:-} ]]; then
                DEFAULTINT=$(awk '$2 == "00000000" {print $1; exit}' /proc/net/route)
            fi
            [[ -n $DEFAULTINT ]] || fail "no default route to find the interface by: set DEFAULTINT"
        fi
        if ((DNS_ONLY)); then
            JUMP=(-i "$DEFAULTINT" -p udp --dport 53 -m set --match-set "$SET_NAME" dst -j "$CHAIN")
        else
            JUMP=(-i "$DEFAULTINT" -m set --match-set "$SET_NAME" dst -j "$CHAIN")
        fi
        do_install "$@"
        ;;
esac
)BASH";

void validate_comment(const std::string& comment) {
    if (comment.size() > kMaxIptablesComment) {
        throw UsageError(fmt::format("comment is {} bytes long, iptables keeps at most {}",
                                     comment.size(), kMaxIptablesComment));
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
// otherwise.
void validate_rule_program(const Program& program) {
    if (program.empty() || program.size() > op::kXtBpfMaxInstructions) {
        throw Error(fmt::format("a program of {} instructions cannot be an xt_bpf rule (1 to {})",
                                program.size(), op::kXtBpfMaxInstructions));
    }
}

// A chain of the user's must not be one of iptables' own, nor a standard target.
void validate_user_chain_name(const std::string& name) {
    static constexpr std::string_view kReserved[] = {
        "INPUT",  "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING",
        "ACCEPT", "DROP",   "RETURN",  "QUEUE",      "REJECT"};
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string_view reserved : kReserved) {
        if (upper == reserved) {
            throw UsageError(fmt::format(
                "chain name '{}' is one of iptables' built-in chains or targets; choose another",
                name));
        }
    }
}

// One argument of an iptables-restore line: double-quoted, with \ and " escaped, as
// iptables-restore reads it back.
std::string restore_quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\\' || c == '"') out += '\\';
        out += c;
    }
    return out + "\"";
}

// readable (letters, digits and '_' kept, anything else '_') cut to leave room for '_' and
// the hash of identity.
std::string unique_name(std::string_view readable, std::string_view identity) {
    std::string out;
    for (char c : readable) {
        const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        out += keep ? c : '_';
    }
    out = out.substr(0, kMaxSetName - 1 - kNameHashLength);
    while (!out.empty() && out.back() == '_') out.pop_back();
    if (out.empty()) out = "bpf";
    return out + "_" + name_hash(identity);
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

// What both tools deploy: a chain of rules (their text after "-A CHAIN "), entered from
// INPUT by the packets to the set's destinations.
struct Deployment {
    std::string tool;
    std::string command_line;
    std::string file_name;
    std::string what;  // the header's description, after the common first lines
    std::string name_prefix;
    bool upper_case_chain = false;
    AddressFamily family = AddressFamily::Inet;
    std::vector<std::string> addresses;
    bool dns_only = true;
    std::vector<std::vector<std::string>> rules;  // each rule's words after "-A CHAIN"
};

// One word of an iptables-restore line: as it is when iptables-restore reads it back so,
// else double-quoted.
std::string restore_word(const std::string& word) {
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789_.,:/+-") == std::string::npos;
    return plain ? word : restore_quote(word);
}

std::string restore_line(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& word : words) line += (line.empty() ? "" : " ") + restore_word(word);
    return line;
}

// Whether a word is longer than iptables-restore reads: the rules must then be added one
// iptables call at a time.
bool too_wide_for_restore(const std::vector<std::vector<std::string>>& rules) {
    for (const std::vector<std::string>& words : rules) {
        for (const std::string& word : words) {
            if (word.size() > kRestoreMaxArgument) return true;
        }
    }
    return false;
}

// Everything that makes the script what it is goes into the hash, so two scripts that
// differ in anything never share a set or chain.
DeploymentNames names_of(const Deployment& d) {
    std::string identity =
        d.tool + "\n" + family_word(d.family) + "\n" + (d.dns_only ? "dns\n" : "any\n");
    identity += "name " + d.name_prefix + "\n";
    for (const std::vector<std::string>& words : d.rules) {
        identity += "rule " + restore_line(words) + "\n";
    }
    for (const std::string& address : d.addresses) identity += "address " + address + "\n";
    DeploymentNames names;
    names.set = unique_name(d.name_prefix, identity);
    names.chain = names.set;
    if (d.upper_case_chain) {
        for (char& c : names.chain)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return names;
}

std::string render(const Deployment& d) {
    const DeploymentNames names = names_of(d);
    std::string list;
    for (const std::string& address : d.addresses) {
        validate_address(address, d.family);
        list += (list.empty() ? "" : " ") + shell_quote(address);
    }
    const std::string name = comment_safe(d.file_name);
    const std::string sample = d.family == AddressFamily::Inet ? "192.0.2.1/32" : "2001:db8::1/128";
    const bool v4 = d.family == AddressFamily::Inet;
    std::string out = fmt::format(
        "#!/bin/bash\n#\n# Generated by bpftools {}: generate it again rather than edit it.\n"
        "#\n# Created with:\n#\n#     {}\n#\n",
        d.tool, comment_safe(d.command_line));
    out += d.what;
    out += fmt::format(
        "#\n"
        "#     ./{0} {1}     install (once) and add these destinations\n"
        "#     ./{0} --delete           remove the rules, the chain and the set\n"
        "#     ./{0} --status           show the rules with their packet and byte counters\n"
        "#                               (exit status 0 when installed, 1 when not)\n"
        "#\n"
        "# The chain '{2}' holds the rules ({3} in all); one rule in INPUT jumps to it\n"
        "# for packets to an address of the ipset '{4}'{5}, on the\n"
        "# default-route interface. Installing and removing are each one iptables-restore\n"
        "# transaction, under a lock of this script's own: the kernel holds all of the\n"
        "# rules or none of them, whenever the script is stopped. The backend is the\n"
        "# first of {6}-nft and {6}-legacy (the variant plain {6} is, first) that\n"
        "# takes the rules.\n"
        "#\n"
        "# Environment: {7} (one iptables command to use) and {7}_RESTORE (its\n"
        "# iptables-restore), IPSET (ipset), DEFAULTINT (interface), INPUTPLACE (1, the\n"
        "# jump's position in INPUT), BPFTOOLS_LOCK_DIR (/run/bpftools).\n#\n",
        name, sample, names.chain, d.rules.size(), names.set, d.dns_only ? " (UDP port 53)" : "",
        v4 ? "iptables" : "ip6tables", v4 ? "IPTABLES" : "IP6TABLES");
    std::string rules;
    std::string wide_rules;
    for (const std::vector<std::string>& words : d.rules) {
        rules += "-A " + names.chain + " " + restore_line(words) + "\n";
        std::string quoted;
        for (const std::string& word : words) quoted += " " + shell_quote(word);
        wide_rules += "    \"$1\" -w -A \"$CHAIN\"" + quoted + " || return 1\n";
    }
    rules.pop_back();
    const bool wide = too_wide_for_restore(d.rules);
    out += "\nSET_NAME=" + shell_quote(names.set) + "\n";
    out += "CHAIN=" + shell_quote(names.chain) + "\n";
    out += "SET_FAMILY=" + family_word(d.family) + "\n";
    out += std::string("FAMILY=") + (v4 ? "4" : "6") + "\n";
    out += "ADDRESSES=(" + list + ")\n";
    out += std::string("DNS_ONLY=") + (d.dns_only ? "1" : "0") + "\n";
    out += fmt::format("RULE_COUNT={}\n", d.rules.size());
    out += std::string("WIDE_RULES=") + (wide ? "1" : "0") + "\n";
    out +=
        "# The chain's rules one iptables call each (used when WIDE_RULES=1: a rule longer\n"
        "# than the 1023 bytes iptables-restore reads in one argument).\n"
        "add_wide_rules() {\n" +
        (wide ? wide_rules : "    return 1\n") + "}\n";
    out +=
        "# The chain's rules, as iptables-restore reads them.\n"
        "IFS= read -r -d '' CHAIN_RULES <<'END_OF_RULES' || true\n" +
        rules + "\nEND_OF_RULES\nCHAIN_RULES=${CHAIN_RULES%$'\\n'}\n";
    out += kBody;
    return out;
}

// The words of a rule after "-A CHAIN": the program (none: every packet), the comment (none
// when empty), the target.
std::vector<std::string> rule_words(const Program* program, const std::string& comment,
                                    const char* target) {
    std::vector<std::string> words;
    if (program != nullptr) {
        validate_rule_program(*program);
        words = {"-m", "bpf", "--bytecode", format_xt_bpf(*program)};
    }
    if (!comment.empty()) words.insert(words.end(), {"-m", "comment", "--comment", comment});
    words.insert(words.end(), {"-j", target});
    return words;
}

Deployment deployment_of(const IptablesBpfScript& s) {
    validate_comment(s.comment);
    if (s.rules.empty()) throw Error("no rule to deploy");
    Deployment d;
    d.tool = "iptables_bpf";
    d.command_line = s.command_line;
    d.file_name = s.file_name;
    d.name_prefix = s.name_prefix;
    d.family = s.family;
    d.addresses = s.addresses;
    d.dns_only = s.dns_only;
    for (const BpfRule& rule : s.rules)
        d.rules.push_back(rule_words(&rule.program, s.comment, "DROP"));
    d.what = fmt::format("# Drops {}packets that match the BPF program{} below.\n",
                         s.dns_only ? "DNS (UDP port 53) " : "", s.rules.size() > 1 ? "s" : "");
    for (std::size_t i = 0; i < s.rules.size(); ++i) {
        d.what += fmt::format("#\n# BPF assembly of rule {} of {} ({} instructions):\n#\n", i + 1,
                              s.rules.size(), s.rules[i].program.size());
        d.what += comment_block(s.rules[i].assembly);
    }
    return d;
}

Deployment deployment_of(const IptablesBpfChainScript& s) {
    validate_identifier("name", s.name, kMaxUserName);
    validate_user_chain_name(s.name);
    Deployment d;
    d.tool = "iptables_bpf_chain";
    d.command_line = s.command_line;
    d.file_name = s.file_name;
    d.name_prefix = s.name + (s.family == AddressFamily::Inet ? "_ip4" : "_ip6");
    d.upper_case_chain = true;
    d.family = s.family;
    d.addresses = s.addresses;
    d.dns_only = true;
    for (const ChainRule& rule : s.rules) {
        validate_comment(rule.comment);
        d.rules.push_back(rule_words(rule.program ? &*rule.program : nullptr, rule.comment,
                                     rule.accept ? "ACCEPT" : "DROP"));
    }
    d.rules.push_back({"-j", "RETURN"});
    d.what =
        "# DNS (UDP port 53) packets go through a chain of case-insensitive dns rules:\n"
        "# its ACCEPT rules first, then its DROP rules.\n";
    return d;
}

}  // namespace

bool fits_restore_rule(const Program& program) {
    return !program.empty() && program.size() <= op::kXtBpfMaxInstructions &&
           format_xt_bpf(program).size() <= kRestoreMaxArgument;
}

DeploymentNames deployment_names(const IptablesBpfScript& script) {
    return names_of(deployment_of(script));
}

DeploymentNames deployment_names(const IptablesBpfChainScript& script) {
    return names_of(deployment_of(script));
}

std::string render_iptables_bpf_script(const IptablesBpfScript& script) {
    return render(deployment_of(script));
}

std::string render_iptables_bpf_chain_script(const IptablesBpfChainScript& script) {
    return render(deployment_of(script));
}

}  // namespace bpfgen
