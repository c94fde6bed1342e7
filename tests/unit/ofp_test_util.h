// Helpers of the OpenFlow action tests: bytes written as hex ("ffff 0010
// 00002320 ...", white space and other separators ignored), and ovs-ofctl
// action text that must parse, or must not.
#pragma once

#include <doctest/doctest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ofproto/ofp_actions.h"
#include "support/hex.h"

namespace xvs::test {

inline ofproto::OfActions parse(std::string_view text, bool instructions = true) {
    std::string err;
    auto a = ofproto::parse_of_actions(text, &err, instructions);
    INFO(text, ": ", err);
    REQUIRE(a);
    return *a;
}

// The parser's error for 'text', which must not parse.
inline std::string parse_error(std::string_view text, bool instructions = true) {
    std::string err;
    auto a = ofproto::parse_of_actions(text, &err, instructions);
    INFO(text);
    CHECK(!a);
    return err;
}

}  // namespace xvs::test
