// Conditions ("where" clauses, RFC 7047 section 5.1): [column, function,
// value] triples, all of which a row must satisfy.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ovsdb/row.h"

namespace xvs::ovsdb {

// True and False are OVS's boolean clauses (`true`/`false` instead of a
// triple), which monitor_cond uses.
enum class Function : uint8_t { Lt, Le, Eq, Ne, Ge, Gt, Includes, Excludes, True, False };

std::string_view function_name(Function f);

struct Clause {
    Function function = Function::True;
    size_t column = kUuidColumn;
    Datum arg;
};

struct Condition {
    std::vector<Clause> clauses;

    // Every clause holds (an empty condition matches every row).
    bool matches_all(const TableSchema& table, const Row& row) const;
    // Some clause holds (monitor_cond's reading of a condition).
    bool matches_any(const TableSchema& table, const Row& row) const;
    // The UUID a "_uuid == <uuid>" clause pins the row to, which lets a
    // query look the row up instead of scanning the table.
    std::optional<Uuid> pinned_uuid() const;

    Json to_json(const TableSchema& table) const;
};

bool evaluate_clause(const Clause& clause, const TableSchema& table, const Row& row);

DbResult<Condition> condition_from_json(const TableSchema& table, const Json& json,
                                        const NameResolver* names = nullptr);

}  // namespace xvs::ovsdb
