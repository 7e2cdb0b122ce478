// asm_text.h: pieces of the annotated assembly the original generators printed, so ours
// print the same text: Python 2's repr() of a byte string (its hex encoding is hex_encode,
// libbpfgen/base/hex.h), and the 8-bit range every conditional jump of a generated block
// must stay within.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bpfgen {

// Python 2 repr(str): single quotes (double when the text holds ' but no "), \t \n \r,
// \\ and the quote escaped, bytes outside printable ASCII as \xNN.
std::string python_repr(std::string_view bytes);

// A conditional jump skips at most 255 instructions (jt and jf are one byte).
inline constexpr std::size_t kMaxJumpDistance = 255;

}  // namespace bpfgen
