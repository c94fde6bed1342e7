// Finds where each value ends in a byte stream of concatenated JSON values.
// OVS's JSON-RPC puts messages back to back with no delimiter, so a reader
// must know where one value ends before it can parse it. The framer follows
// only what decides that (strings, escapes, bracket depth); the text of a
// complete value is then parsed in full by a JSON library, which rejects
// anything else that is wrong with it. A mismatched bracket is caught here,
// since it would otherwise keep the framer waiting for a close that never
// comes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace xvs {

class JsonFramer {
public:
    // OVS's JSON parser refuses deeper nesting too; the limit also keeps a
    // recursive parser's stack bounded.
    static constexpr size_t kMaxDepth = 1000;

    // A value longer than max_value_bytes is an error (a peer cannot make
    // us buffer without bound).
    explicit JsonFramer(size_t max_value_bytes) : max_(max_value_bytes) {}

    // Consumes all of data; each value it completes is appended to values.
    // A top-level value must be an object or an array (as in OVS), with
    // any JSON whitespace between values. After an error the framer stays
    // failed: a byte stream cannot be resynchronised after bad JSON.
    Status feed(std::string_view data, std::vector<std::string>& values);

    enum class ErrorKind { None, Syntax, TooLong, TooDeep };
    bool failed() const { return failed_; }
    ErrorKind error_kind() const { return kind_; }
    // Bytes of a value begun but not complete.
    size_t pending_bytes() const { return cur_.size(); }
    // Bytes consumed since the start of the stream.
    uint64_t offset() const { return offset_; }

private:
    enum class State { Between, Value, String, Escape };
    Status fail(uint64_t at, ErrorKind kind, std::string_view what);

    size_t max_;
    State state_ = State::Between;
    std::string open_;  // the brackets open at this point, innermost last
    std::string cur_;
    uint64_t offset_ = 0;
    bool failed_ = false;
    ErrorKind kind_ = ErrorKind::None;
    std::string error_;
};

}  // namespace xvs
