// Recoverable errors: a value or a message a user can act on.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace xvs {

struct Error {
    std::string message;
};

template <typename... Args>
[[nodiscard]] Error make_error(fmt::format_string<Args...> f, Args&&... args) {
    return Error{fmt::format(f, std::forward<Args>(args)...)};
}

// Like std::expected<T, Error> (which our C++20 toolchain lacks).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(v_); }
    const std::string& message() const { return error().message; }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : err_(std::move(error)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return err_; }
    const std::string& message() const { return err_.message; }

private:
    Error err_;
    bool failed_ = false;
};

using Status = Result<void>;

}  // namespace xvs
