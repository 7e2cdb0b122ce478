// suffix.cpp: PLACEHOLDER until the 'suffix' generator lands; refuses every call.
#include "generators/suffix.h"

#include "libbpfgen/error.h"

namespace bpfgen {

const std::string_view kSuffixHelp = "not built yet";

GeneratedProgram generate_suffix(const std::vector<std::string>&, const GeneratorOptions&) {
    throw Error("suffix: generator not built yet");
}

}  // namespace bpfgen
