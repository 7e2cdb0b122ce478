// link_type_names.h: a capture's link type, the LINKTYPE_* number stored in capture files
// (see link_layer.h), as libpcap numbers (DLT_*) and names it.
#pragma once

#include <string>
#include <string_view>

namespace bpfgen {

// libpcap's DLT_* value for a LINKTYPE_* value and back: they differ for a few old types.
int dlt_from_link_type(int link_type);
int link_type_from_dlt(int dlt);

// libpcap's name and description of a link type, e.g. "EN10MB (Ethernet)"; "link type N"
// when libpcap does not know it.
std::string link_type_name(int link_type);

// A link type given as a number, as libpcap's name for it ("EN10MB", "LINUX_SLL", "RAW";
// any case) or as bpfgen's --l2 name ("ether", "sll", "sll2"). Throws Error when it is
// none of them.
int parse_link_type(std::string_view text);

}  // namespace bpfgen
