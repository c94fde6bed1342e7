// Recoverable errors: a value or an error a user can act on.
//
// BasicResult<T, E> is the one result shape of the code base (like
// std::expected, which our C++20 toolchain lacks); a layer picks its error
// type: Result<T> carries a message (xvs::Error), the OVSDB layer's
// DbResult<T> carries an RFC 7047 error object. describe(E) turns an error
// into text, found by argument-dependent lookup.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace xvs {

struct Error {
    std::string message;
};

inline std::string describe(const Error& e) { return e.message; }

template <typename... Args>
[[nodiscard]] Error make_error(fmt::format_string<Args...> f, Args&&... args) {
    return Error{fmt::format(f, std::forward<Args>(args)...)};
}

template <typename T, typename E>
class [[nodiscard]] BasicResult;

template <typename T>
using Result = BasicResult<T, Error>;
using Status = BasicResult<void, Error>;

template <typename T, typename E>
class [[nodiscard]] BasicResult {
public:
    BasicResult(T value) : v_(std::move(value)) {}
    BasicResult(E error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const { return std::get<1>(v_); }
    std::string message() const { return describe(error()); }
    BasicResult<void, Error> to_status() const;

private:
    std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] BasicResult<void, E> {
public:
    BasicResult() = default;
    BasicResult(E error) : err_(std::move(error)) {}

    bool ok() const { return !err_; }
    explicit operator bool() const { return ok(); }
    const E& error() const { return *err_; }
    std::string message() const { return describe(*err_); }
    BasicResult<void, Error> to_status() const { return ok() ? Status{} : Status{Error{message()}}; }

private:
    std::optional<E> err_;
};

template <typename T, typename E>
BasicResult<void, Error> BasicResult<T, E>::to_status() const {
    return ok() ? Status{} : Status{Error{message()}};
}

}  // namespace xvs
