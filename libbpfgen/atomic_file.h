// atomic_file.h: writing a whole file so that its path never holds a partial one: the text
// goes to a temporary file in the same directory, which is renamed over the path only once
// it is complete.
#pragma once

#include <sys/types.h>
#include <string>

namespace bpfgen {

// Throws Error naming the path on any failure (the temporary file is removed).
void write_file_atomically(const std::string& path, const std::string& content, mode_t mode);

}  // namespace bpfgen
