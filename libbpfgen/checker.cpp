// checker.cpp: PLACEHOLDER until it lands.
#include "libbpfgen/checker.h"

#include "libbpfgen/error.h"

namespace bpfgen {

void check_kernel_rules(const Program&, CheckTarget) { throw Error("checker not built yet"); }

}  // namespace bpfgen
