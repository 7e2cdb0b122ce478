// p0f_exact.h: the checks of `bpfgen p0f -- --exact`: a signature, read for one IP version,
// matched as p0f 3.09b matches a packet against it without calling the match fuzzy: the
// packet's quirks, computed as p0f computes them, are the signature's; the TTL is at most 35
// hops below the initial one; the window forms follow p0f's order of divisors; the TCP flags
// are those of the signature's section.
#pragma once

#include <string_view>
#include <vector>

#include "generators/p0f_database.h"
#include "generators/p0f_signature.h"

namespace bpfgen {

// The checks for `reading` (a signature parsed with P0fRules::Exact and read for IPv4 or
// IPv6 by for_ip_version), in the order the generator joins them. Throws UsageError naming
// the signature (`text`) when p0f could never report it exactly for a packet of that
// version and section (a quirk the section never shows, an olayout that is not whole words,
// id+ without df, ...) or when it uses what --exact does not model (the linux quirk).
std::vector<P0fCheck> p0f_exact_checks(const P0fSignature& reading, P0fSection section,
                                       std::string_view text);

}  // namespace bpfgen
