// OVSDB column types (RFC 7047 section 3.2): an atomic key type with
// constraints, an optional value type (maps), and the allowed number of
// elements.
#pragma once

#include <cfloat>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ovsdb/atom.h"

namespace xvs::ovsdb {

enum class RefType : uint8_t { Strong, Weak };

struct BaseType {
    AtomicType type = AtomicType::Integer;
    // "enum": the allowed values, sorted and unique. A schema gives either
    // an enum or the range/length constraints of its type, never both.
    std::optional<std::vector<Atom>> enum_values;
    // Defaults mean "unconstrained".
    int64_t min_integer = INT64_MIN;
    int64_t max_integer = INT64_MAX;
    double min_real = -DBL_MAX;
    double max_real = DBL_MAX;
    // String lengths count UTF-8 characters, as OVS does.
    uint32_t min_length = 0;
    uint32_t max_length = UINT_MAX;
    // Non-empty for a reference to a row of that table (type uuid only).
    std::string ref_table;
    RefType ref_type = RefType::Strong;

    BaseType() = default;
    explicit BaseType(AtomicType t) : type(t) {}

    bool is_ref() const { return type == AtomicType::Uuid && !ref_table.empty(); }
    bool is_strong_ref() const { return is_ref() && ref_type == RefType::Strong; }
    bool is_weak_ref() const { return is_ref() && ref_type == RefType::Weak; }
    bool has_constraints() const;
    // The same atomic type with no enum, range, length or reference.
    BaseType unconstrained() const { return BaseType(type); }

    bool operator==(const BaseType&) const = default;
};

struct Type {
    static constexpr unsigned kUnlimited = UINT_MAX;

    BaseType key;
    std::optional<BaseType> value;  // present for maps
    unsigned n_min = 1;             // 0 or 1
    unsigned n_max = 1;             // >= 1, kUnlimited for "unlimited"

    Type() = default;
    explicit Type(BaseType k, unsigned min = 1, unsigned max = 1) : key(std::move(k)), n_min(min), n_max(max) {}

    bool is_map() const { return value.has_value(); }
    bool is_scalar() const { return !value && n_min == 1 && n_max == 1; }
    bool is_optional_scalar() const { return !value && n_min == 0 && n_max == 1; }
    bool is_set() const { return !value && !is_scalar(); }
    // More than one element possible: sets and maps proper.
    bool is_composite() const { return n_max > 1; }
    bool has_strong_refs() const { return key.is_strong_ref() || (value && value->is_strong_ref()); }
    bool has_weak_refs() const { return key.is_weak_ref() || (value && value->is_weak_ref()); }
    bool has_refs() const { return key.is_ref() || (value && value->is_ref()); }

    // "set of up to 4 strings", "map of (string, integer) pairs", ...
    std::string to_english() const;

    bool operator==(const Type&) const = default;
};

DbResult<BaseType> base_type_from_json(const Json& json);
Json base_type_to_json(const BaseType& base);
DbResult<Type> type_from_json(const Json& json);
Json type_to_json(const Type& type);

}  // namespace xvs::ovsdb
