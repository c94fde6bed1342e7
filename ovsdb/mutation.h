// Mutations (RFC 7047 section 5.1): [column, mutator, value] triples that
// change a column relative to its current value.
#pragma once

#include <string_view>
#include <vector>

#include "ovsdb/row.h"

namespace xvs::ovsdb {

// "+=", "-=", "*=", "/=", "%=", "insert", "delete".
enum class Mutator : uint8_t { Add, Sub, Mul, Div, Mod, Insert, Delete };

std::string_view mutator_name(Mutator m);

struct Mutation {
    size_t column = 0;
    Mutator mutator = Mutator::Add;
    Type arg_type;  // the column's type, relaxed as RFC 7047 allows for 'mutator'
    Datum arg;
};

DbResult<std::vector<Mutation>> mutations_from_json(const TableSchema& table, const Json& json,
                                                    const NameResolver* names = nullptr);

// Applies the mutations in order. Errors: "domain error" (division by
// zero), "range error" (overflow), "constraint violation" (a result that
// breaks the column's constraints or element count).
DbStatus apply_mutations(const TableSchema& table, Row& row, const std::vector<Mutation>& mutations);

}  // namespace xvs::ovsdb
