// descriptor_input.h: a std::istream over a file descriptor (standard input, a file, a
// pipe) whose reads a stop signal (stop_signals.h) ends: text read line by line from a live
// pipeline stops at once on Ctrl-C, where std::cin would go on waiting for the next line.
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>

#include "libbpfgen/base/file_descriptor.h"

namespace bpfgen {

// A duplicate of standard input for "-", else path opened for reading; throws Error
// "NAME: cannot read: ..." or "NAME: cannot open: ..." when it cannot.
FileDescriptor open_input(const std::string& path, const std::string& name);

// Whether a read of fd can block (a pipe, a socket, a terminal: anything but a regular
// file), and so is to be waited for where a stop signal can end the wait.
bool reads_may_block(int fd);

class DescriptorInputBuffer : public std::streambuf {
  public:
    explicit DescriptorInputBuffer(FileDescriptor fd);
    // Whether a stop signal ended the input.
    bool stopped() const { return stopped_; }

  protected:
    // The end of the input after a stop signal; a failed read throws, which std::istream
    // turns into badbit with errno as the read left it.
    int_type underflow() override;

  private:
    FileDescriptor fd_;
    bool may_block_;
    bool stopped_ = false;
    std::unique_ptr<char[]> buffer_;
};

class DescriptorInput : public std::istream {
  public:
    // Reads a duplicate of standard input for "-", else opens path; throws Error naming
    // `name` when it cannot.
    DescriptorInput(const std::string& path, const std::string& name);
    bool stopped() const { return buffer_.stopped(); }

  private:
    DescriptorInputBuffer buffer_;
};

}  // namespace bpfgen
