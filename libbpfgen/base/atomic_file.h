// atomic_file.h: writing a file so that its path never holds a partial one: the bytes go
// to a new file in the same directory, which is renamed over the path only once it is
// complete; what cannot be replaced (stdout, a device, a FIFO) is written in place.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "libbpfgen/base/file_descriptor.h"

namespace bpfgen {

// A new file being written in place of `target`. Until commit() the target is left as it
// was; without commit() (an error, an exception) the new file is removed when this object
// goes away, and where the filesystem has O_TMPFILE it has no name at all until commit(),
// so even a killed process leaves nothing behind. A symbolic link at target is followed:
// the file it names is replaced (created, for a dangling link), the link stays. A file
// replaced keeps its permissions unless commit() is given others.
class ReplacementFile {
  public:
    // Creates the new file (mode 0666 less the umask). Throws Error naming target.
    explicit ReplacementFile(const std::string& target);
    ~ReplacementFile();
    ReplacementFile(ReplacementFile&& other) noexcept;
    ReplacementFile& operator=(ReplacementFile&&) = delete;
    ReplacementFile(const ReplacementFile&) = delete;
    ReplacementFile& operator=(const ReplacementFile&) = delete;

    // Where the bytes are written.
    int fd() const { return fd_.get(); }
    // Sets the mode (given, or the replaced file's), flushes the file to the disk (so that
    // a crash cannot leave the path renamed onto a file whose data never arrived), closes
    // it and renames it over the target. Throws Error naming the target; the new file is
    // then still removed.
    void commit(std::optional<mode_t> mode = std::nullopt);

  private:
    std::string target_;     // what the caller gave, for messages
    std::string replaced_;   // the path renamed over: target, or what its link names
    std::string temporary_;  // the new file's hidden name; empty while unnamed, or renamed
    std::optional<mode_t> existing_mode_;  // of the file replaced, when there is one
    bool committed_ = false;
    FileDescriptor fd_;
};

// Writes `content` to path through a ReplacementFile with the given mode. Throws Error
// naming the path on any failure.
void write_file_atomically(const std::string& path, std::string_view content, mode_t mode);

// The path opened for writing when it is written in place rather than replaced: an
// existing path that is neither a regular file nor a directory (a device such as /dev/null,
// a FIFO; renaming over one would put a regular file in its place), followed through
// symbolic links. Empty for a path to replace: a regular file or a path not there yet.
// Throws Error naming the path for a directory or what cannot be opened.
FileDescriptor open_in_place(const std::string& path);

// Writes `content` as all that `path` receives: "-" is standard output, and a device or a
// FIFO (see open_in_place) is written in place, as the shell's `>` would; anything else
// goes through write_file_atomically with `mode`. Throws Error naming the path ("stdout"
// for "-") when it cannot be written, e.g. "/dev/full: cannot write: No space left on
// device".
void write_whole_file(const std::string& path, std::string_view content, mode_t mode);

}  // namespace bpfgen
