// iptables_deployment.cpp: generator runs made into iptables deployment scripts.
#include "generators/iptables_deployment.h"

#include <fmt/format.h>

#include "generators/xt_bpf_rules.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/text.h"
#include "libbpfgen/deploy/shell_quote.h"

namespace bpfgen {

std::string file_safe_name(const std::string& text) {
    std::string out;
    for (char c : text) {
        out += is_name_char(c) ? c : 'x';
    }
    return out;
}

std::string iptables_comment(const std::string& text) {
    return comment_safe(text).substr(0, kMaxIptablesComment);
}

std::string script_file_name(const std::string& name) {
    std::string file = name + ".sh";
    if (file.size() <= kMaxFileName) return file;
    // Many patterns: their names cut, and the hash of all of them keeping files apart.
    return name.substr(0, kMaxFileName - 1 - kNameHashLength - 3) + "_" + name_hash(name) + ".sh";
}

namespace {

// The script of one IP version (request.options.ip_version).
IptablesBpfDeployment plan_one_script(const GeneratorInfo& info,
                                      const IptablesBpfRequest& request) {
    const XtBpfRules rules = generate_xt_bpf_rules(info, request.generator_args, request.options);
    const int v = request.options.ip_version;
    const std::string name = fmt::format("bpf_{}_ip{}{}{}", request.generator, v,
                                         rules.name.empty() ? "" : "_", file_safe_name(rules.name));
    IptablesBpfDeployment deployment;
    deployment.output_path = request.output_path.value_or(script_file_name(name));
    IptablesBpfScript& script = deployment.script;
    script.command_line = request.command_line;
    script.file_name =
        deployment.output_path == "-" ? script_file_name(name) : deployment.output_path;
    script.name_prefix = fmt::format("bpf_{}{}_{}", request.generator, v, rules.name);
    script.family = v == 4 ? AddressFamily::Inet : AddressFamily::Inet6;
    script.addresses = request.addresses;
    script.dns_only = info.dns_queries_only;
    script.comment = request.comment.value_or(iptables_comment(request.command_line));
    for (const GeneratedProgram& generated : rules.programs) {
        script.rules.push_back({generated.program, generated.assembly});
    }
    return deployment;
}

}  // namespace

std::vector<IptablesBpfDeployment> plan_iptables_bpf(const IptablesBpfRequest& request) {
    const GeneratorInfo* info = find_generator(request.generator);
    if (info == nullptr) {
        throw UsageError(
            fmt::format("unknown generator {} (see --help)", quote_for_message(request.generator)));
    }
    const std::vector<int> versions =
        info->ip_versions == nullptr ? std::vector<int>{request.options.ip_version}
                                     : info->ip_versions(request.generator_args, request.options);
    if (versions.size() > 1 && request.output_path) {
        throw UsageError(fmt::format(
            "the {} rule is for IPv4 and IPv6, which take two scripts, and -w names one file "
            "(leave -w out for both, or give -6 for the IPv6 one alone)",
            request.generator));
    }
    std::vector<IptablesBpfDeployment> deployments;
    for (const int version : versions) {
        IptablesBpfRequest one = request;
        one.options.ip_version = version;
        deployments.push_back(plan_one_script(*info, one));
    }
    return deployments;
}

std::vector<ChainRule> iptables_chain_rules(const std::string& pattern, bool accept,
                                            int ip_version) {
    const std::string comment = iptables_comment("dns -- -i " + pattern);
    if (pattern == "any") return {{std::nullopt, comment, accept}};
    GeneratorOptions options;
    options.ip_version = ip_version;
    const XtBpfRules generated = generate_xt_bpf_rules("dns", {"-i", "--", pattern}, options);
    std::vector<ChainRule> rules;
    for (const GeneratedProgram& program : generated.programs) {
        rules.push_back({program.program, comment, accept});
    }
    return rules;
}

}  // namespace bpfgen
