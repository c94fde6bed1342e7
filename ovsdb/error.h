// OVSDB errors: RFC 7047 error objects ({"error": <tag>, "details": ...}).
//
// The database layer reports errors the way the protocol does, with a tag
// a client can switch on ("constraint violation", "syntax error", ...) and
// details a person can act on. xvs::Result carries only a message, so this
// layer has its own result type; `to_status()` bridges to xvs::Status.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "util/result.h"

namespace xvs::ovsdb {

using Json = nlohmann::json;

// The error names of RFC 7047 (sections 3.1, 4.1.3 and 5.2), plus those
// Open vSwitch adds ("duplicate uuid", "unknown column", ...).
namespace tag {
inline constexpr const char* kSyntax = "syntax error";
inline constexpr const char* kConstraint = "constraint violation";
inline constexpr const char* kRefIntegrity = "referential integrity violation";
inline constexpr const char* kResources = "resources exhausted";
inline constexpr const char* kIo = "I/O error";
inline constexpr const char* kDuplicateUuidName = "duplicate uuid-name";
inline constexpr const char* kDuplicateUuid = "duplicate uuid";
inline constexpr const char* kDomain = "domain error";
inline constexpr const char* kRange = "range error";
inline constexpr const char* kTimedOut = "timed out";
inline constexpr const char* kNotSupported = "not supported";
inline constexpr const char* kAborted = "aborted";
inline constexpr const char* kNotOwner = "not owner";
inline constexpr const char* kUnknownDatabase = "unknown database";
inline constexpr const char* kUnknownColumn = "unknown column";
inline constexpr const char* kUnknownFunction = "unknown function";
inline constexpr const char* kUnknownMutator = "unknown mutator";
inline constexpr const char* kNotAllowed = "not allowed";
}  // namespace tag

struct DbError {
    std::string tag;
    std::string details;
    // The JSON the error is about, for syntax errors (OVS's "syntax" member).
    std::optional<Json> syntax;

    Json to_json() const;
    // "tag: details", for logs and command-line tools.
    std::string to_string() const;
};

template <typename... Args>
[[nodiscard]] DbError db_error(const char* tag, fmt::format_string<Args...> f, Args&&... args) {
    return DbError{tag, fmt::format(f, std::forward<Args>(args)...), std::nullopt};
}

// A "syntax error" (or another tag) that quotes the offending JSON.
template <typename... Args>
[[nodiscard]] DbError syntax_error(const Json& where, fmt::format_string<Args...> f, Args&&... args) {
    return DbError{tag::kSyntax, fmt::format(f, std::forward<Args>(args)...), where};
}

inline std::string describe(const DbError& e) { return e.to_string(); }

// xvs::BasicResult with an RFC 7047 error object.
template <typename T>
using DbResult = BasicResult<T, DbError>;
using DbStatus = DbResult<void>;

}  // namespace xvs::ovsdb
