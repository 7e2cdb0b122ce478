// bpfgen_command.cpp: bpfgen's work between its command line and its output.
#include "command_line/bpfgen_command.h"

#include <optional>

#include <fmt/format.h>

#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"

namespace bpfgen {

uint32_t l3_offset_of_options(const std::vector<std::string>& offsets,
                              const std::vector<std::string>& links, uint32_t fallback) {
    if (!offsets.empty() && !links.empty()) {
        throw UsageError("give the IP header's place either with --offset or with --l2");
    }
    if (!offsets.empty()) return parse_l3_offset(offsets.back());
    if (!links.empty()) return l3_offset_of_link_layer(links.back());
    return fallback;
}

Format output_format_of_option(std::string_view name, bool annotated_assembly) {
    const std::optional<Format> chosen = parse_format_name(name);
    if (!chosen) {
        throw UsageError(fmt::format("unknown format {} (choose from xt_bpf, c, decimal, asm)",
                                     quote_for_message(name)));
    }
    if (annotated_assembly) {
        throw UsageError("-s prints the annotated assembly; it takes no --format");
    }
    return *chosen;
}

std::string generator_summaries() {
    std::string text;
    for (const GeneratorInfo& info : generators()) {
        text += fmt::format("  {:<13} {}\n", info.name, info.summary);
    }
    return text;
}

BpfgenOutput run_bpfgen(const BpfgenRequest& request) {
    if (request.generator.empty()) {
        throw UsageError(fmt::format("no generator given (choose from {}; see bpfgen --help)",
                                     generator_names()));
    }
    if (wants_help(request.generator_args)) {
        if (const GeneratorInfo* info = find_generator(request.generator)) {
            return {std::string(info->help), ""};
        }
    }
    if (std::string information = generator_information(request.generator, request.generator_args);
        !information.empty()) {
        return {std::move(information), ""};
    }
    const GeneratedProgram generated =
        generate(request.generator, request.generator_args, request.options);
    try {
        check_kernel_rules(generated.program);
    } catch (const CheckError& error) {
        throw Error(fmt::format("{}: the generated program breaks a kernel rule: {}",
                                request.generator, error.what()));
    }
    BpfgenOutput output;
    if (request.options.l3_offset == 0) {
        output.warning = xt_bpf_length_warning(generated.program).value_or("");
    }
    output.text = request.annotated_assembly ? generated.assembly
                  : request.format == Format::XtBpf
                      ? format_xt_bpf(generated.program)
                      : format_program(generated.program, request.format);
    if (request.annotated_assembly || output.text.empty() || output.text.back() != '\n') {
        output.text += '\n';
    }
    return output;
}

}  // namespace bpfgen
