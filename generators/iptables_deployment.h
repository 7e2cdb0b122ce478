// iptables_deployment.h: a generator run made into the iptables deployment scripts of
// libbpfgen/deploy (iptables_bpf and iptables_bpf_chain): the names the script, its set and
// chain take from the run, the rule's comment, and whether the rules see DNS queries only.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/deploy/iptables_script.h"

namespace bpfgen {

// What iptables_bpf is asked for.
struct IptablesBpfRequest {
    std::string generator;
    std::vector<std::string> generator_args;
    GeneratorOptions options;                // l3_offset must be 0
    std::vector<std::string> addresses;      // the ipset's preset destinations
    std::optional<std::string> comment;      // default: the command line, cut to fit
    std::string command_line;                // how the script is generated
    std::optional<std::string> output_path;  // default: default_file_name; "-" for stdout
};

struct IptablesBpfDeployment {
    IptablesBpfScript script;
    std::string output_path;  // where the script is to be written; "-" for stdout
};

// Runs the generator (split into xt_bpf-sized rules, generate_xt_bpf_rules) and names
// the script bpf_GENERATOR_ipV_NAME.sh, its set and chain bpf_GENERATORV_NAME, after the
// run's name. One script per IP version the run is for (GeneratorInfo::ip_versions): a p0f
// signature of version '*' makes an IPv4 script (iptables) and an IPv6 one (ip6tables), in
// that order. Throws UsageError for an unknown generator ("unknown generator 'x' (see
// --help)"), for an output_path given to a run of two scripts, and what
// generate_xt_bpf_rules throws.
std::vector<IptablesBpfDeployment> plan_iptables_bpf(const IptablesBpfRequest& request);

// A name made safe for a file or set name: letters, digits, '_', '-' and '.' are kept,
// anything else becomes 'x'.
std::string file_safe_name(const std::string& text);

// The longest file name Linux file systems take (NAME_MAX).
inline constexpr std::size_t kMaxFileName = 255;

// NAME.sh, the original's script name, where it fits kMaxFileName; else NAME cut, '_', the
// hash of the whole NAME (name_hash), and ".sh", 255 bytes in all.
std::string script_file_name(const std::string& name);

// A rule's comment from any text: made printable (comment_safe) and cut to the 255 bytes
// iptables keeps.
std::string iptables_comment(const std::string& text);

// The rules of iptables_bpf_chain for one pattern: one matching every packet for 'any',
// otherwise one per program the case-insensitive dns rule for the pattern needs.
std::vector<ChainRule> iptables_chain_rules(const std::string& pattern, bool accept,
                                            int ip_version);

}  // namespace bpfgen
