// error.h: the exceptions the library throws. Each carries the offending input in its
// message, so a tool can print it as one line and map its kind to an exit code.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bpfgen {

// Input as it may appear inside a one-line message: single-quoted, with ' and \ escaped
// by a backslash, bytes outside printable ASCII as \xNN, and cut after max_bytes with
// "..." (a 100 MB argument must not become a 100 MB error line).
std::string quote_for_message(std::string_view text, std::size_t max_bytes = 100);

// Any error caused by input: bad text, bad program, bad file.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The command line or a generator's arguments are wrong (tools exit with 2).
class UsageError : public Error {
  public:
    using Error::Error;
};

// Output that cannot be written (a full disk, a closed pipe): the fault of no input, so
// tools report it as it is rather than as a problem of the packet being processed.
class OutputError : public Error {
  public:
    using Error::Error;
};

// A shared library loaded when first needed (libpcap) cannot be loaded: the machine's
// fault, never the input's, so a tool exits with 1 even where the input that needed it
// came from its command line (an expression, a link-type name).
class LibraryLoadError : public Error {
  public:
    using Error::Error;
};

// Assembly text that does not parse; line and column are 1-based.
class AssembleError : public Error {
  public:
    AssembleError(std::size_t line, std::size_t column, const std::string& what)
        : Error("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                what),
          line_(line),
          column_(column) {}
    std::size_t line() const { return line_; }
    std::size_t column() const { return column_; }

  private:
    std::size_t line_;
    std::size_t column_;
};

// A program that breaks one of the kernel's rules; index is the offending instruction.
class CheckError : public Error {
  public:
    CheckError(std::size_t index, const std::string& what)
        : Error("instruction " + std::to_string(index) + ": " + what), index_(index) {}
    std::size_t index() const { return index_; }

  private:
    std::size_t index_;
};

}  // namespace bpfgen
