// p0f_database.h: p0f v3's fingerprint database (p0f.fp, Debian's /etc/p0f/p0f.fp) read for
// its TCP signatures: which label each belongs to, in which section, on which line; and
// finding the signatures of a label the way an operator names it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bpfgen {

extern const std::string_view kDefaultP0fDatabase;  // /etc/p0f/p0f.fp

enum class P0fSection {
    Request,   // [tcp:request]: SYN packets, client to server
    Response,  // [tcp:response]: SYN+ACK packets, server to client
};

std::string_view section_name(P0fSection section);  // "tcp:request", "tcp:response"

struct P0fDatabaseSignature {
    std::string label;  // "s:unix:Linux:3.11 and newer"
    P0fSection section;
    std::string signature;  // "*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0"
    std::size_t line = 0;   // where it is in the file, for messages
};

struct P0fDatabase {
    std::string path;
    std::vector<P0fDatabaseSignature> signatures;  // in file order, TCP sections only
};

// Reads the file. Throws Error naming FILE:LINE for a line p0f would refuse: not
// `key = value`, a section header it does not know, a TCP signature before any label, a TCP
// label that is not type:class:name:flavor with type s or g; Error for an unreadable file.
P0fDatabase read_p0f_database(const std::string& path);

// The labels with how many signatures each has in each section, one line a label in file
// order: "s:unix:Linux:3.11 and newer    tcp:request 2, tcp:response 0".
std::string list_p0f_labels(const P0fDatabase& database);

// The signatures of the label `query` names: the whole label ("s:unix:Linux:3.11 and newer"),
// or it without its type ("unix:Linux:3.11 and newer") or without type and class
// ("Linux:3.11 and newer"), or the start of one of those that only one label has
// ("Linux:3.11"). Throws UsageError when no label fits, or when a start fits several labels
// (naming them).
std::vector<P0fDatabaseSignature> signatures_of_label(const P0fDatabase& database,
                                                      std::string_view query);

}  // namespace bpfgen
