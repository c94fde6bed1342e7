// Parsing RFC 7047 JSON objects member by member (schemas, operations):
// required and optional members with their JSON kinds, and an error for
// members nobody asked for, so a typo in a schema or an operation is
// reported instead of ignored.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "ovsdb/error.h"

namespace xvs::ovsdb {

// <id>: [A-Za-z_][A-Za-z0-9_]* (RFC 7047 section 3.1).
bool is_id(std::string_view s);

class MemberParser {
public:
    // What a member may be; OR them together.
    enum Kind : unsigned {
        kString = 1u << 0,
        kId = 1u << 1,  // a string that is an <id>
        kObject = 1u << 2,
        kArray = 1u << 3,
        kInteger = 1u << 4,
        kNumber = 1u << 5,  // integer or real
        kBoolean = 1u << 6,
        kAny = 1u << 7,
        kOptional = 1u << 8,
    };

    // 'what' names the object in errors, e.g. "schema for column name".
    MemberParser(const Json& json, std::string what);

    // The member, or nullptr when absent (an error unless kOptional) or of
    // the wrong kind (an error).
    const Json* member(std::string_view name, unsigned kinds);
    // Records an error about this object (the first one wins).
    void fail(std::string message);

    bool failed() const { return error_.has_value(); }
    // The first error, if any.
    DbStatus status() const;
    // status(), plus an error for any member that member() was not asked for.
    DbStatus finish();

private:
    const Json* json_;
    std::string what_;
    std::set<std::string, std::less<>> used_;
    std::optional<DbError> error_;
};

}  // namespace xvs::ovsdb
