// The framing of concatenated JSON values (OVS JSON-RPC has no delimiter).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "util/json_framer.h"

using xvs::JsonFramer;
using xvs::Status;

namespace {

// Three messages with what could fool a framer: braces and brackets in
// strings, escaped quotes, an escaped backslash before a closing quote,
// \u escapes, nesting, whitespace between values.
const std::string kStream = R"({"method":"echo","params":["}{][","a\"b","c\\"],"id":1})"
                            "\n  \t"
                            R"([{"x":{"y":[1,2,{"z":"\u007b\\\""}]}}])"
                            "\r\n"
                            R"({"id":"}","result":"\\","error":null})";

const std::vector<std::string> kValues = {
    R"({"method":"echo","params":["}{][","a\"b","c\\"],"id":1})",
    R"([{"x":{"y":[1,2,{"z":"\u007b\\\""}]}}])",
    R"({"id":"}","result":"\\","error":null})",
};

std::vector<std::string> feed_pieces(const std::vector<std::string>& pieces) {
    JsonFramer f(1 << 20);
    std::vector<std::string> out;
    for (const auto& p : pieces) REQUIRE(f.feed(p, out).ok());
    CHECK(f.pending_bytes() == 0);
    return out;
}

}  // namespace

TEST_CASE("framer: concatenated values in one feed") {
    CHECK(feed_pieces({kStream}) == kValues);
}

TEST_CASE("framer: a split at every byte gives the same values") {
    for (size_t cut = 0; cut <= kStream.size(); cut++) {
        CAPTURE(cut);
        CHECK(feed_pieces({kStream.substr(0, cut), kStream.substr(cut)}) == kValues);
    }
}

TEST_CASE("framer: byte by byte") {
    std::vector<std::string> pieces;
    for (char c : kStream) pieces.emplace_back(1, c);
    CHECK(feed_pieces(pieces) == kValues);
}

TEST_CASE("framer: a value in progress is held until complete") {
    JsonFramer f(1 << 20);
    std::vector<std::string> out;
    REQUIRE(f.feed(R"({"a":"}")", out).ok());
    CHECK(out.empty());
    CHECK(f.pending_bytes() == 8);
    REQUIRE(f.feed(R"(,"b":[]})", out).ok());
    REQUIRE(out.size() == 1);
    CHECK(out[0] == R"({"a":"}","b":[]})");
    CHECK(f.offset() == 16);
}

TEST_CASE("framer: whitespace alone is no value and no error") {
    JsonFramer f(100);
    std::vector<std::string> out;
    CHECK(f.feed(" \n\t\r ", out).ok());
    CHECK(out.empty());
}

TEST_CASE("framer: malformed input is an error that sticks") {
    JsonFramer f(100);
    std::vector<std::string> out;
    auto st = f.feed(R"({"a":1}  x{"b":2})", out);
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == "byte 9: syntax error at beginning of input");
    CHECK(f.error_kind() == JsonFramer::ErrorKind::Syntax);
    REQUIRE(out.size() == 1);  // the value before the garbage was complete
    CHECK(out[0] == R"({"a":1})");
    CHECK_FALSE(f.feed("{}", out).ok());
    CHECK(out.size() == 1);
}

TEST_CASE("framer: top-level scalars are refused, as OVS refuses them") {
    for (std::string s : {"\"abc\"", "123", "true", "null", "}"}) {
        CAPTURE(s);
        JsonFramer f(100);
        std::vector<std::string> out;
        CHECK_FALSE(f.feed(s, out).ok());
    }
}

TEST_CASE("framer: size limit") {
    SUBCASE("in one feed") {
        JsonFramer f(16);
        std::vector<std::string> out;
        CHECK(f.feed(R"({"a":"12345678"})", out).ok());  // exactly 16 bytes
        auto st = f.feed(R"({"a":"123456789"})", out);
        CHECK_FALSE(st.ok());
        CHECK(f.error_kind() == JsonFramer::ErrorKind::TooLong);
        CHECK(out.size() == 1);
    }
    SUBCASE("growing across feeds, never complete") {
        JsonFramer f(1000);
        std::vector<std::string> out;
        Status st;
        int feeds = 0;
        while (st.ok() && feeds < 100) {
            st = f.feed(feeds == 0 ? "[\"" : std::string(100, 'x'), out);
            feeds++;
        }
        CHECK_FALSE(st.ok());
        CHECK(feeds == 11);
        CHECK(f.error_kind() == JsonFramer::ErrorKind::TooLong);
        CHECK(f.pending_bytes() == 0);
    }
}

TEST_CASE("framer: nesting depth limit") {
    std::vector<std::string> out;
    JsonFramer ok(1 << 20);
    std::string deep = std::string(JsonFramer::kMaxDepth, '[') + std::string(JsonFramer::kMaxDepth, ']');
    CHECK(ok.feed(deep, out).ok());
    CHECK(out.size() == 1);

    JsonFramer too(1 << 20);
    auto st = too.feed(std::string(JsonFramer::kMaxDepth + 1, '['), out);
    CHECK_FALSE(st.ok());
    CHECK(too.error_kind() == JsonFramer::ErrorKind::TooDeep);
}

TEST_CASE("framer: brackets inside strings do not count, escapes do not end strings") {
    std::vector<std::string> out;
    JsonFramer f(100);
    REQUIRE(f.feed(R"(["\"]", "\\"] [])", out).ok());
    REQUIRE(out.size() == 2);
    CHECK(out[0] == R"(["\"]", "\\"])");
    CHECK(out[1] == "[]");
}

TEST_CASE("framer: a mismatched bracket is an error at once, not a wait for more") {
    JsonFramer f(100);
    std::vector<std::string> out;
    auto st = f.feed(R"({"params":[})", out);
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == "byte 11: syntax error: unexpected '}'");
    CHECK(f.error_kind() == JsonFramer::ErrorKind::Syntax);
}
