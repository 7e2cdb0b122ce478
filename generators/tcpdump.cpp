// tcpdump.cpp: PLACEHOLDER until the 'tcpdump' generator lands; refuses every call.
#include "generators/tcpdump.h"

#include "libbpfgen/error.h"

namespace bpfgen {

const std::string_view kTcpdumpHelp = "not built yet";

GeneratedProgram generate_tcpdump(const std::vector<std::string>&, const GeneratorOptions&) {
    throw Error("tcpdump: generator not built yet");
}

}  // namespace bpfgen
