// atomic_file.h: writing a file so that its path never holds a partial one: the bytes go
// to a temporary file in the same directory, which is renamed over the path only once it
// is complete.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "libbpfgen/file_descriptor.h"

namespace bpfgen {

// A new file being written in place of `target`. Until commit() the target is left as it
// was; without commit() (an error, an exception) the temporary file is removed when this
// object goes away. A symbolic link at target is followed: the file it names is replaced,
// the link stays.
class ReplacementFile {
  public:
    // Creates the temporary file (mode 0666 less the umask). Throws Error naming target.
    explicit ReplacementFile(const std::string& target);
    ~ReplacementFile();
    ReplacementFile(ReplacementFile&& other) noexcept;
    ReplacementFile& operator=(ReplacementFile&&) = delete;
    ReplacementFile(const ReplacementFile&) = delete;
    ReplacementFile& operator=(const ReplacementFile&) = delete;

    // Where the bytes are written.
    int fd() const { return fd_.get(); }
    // Sets the mode when given, flushes the file to the disk (so that a crash cannot leave
    // the path renamed onto a file whose data never arrived), closes it and renames it over
    // the target. Throws Error naming the target; the temporary file is then still removed.
    void commit(std::optional<mode_t> mode = std::nullopt);

  private:
    std::string target_;     // what the caller gave, for messages
    std::string replaced_;   // the path renamed over: target, or what its link names
    std::string temporary_;  // empty once renamed
    FileDescriptor fd_;
};

// Writes `content` to path through a ReplacementFile with the given mode. Throws Error
// naming the path on any failure.
void write_file_atomically(const std::string& path, const std::string& content, mode_t mode);

}  // namespace bpfgen
