#include "ovsdb/mutation.h"

#include <array>
#include <cmath>

namespace xvs::ovsdb {

namespace {

constexpr std::array<std::string_view, 7> kMutatorNames = {"+=", "-=", "*=", "/=", "%=", "insert", "delete"};

bool is_arithmetic(Mutator m) {
    return m <= Mutator::Mod;
}

DbError type_mismatch(const Json& json, Mutator m, const ColumnSchema& column) {
    return syntax_error(json, "Type mismatch: \"{}\" operator may not be applied to column {} of type {}.",
                        mutator_name(m), column.name, column.type.to_english());
}

DbResult<Datum> parse_argument(const Json& json, Mutator m, const ColumnSchema& column, Type& arg_type,
                               const NameResolver* names) {
    const Type& type = column.type;
    arg_type = type;
    if (is_arithmetic(m)) {
        // Numbers and sets of numbers; the argument is one unconstrained
        // number, and the results are checked against the column.
        bool numeric = type.key.type == AtomicType::Integer || type.key.type == AtomicType::Real;
        if (type.is_map() || !numeric || (m == Mutator::Mod && type.key.type == AtomicType::Real))
            return type_mismatch(json, m, column);
        arg_type = Type(type.key.unconstrained());
        return datum_from_json(arg_type, json[2], names);
    }
    if (type.is_scalar()) return type_mismatch(json, m, column);
    arg_type.n_min = 0;
    if (m == Mutator::Delete) arg_type.n_max = Type::kUnlimited;
    auto arg = datum_from_json(arg_type, json[2], names);
    if (!arg && m == Mutator::Delete && type.is_map()) {
        // A map's elements may also be deleted by key alone: a set of keys.
        Type keys(type.key, 0, Type::kUnlimited);
        auto by_key = datum_from_json(keys, json[2], names);
        if (by_key) {
            arg_type = keys;
            return by_key;
        }
    }
    return arg;
}

DbResult<Mutation> mutation_from_json(const TableSchema& table, const Json& json, const NameResolver* names) {
    auto col = triple_column(table, json, "mutation");
    if (!col) return col.error();
    const ColumnSchema* column = *col;
    const std::string& column_name = column->name;
    if (!column->is_mutable) {
        DbError e = syntax_error(json, "Cannot mutate immutable column {} in table {}.", column_name, table.name);
        e.tag = tag::kConstraint;
        return e;
    }
    auto index = triple_operator(json, kMutatorNames, tag::kUnknownMutator, "mutator");
    if (!index) return index.error();
    std::optional<Mutator> m = static_cast<Mutator>(*index);
    Mutation mutation;
    mutation.column = column->index;
    mutation.mutator = *m;
    auto arg = parse_argument(json, *m, *column, mutation.arg_type, names);
    if (!arg) return arg.error();
    mutation.arg = std::move(*arg);
    return mutation;
}

DbStatus range_error(Mutator m) {
    return db_error(tag::kRange, "Result of \"{}\" operation is out of range.", mutator_name(m));
}

DbStatus mutate_integer(int64_t& x, int64_t y, Mutator m) {
    int64_t r = 0;
    switch (m) {
        case Mutator::Add:
            if (__builtin_add_overflow(x, y, &r)) return range_error(m);
            break;
        case Mutator::Sub:
            if (__builtin_sub_overflow(x, y, &r)) return range_error(m);
            break;
        case Mutator::Mul:
            if (__builtin_mul_overflow(x, y, &r)) return range_error(m);
            break;
        case Mutator::Div:
        case Mutator::Mod:
            if (y == 0) return db_error(tag::kDomain, "Division by zero.");
            if (x == INT64_MIN && y == -1) return range_error(m);
            r = m == Mutator::Div ? x / y : x % y;
            break;
        default:
            break;
    }
    x = r;
    return {};
}

DbStatus mutate_real(double& x, double y, Mutator m) {
    switch (m) {
        case Mutator::Add:
            x += y;
            break;
        case Mutator::Sub:
            x -= y;
            break;
        case Mutator::Mul:
            x *= y;
            break;
        case Mutator::Div:
            if (y == 0) return db_error(tag::kDomain, "Division by zero.");
            x /= y;
            break;
        default:
            break;
    }
    if (!(x >= -DBL_MAX && x <= DBL_MAX)) return range_error(m);
    return {};
}

DbStatus mutate_arithmetic(const ColumnSchema& column, Datum& dst, const Atom& arg, Mutator m) {
    for (Atom& a : dst.keys) {
        DbStatus s = column.type.key.type == AtomicType::Integer
                         ? mutate_integer(std::get<int64_t>(a), std::get<int64_t>(arg), m)
                         : mutate_real(std::get<double>(a), std::get<double>(arg), m);
        if (!s) return s;
        if (auto c = check_atom_constraints(a, column.type.key); !c) return c;
    }
    // "%=" or "*=" can map two elements of a set to one value.
    if (!dst.sort_checking_duplicates())
        return db_error(tag::kConstraint, "Result of \"{}\" operation contains duplicates.", mutator_name(m));
    return {};
}

DbStatus check_count(const Datum& dst, const ColumnSchema& column) {
    if (dst.size() < column.type.n_min || dst.size() > column.type.n_max)
        return db_error(tag::kConstraint, "Attempted to store {} elements in {}.", dst.size(),
                        column.type.to_english());
    return {};
}

}  // namespace

std::string_view mutator_name(Mutator m) {
    return kMutatorNames[static_cast<size_t>(m)];
}

DbResult<std::vector<Mutation>> mutations_from_json(const TableSchema& table, const Json& json,
                                                    const NameResolver* names) {
    if (!json.is_array()) return syntax_error(json, "array of mutations expected");
    std::vector<Mutation> out;
    for (const Json& m : json) {
        auto mutation = mutation_from_json(table, m, names);
        if (!mutation) return mutation.error();
        out.push_back(std::move(*mutation));
    }
    return out;
}

DbStatus apply_mutations(const TableSchema& table, Row& row, const std::vector<Mutation>& mutations) {
    for (const Mutation& m : mutations) {
        const ColumnSchema& column = table.columns[m.column];
        Datum& dst = row.fields[m.column];
        DbStatus s;
        if (is_arithmetic(m.mutator)) {
            s = mutate_arithmetic(column, dst, m.arg.keys[0], m.mutator);
        } else if (m.mutator == Mutator::Insert) {
            datum_union(dst, m.arg);
            s = check_count(dst, column);
        } else {
            datum_subtract(dst, m.arg);
            s = check_count(dst, column);
        }
        if (!s) return s;
    }
    return {};
}

}  // namespace xvs::ovsdb
