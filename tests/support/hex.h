// Test helper: bytes from hex text as OVS's tests write them ("01 0e 00 50",
// "010e0050", any case); anything that is not a hex digit separates.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/packet.h"  // to_hex

namespace xvs::test {

inline std::vector<uint8_t> hex(std::string_view s) {
    std::vector<uint8_t> out;
    int nibble = -1;
    for (char c : s) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(static_cast<uint8_t>(nibble << 4 | v));
            nibble = -1;
        }
    }
    REQUIRE(nibble < 0);  // an odd number of digits is a typo in the test
    return out;
}

}  // namespace xvs::test

#define CHECK_BYTES(actual, expected) CHECK(xvs::test::to_hex(actual) == xvs::test::to_hex(expected))
