// tool_options.cpp: the tools' command lines through Boost.Program_options in
// its unix style, arguments that are no options collected in order; see
// tool_options.h.
#include "command_line/tool_options.h"

#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "libbpfgen/base/error.h"

namespace bpfgen {

namespace po = boost::program_options;

namespace {

// The name under which Boost hands over the arguments that are no options. It is declared
// like an option, but one typed as `--(arguments)` is refused (see parse_arguments); the
// parentheses keep an abbreviated option (`--a`) from matching it.
constexpr const char* kArguments = "(arguments)";

// A switch that may be given more than once, as argparse's store_true allows (Boost's own
// switches refuse a second occurrence).
class RepeatableSwitch : public po::value_semantic {
  public:
    explicit RepeatableSwitch(bool* target) : target_(target) {}
    std::string name() const override { return ""; }
    unsigned min_tokens() const override { return 0; }
    unsigned max_tokens() const override { return 0; }
    bool is_composing() const override { return false; }
    bool is_required() const override { return false; }
    void parse(boost::any& value, const std::vector<std::string>&, bool) const override {
        value = true;
    }
    bool apply_default(boost::any&) const override { return false; }
    void notify(const boost::any& value) const override { *target_ = !value.empty(); }

  private:
    bool* target_;
};

// Parses argv against the tool's options, sets them, and returns the arguments that are no
// options, in order (every one after `--` among them). `unknown_hint` follows the name of
// an unknown option in its message.
std::vector<std::string> parse_arguments(ToolOptions& tool, int argc, const char* const* argv,
                                         std::string_view unknown_hint) {
    po::options_description options;
    options.add(tool.description());
    options.add_options()(kArguments, po::value<std::vector<std::string>>(), "");
    po::positional_options_description positional;
    positional.add(kArguments, -1);

    std::vector<std::string> arguments;
    const auto unknown = [&](const std::string& name) {
        return UsageError(
            fmt::format("unknown option {} {}", quote_for_message(name), unknown_hint));
    };
    try {
        const po::parsed_options parsed = po::command_line_parser(argc, argv)
                                              .options(options)
                                              .positional(positional)
                                              .style(po::command_line_style::unix_style)
                                              .run();
        po::parsed_options own(&options);
        for (const po::option& option : parsed.options) {
            if (option.string_key != kArguments) {
                own.options.push_back(option);
            } else if (option.position_key < 0) {
                throw unknown(option.original_tokens.empty() ? "--" + option.string_key
                                                             : option.original_tokens.front());
            } else {
                arguments.insert(arguments.end(), option.value.begin(), option.value.end());
            }
        }
        po::variables_map values;
        po::store(own, values);
        po::notify(values);
    } catch (const po::unknown_option& error) {
        throw unknown(error.get_option_name());
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    return arguments;
}

}  // namespace

ToolOptions::ToolOptions(std::string tool)
    : tool_(std::move(tool)), description_(std::make_unique<po::options_description>()) {}

ToolOptions::~ToolOptions() = default;

ToolOptions& ToolOptions::add_switch(const char* names, bool* on) {
    description_->add_options()(names, new RepeatableSwitch(on), "");
    return *this;
}

ToolOptions& ToolOptions::add_values(const char* names, std::vector<std::string>* values) {
    description_->add_options()(names, po::value<std::vector<std::string>>(values), "");
    return *this;
}

ToolOptions& ToolOptions::add_single_switch(const char* names, bool* on) {
    description_->add_options()(names, po::bool_switch(on), "");
    return *this;
}

ToolOptions& ToolOptions::add_single_value(const char* names, std::optional<std::string>* value) {
    description_->add_options()(
        names,
        po::value<std::string>()->notifier([value](const std::string& given) { *value = given; }),
        "");
    return *this;
}

ToolOptions& ToolOptions::add_addresses(std::vector<std::string>* addresses) {
    return add_values("ip,i", addresses);
}

GeneratorCommandLine parse_generator_command_line(ToolOptions& tool, int argc,
                                                  const char* const* argv) {
    GeneratorCommandLine line;
    bool inet6 = false;
    tool.add_switch("help,h", &line.help)
        .add_switch("inet6,6", &inet6)
        .add_switch("negate,n", &line.options.negate)
        .add_switch("optimize,O", &line.options.optimize);
    std::vector<std::string> arguments = parse_arguments(
        tool, argc, argv,
        fmt::format("(a generator's own options go after '--': {} ... GENERATOR -- OPTIONS)",
                    tool.tool()));
    line.options.ip_version = inet6 ? 6 : 4;
    if (!arguments.empty()) {
        line.generator = std::move(arguments.front());
        line.generator_args.assign(std::make_move_iterator(arguments.begin() + 1),
                                   std::make_move_iterator(arguments.end()));
    }
    return line;
}

OptionsOnlyCommandLine parse_options_only(ToolOptions& tool, int argc, const char* const* argv) {
    OptionsOnlyCommandLine line;
    bool inet6 = false;
    tool.add_switch("help,h", &line.help).add_switch("inet6,6", &inet6);
    const std::string hint = fmt::format("(see {} --help)", tool.tool());
    const std::vector<std::string> arguments = parse_arguments(tool, argc, argv, hint);
    if (!arguments.empty()) {
        throw UsageError(
            fmt::format("unexpected argument {} {}", quote_for_message(arguments.front()), hint));
    }
    line.ip_version = inet6 ? 6 : 4;
    return line;
}

std::vector<std::string> parse_options_and_operands(ToolOptions& tool, int argc,
                                                    const char* const* argv, bool* help) {
    tool.add_single_switch("help,h", help);
    po::options_description options;
    options.add(tool.description());
    options.add_options()(kArguments, po::value<std::vector<std::string>>(), "");
    po::positional_options_description positional;
    positional.add(kArguments, -1);
    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv)
                      .options(options)
                      .positional(positional)
                      .style(po::command_line_style::unix_style)
                      .run(),
                  values);
        po::notify(values);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    if (!values.count(kArguments)) return {};
    return values[kArguments].as<std::vector<std::string>>();
}

}  // namespace bpfgen
