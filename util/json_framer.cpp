#include "util/json_framer.h"

namespace xvs {

Status JsonFramer::fail(uint64_t at, ErrorKind kind, std::string_view what) {
    failed_ = true;
    kind_ = kind;
    error_ = fmt::format("byte {}: {}", at, what);
    cur_.clear();
    return Error{error_};
}

Status JsonFramer::feed(std::string_view data, std::vector<std::string>& values) {
    if (failed_) return Error{error_};
    size_t run = 0;  // start of the bytes of data not yet copied into cur_
    auto too_long = [&](size_t end) { return cur_.size() + (end - run) > max_; };

    for (size_t i = 0; i < data.size(); i++) {
        char c = data[i];
        switch (state_) {
            case State::Between:
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
                if (c != '{' && c != '[')
                    return fail(offset_ + i, ErrorKind::Syntax, "syntax error at beginning of input");
                state_ = State::Value;
                open_.assign(1, c);
                run = i;
                break;
            case State::Value:
                if (c == '"') {
                    state_ = State::String;
                } else if (c == '{' || c == '[') {
                    if (open_.size() >= kMaxDepth)
                        return fail(offset_ + i, ErrorKind::TooDeep,
                                    fmt::format("input exceeds maximum nesting depth {}", kMaxDepth));
                    open_.push_back(c);
                } else if (c == '}' || c == ']') {
                    if (open_.back() != (c == '}' ? '{' : '['))
                        return fail(offset_ + i, ErrorKind::Syntax, fmt::format("syntax error: unexpected '{}'", c));
                    open_.pop_back();
                    if (open_.empty()) {
                        if (too_long(i + 1))
                            return fail(offset_ + i, ErrorKind::TooLong,
                                        fmt::format("message longer than {} bytes", max_));
                        cur_.append(data.substr(run, i + 1 - run));
                        values.push_back(std::move(cur_));
                        cur_.clear();
                        state_ = State::Between;
                    }
                }
                break;
            case State::String:
                if (c == '\\') {
                    state_ = State::Escape;
                } else if (c == '"') {
                    state_ = State::Value;
                }
                break;
            case State::Escape:
                // Whatever follows a backslash cannot end the string; a bad
                // escape is the full parser's to reject.
                state_ = State::String;
                break;
        }
    }
    if (state_ != State::Between) {
        if (too_long(data.size()))
            return fail(offset_ + data.size(), ErrorKind::TooLong, fmt::format("message longer than {} bytes", max_));
        cur_.append(data.substr(run));
    }
    offset_ += data.size();
    return {};
}

}  // namespace xvs
