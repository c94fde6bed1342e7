#include "ovsdb/condition.h"

#include <array>

namespace xvs::ovsdb {

namespace {

constexpr std::array<std::string_view, 8> kFunctionNames = {"<", "<=", "==", "!=", ">=", ">", "includes", "excludes"};

bool is_inequality(Function f) {
    return f == Function::Lt || f == Function::Le || f == Function::Ge || f == Function::Gt;
}

// The type the argument of 'f' must have for a column of type 'column':
// RFC 7047 lets "includes" name fewer elements than the column's minimum
// and "excludes" any number.
DbResult<Type> argument_type(Function f, const ColumnSchema& column, const Json& json) {
    Type type = column.type;
    switch (f) {
        case Function::Lt:
        case Function::Le:
        case Function::Gt:
        case Function::Ge:
            if (!(type.is_scalar() || type.is_optional_scalar()) ||
                (type.key.type != AtomicType::Integer && type.key.type != AtomicType::Real))
                return syntax_error(json, "Type mismatch: \"{}\" operator may not be applied to column {} of type {}.",
                                    function_name(f), column.name, type.to_english());
            type.n_min = 1;  // compared against exactly one number
            break;
        case Function::Includes:
            if (!type.is_scalar()) type.n_min = 0;
            break;
        case Function::Excludes:
            if (!type.is_scalar()) type.n_min = 0, type.n_max = Type::kUnlimited;
            break;
        default:
            break;
    }
    return type;
}

DbResult<Clause> clause_from_json(const TableSchema& table, const Json& json, const NameResolver* names) {
    if (json.is_boolean()) return Clause{json.get<bool>() ? Function::True : Function::False, kUuidColumn, {}};
    auto col = triple_column(table, json, "condition");
    if (!col) return col.error();
    const ColumnSchema* column = *col;
    auto index = triple_operator(json, kFunctionNames, tag::kUnknownFunction, "function");
    if (!index) return index.error();
    std::optional<Function> f = static_cast<Function>(*index);
    auto type = argument_type(*f, *column, json);
    if (!type) return type.error();
    auto arg = datum_from_json(*type, json[2], names);
    if (!arg) return arg.error();
    return Clause{*f, column->index, std::move(*arg)};
}

}  // namespace

std::string_view function_name(Function f) {
    if (f == Function::True) return "true";
    if (f == Function::False) return "false";
    return kFunctionNames[static_cast<size_t>(f)];
}

bool evaluate_clause(const Clause& c, const TableSchema& table, const Row& row) {
    if (c.function == Function::True) return true;
    if (c.function == Function::False) return false;
    const Type& type = table.columns[c.column].type;
    const Datum& field = row.fields[c.column];
    const Datum& arg = c.arg;
    bool single = type.is_scalar() || type.is_optional_scalar();
    // An absent optional number is neither less nor greater than anything.
    if (single && field.empty() && is_inequality(c.function)) return false;
    if (single && field.size() == 1 && arg.size() == 1) {
        int cmp = compare_atoms(field.keys[0], arg.keys[0]);
        switch (c.function) {
            case Function::Lt:
                return cmp < 0;
            case Function::Le:
                return cmp <= 0;
            case Function::Eq:
            case Function::Includes:
                return cmp == 0;
            case Function::Ne:
            case Function::Excludes:
                return cmp != 0;
            case Function::Ge:
                return cmp >= 0;
            case Function::Gt:
                return cmp > 0;
            default:
                return false;
        }
    }
    switch (c.function) {
        case Function::Eq:
            return field == arg;
        case Function::Ne:
            return !(field == arg);
        case Function::Includes:
            return datum_includes_all(arg, field);
        case Function::Excludes:
            return datum_excludes_all(arg, field);
        default:
            return false;
    }
}

bool Condition::matches_all(const TableSchema& table, const Row& row) const {
    for (const Clause& c : clauses)
        if (!evaluate_clause(c, table, row)) return false;
    return true;
}

bool Condition::matches_any(const TableSchema& table, const Row& row) const {
    for (const Clause& c : clauses)
        if (evaluate_clause(c, table, row)) return true;
    return false;
}

std::optional<Uuid> Condition::pinned_uuid() const {
    for (const Clause& c : clauses)
        if (c.column == kUuidColumn && c.function == Function::Eq && c.arg.size() == 1)
            return std::get<Uuid>(c.arg.keys[0]);
    return std::nullopt;
}

Json Condition::to_json(const TableSchema& table) const {
    Json j = Json::array();
    for (const Clause& c : clauses) {
        if (c.function == Function::True || c.function == Function::False) {
            j.push_back(c.function == Function::True);
            continue;
        }
        const ColumnSchema& column = table.columns[c.column];
        j.push_back(Json::array({column.name, function_name(c.function), datum_to_json(c.arg, column.type)}));
    }
    return j;
}

DbResult<Condition> condition_from_json(const TableSchema& table, const Json& json, const NameResolver* names) {
    if (!json.is_array()) return syntax_error(json, "array of conditions expected");
    Condition cond;
    for (const Json& clause : json) {
        auto c = clause_from_json(table, clause, names);
        if (!c) return c.error();
        cond.clauses.push_back(std::move(*c));
    }
    return cond;
}

}  // namespace xvs::ovsdb
