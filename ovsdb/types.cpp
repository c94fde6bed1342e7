#include "ovsdb/types.h"

#include "ovsdb/datum.h"
#include "ovsdb/json_parser.h"

namespace xvs::ovsdb {

bool BaseType::has_constraints() const {
    return enum_values.has_value() || min_integer != INT64_MIN || max_integer != INT64_MAX || min_real != -DBL_MAX ||
           max_real != DBL_MAX || min_length != 0 || max_length != UINT_MAX || !ref_table.empty();
}

std::string Type::to_english() const {
    std::string key_name(atomic_type_name(key.type));
    if (is_scalar()) return key_name;
    std::string s = is_map() ? "map" : "set";
    if (n_max == kUnlimited) {
        s += n_min ? fmt::format(" of {} or more", n_min) : std::string(" of");
    } else if (n_min) {
        s += fmt::format(" of {} to {}", n_min, n_max);
    } else {
        s += fmt::format(" of up to {}", n_max);
    }
    if (is_map()) return s + fmt::format(" ({}, {}) pairs", key_name, atomic_type_name(value->type));
    return s + " " + key_name + "s";
}

namespace {

DbStatus parse_length(MemberParser& p, const char* name, uint32_t& out) {
    const Json* j = p.member(name, MemberParser::kInteger | MemberParser::kOptional);
    if (!j) return p.status();
    if (j->is_number_unsigned() ? j->get<uint64_t>() > UINT_MAX : j->get<int64_t>() < 0)
        return syntax_error(*j, "{} out of valid range 0 to {}", name, UINT_MAX);
    out = static_cast<uint32_t>(j->get<int64_t>());
    return {};
}

// The constraints a base type object may carry, by atomic type.
DbStatus parse_constraints(MemberParser& p, const Json& json, BaseType& base) {
    using K = MemberParser;
    if (const Json* e = p.member("enum", K::kAny | K::kOptional)) {
        // An enum is a set of atoms of the base type, of any size.
        auto values = datum_from_json(Type(BaseType(base.type), 0, Type::kUnlimited), *e);
        if (!values) return values.error();
        base.enum_values = std::move(values->keys);
        return {};
    }
    switch (base.type) {
        case AtomicType::Integer: {
            const Json* min = p.member("minInteger", K::kInteger | K::kOptional);
            const Json* max = p.member("maxInteger", K::kInteger | K::kOptional);
            for (const Json* j : {min, max})
                if (j && j->is_number_unsigned() && j->get<uint64_t>() > uint64_t(INT64_MAX))
                    return syntax_error(*j, "integer out of range");
            if (min) base.min_integer = min->get<int64_t>();
            if (max) base.max_integer = max->get<int64_t>();
            if (base.min_integer > base.max_integer) return syntax_error(json, "minInteger exceeds maxInteger");
            break;
        }
        case AtomicType::Real: {
            const Json* min = p.member("minReal", K::kNumber | K::kOptional);
            const Json* max = p.member("maxReal", K::kNumber | K::kOptional);
            if (min) base.min_real = min->get<double>();
            if (max) base.max_real = max->get<double>();
            if (base.min_real > base.max_real) return syntax_error(json, "minReal exceeds maxReal");
            break;
        }
        case AtomicType::String: {
            if (auto s = parse_length(p, "minLength", base.min_length); !s) return s;
            if (auto s = parse_length(p, "maxLength", base.max_length); !s) return s;
            if (base.min_length > base.max_length) return syntax_error(json, "minLength exceeds maxLength");
            break;
        }
        case AtomicType::Uuid: {
            const Json* ref_table = p.member("refTable", K::kId | K::kOptional);
            if (!ref_table) break;
            base.ref_table = ref_table->get<std::string>();
            if (const Json* ref_type = p.member("refType", K::kId | K::kOptional)) {
                const auto& s = ref_type->get_ref<const std::string&>();
                if (s == "weak") {
                    base.ref_type = RefType::Weak;
                } else if (s != "strong") {
                    return syntax_error(json, "refType must be \"strong\" or \"weak\" (not \"{}\")", s);
                }
            }
            break;
        }
        case AtomicType::Boolean:
            break;
    }
    return p.status();
}

DbResult<AtomicType> atomic_type_from_json(const Json& json) {
    if (json.is_string())
        if (auto t = atomic_type_from_name(json.get_ref<const std::string&>())) return *t;
    return syntax_error(json, "Unknown atomic type {}", json.dump());
}

DbResult<unsigned> count_from_json(const Json* json, unsigned dflt) {
    if (!json) return dflt;
    if (json->is_number_integer() && !json->is_number_unsigned() && json->get<int64_t>() < 0)
        return syntax_error(*json, "bad min or max value");
    if (json->is_number_integer() && json->get<uint64_t>() < UINT_MAX) return json->get<unsigned>();
    return syntax_error(*json, "bad min or max value");
}

}  // namespace

DbResult<BaseType> base_type_from_json(const Json& json) {
    if (json.is_string()) {
        auto t = atomic_type_from_json(json);
        if (!t) return t.error();
        return BaseType(*t);
    }
    MemberParser p(json, "ovsdb type");
    const Json* type = p.member("type", MemberParser::kString);
    if (p.failed()) return p.status().error();
    auto t = atomic_type_from_json(*type);
    if (!t) return t.error();
    BaseType base(*t);
    if (auto s = parse_constraints(p, json, base); !s) return s.error();
    if (auto s = p.finish(); !s) return s.error();
    return base;
}

Json base_type_to_json(const BaseType& base) {
    std::string name(atomic_type_name(base.type));
    if (!base.has_constraints()) return name;
    Json j = {{"type", name}};
    if (base.enum_values) {
        Type enum_type(BaseType(base.type), 0, Type::kUnlimited);
        j["enum"] = datum_to_json(Datum{*base.enum_values, {}}, enum_type);
    }
    if (base.min_integer != INT64_MIN) j["minInteger"] = base.min_integer;
    if (base.max_integer != INT64_MAX) j["maxInteger"] = base.max_integer;
    if (base.min_real != -DBL_MAX) j["minReal"] = base.min_real;
    if (base.max_real != DBL_MAX) j["maxReal"] = base.max_real;
    if (base.min_length != 0) j["minLength"] = base.min_length;
    if (base.max_length != UINT_MAX) j["maxLength"] = base.max_length;
    if (!base.ref_table.empty()) {
        j["refTable"] = base.ref_table;
        if (base.ref_type == RefType::Weak) j["refType"] = "weak";
    }
    return j;
}

DbResult<Type> type_from_json(const Json& json) {
    Type type;
    if (json.is_string()) {
        auto base = base_type_from_json(json);
        if (!base) return base.error();
        type.key = std::move(*base);
        return type;
    }
    if (!json.is_object()) return syntax_error(json, "ovsdb type expected");
    using K = MemberParser;
    MemberParser p(json, "ovsdb type");
    const Json* key = p.member("key", K::kString | K::kObject);
    const Json* value = p.member("value", K::kString | K::kObject | K::kOptional);
    const Json* min = p.member("min", K::kInteger | K::kOptional);
    const Json* max = p.member("max", K::kInteger | K::kString | K::kOptional);
    if (auto s = p.finish(); !s) return s.error();

    auto key_type = base_type_from_json(*key);
    if (!key_type) return key_type.error();
    type.key = std::move(*key_type);
    if (value) {
        auto value_type = base_type_from_json(*value);
        if (!value_type) return value_type.error();
        type.value = std::move(*value_type);
    }
    auto n_min = count_from_json(min, 1);
    if (!n_min) return n_min.error();
    type.n_min = *n_min;
    if (max && max->is_string()) {
        if (max->get_ref<const std::string&>() != "unlimited") return syntax_error(*max, "bad min or max value");
        type.n_max = Type::kUnlimited;
    } else {
        auto n_max = count_from_json(max, 1);
        if (!n_max) return n_max.error();
        type.n_max = *n_max;
    }
    if (type.n_min > 1 || type.n_max < 1 || type.n_min > type.n_max)
        return syntax_error(json, "ovsdb type fails constraint checks (min must be 0 or 1, max at least 1)");
    return type;
}

Json type_to_json(const Type& type) {
    if (type.is_scalar() && !type.key.has_constraints()) return base_type_to_json(type.key);
    Json j = {{"key", base_type_to_json(type.key)}};
    if (type.value) j["value"] = base_type_to_json(*type.value);
    if (type.n_min != 1) j["min"] = type.n_min;
    if (type.n_max == Type::kUnlimited) {
        j["max"] = "unlimited";
    } else if (type.n_max != 1) {
        j["max"] = type.n_max;
    }
    return j;
}

}  // namespace xvs::ovsdb
