// fmt_compiled_part.cpp: the part of fmt that is not in its headers, compiled from the
// system's own headers (Debian's libfmt-dev, fmt 9) into a static library that the shipped
// programs link instead of libfmt.so: Debian has no libfmt.a, and the shared library costs
// each program's start-up a relocation pass. What this file must provide is what the headers
// declare and do not define inline: the non-template functions of <fmt/format-inl.h> (its
// FMT_FUNC definitions, compiled here once), and the explicit instantiations of the templates
// that <fmt/format.h> declares `extern template` or FMT_API without a definition. The library
// keeps the headers' own configuration (not FMT_HEADER_ONLY), so code compiled against
// libfmt.so links with it unchanged.
#include <fmt/format-inl.h>

#include <locale>

namespace fmt {
inline namespace v9 {
namespace detail {

// format.h: `extern template` for both character types.
template FMT_API auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto thousands_sep_impl<wchar_t>(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;

// format.h: dragonbox::to_decimal is declared FMT_API for the float types that format.h
// formats through it (float and double; long double takes another path).
template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

// core.h: locale_ref's constructor and get() are member templates defined only in
// format-inl.h, for std::locale alone (their static_assert).
template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;

}  // namespace detail
}  // namespace v9
}  // namespace fmt
