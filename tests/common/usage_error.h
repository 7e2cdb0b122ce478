// usage_error.h: a test helper that runs code expected to refuse its input as a usage
// error (bpfgen::UsageError) and returns the message, for tests to compare. Header-only.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "libbpfgen/base/error.h"

namespace bpftools::test {

// The message of the UsageError `code` throws; a test failure (and "") when it throws none.
inline std::string usage_error(const std::function<void()>& code) {
    try {
        code();
    } catch (const bpfgen::UsageError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no UsageError";
    return {};
}

}  // namespace bpftools::test
