// p0f.cpp: PLACEHOLDER until the 'p0f' generator lands; refuses every call.
#include "generators/p0f.h"

#include "libbpfgen/error.h"

namespace bpfgen {

const std::string_view kP0fHelp = "not built yet";

GeneratedProgram generate_p0f(const std::vector<std::string>&, const GeneratorOptions&) {
    throw Error("p0f: generator not built yet");
}

}  // namespace bpfgen
