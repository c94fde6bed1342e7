#include "ovsdb/datum.h"

#include <algorithm>
#include <numeric>

#include "ovsdb/json_parser.h"

namespace xvs::ovsdb {

// ---- Datum ----

Datum Datum::default_for(const Type& type) {
    Datum d;
    if (type.n_min == 0) return d;
    d.keys.push_back(default_atom(type.key.type));
    if (type.value) d.values.push_back(default_atom(type.value->type));
    return d;
}

std::optional<size_t> Datum::find_key(const Atom& key) const {
    auto it = std::lower_bound(keys.begin(), keys.end(), key,
                               [](const Atom& a, const Atom& b) { return compare_atoms(a, b) < 0; });
    if (it == keys.end() || compare_atoms(*it, key) != 0) return std::nullopt;
    return static_cast<size_t>(it - keys.begin());
}

bool Datum::contains_element_of(const Datum& other, size_t i) const {
    auto j = find_key(other.keys[i]);
    if (!j) return false;
    return !other.is_map() || (is_map() && compare_atoms(values[*j], other.values[i]) == 0);
}

bool Datum::insert(Atom key, std::optional<Atom> value) {
    auto it = std::lower_bound(keys.begin(), keys.end(), key,
                               [](const Atom& a, const Atom& b) { return compare_atoms(a, b) < 0; });
    if (it != keys.end() && compare_atoms(*it, key) == 0) return false;
    size_t pos = static_cast<size_t>(it - keys.begin());
    keys.insert(it, std::move(key));
    if (value) values.insert(values.begin() + static_cast<ptrdiff_t>(pos), std::move(*value));
    return true;
}

void Datum::erase_at(size_t i) {
    keys.erase(keys.begin() + static_cast<ptrdiff_t>(i));
    if (!values.empty()) values.erase(values.begin() + static_cast<ptrdiff_t>(i));
}

bool Datum::sort_checking_duplicates() {
    std::vector<size_t> order(keys.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return compare_atoms(keys[a], keys[b]) < 0; });
    for (size_t i = 1; i < order.size(); i++)
        if (compare_atoms(keys[order[i - 1]], keys[order[i]]) == 0) return false;
    std::vector<Atom> k, v;
    k.reserve(keys.size());
    v.reserve(values.size());
    for (size_t i : order) {
        k.push_back(std::move(keys[i]));
        if (!values.empty()) v.push_back(std::move(values[i]));
    }
    keys = std::move(k);
    values = std::move(v);
    return true;
}

bool Datum::operator==(const Datum& other) const {
    return compare_datums(*this, other) == 0;
}

int compare_datums(const Datum& a, const Datum& b) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    for (size_t i = 0; i < a.size(); i++)
        if (int c = compare_atoms(a.keys[i], b.keys[i])) return c;
    if (a.values.size() != b.values.size()) return a.values.size() < b.values.size() ? -1 : 1;
    for (size_t i = 0; i < a.values.size(); i++)
        if (int c = compare_atoms(a.values[i], b.values[i])) return c;
    return 0;
}

// ---- JSON ----

namespace {

// [<name>, <value>], where value must satisfy 'ok'.
template <typename Pred>
const Json* unwrap(const Json& json, const char* name, Pred ok) {
    if (json.is_array() && json.size() == 2 && json[0].is_string() && json[0].get_ref<const std::string&>() == name &&
        ok(json[1]))
        return &json[1];
    return nullptr;
}

DbResult<Atom> uuid_from_json(const Json& json, const NameResolver* names) {
    auto is_string = [](const Json& j) { return j.is_string(); };
    if (const Json* s = unwrap(json, "uuid", is_string)) {
        auto u = Uuid::parse(s->get_ref<const std::string&>());
        if (!u) return syntax_error(json, "\"{}\" is not a valid UUID", s->get_ref<const std::string&>());
        return Atom(*u);
    }
    if (names) {
        if (const Json* s = unwrap(json, "named-uuid", is_string)) {
            const auto& name = s->get_ref<const std::string&>();
            if (!is_id(name)) return syntax_error(json, "named-uuid string is not a valid <id>");
            auto u = (*names)(name);
            if (!u) return u.error();
            return Atom(*u);
        }
    }
    return syntax_error(json, "expected [\"uuid\", <string>]{}", names ? " or [\"named-uuid\", <id>]" : "");
}

DbResult<Atom> atom_from_json_unchecked(AtomicType type, const Json& json, const NameResolver* names) {
    switch (type) {
        case AtomicType::Integer:
            if (json.is_number_integer()) {
                if (json.is_number_unsigned() && json.get<uint64_t>() > uint64_t(INT64_MAX))
                    return syntax_error(json, "integer {} is out of range", json.dump());
                return Atom(json.get<int64_t>());
            }
            break;
        case AtomicType::Real:
            if (json.is_number()) return Atom(json.get<double>());
            break;
        case AtomicType::Boolean:
            if (json.is_boolean()) return Atom(json.get<bool>());
            break;
        case AtomicType::String:
            if (json.is_string()) return Atom(json.get<std::string>());
            break;
        case AtomicType::Uuid:
            return uuid_from_json(json, names);
    }
    return syntax_error(json, "expected {}", atomic_type_name(type));
}

}  // namespace

DbResult<Atom> atom_from_json(const BaseType& base, const Json& json, const NameResolver* names) {
    auto atom = atom_from_json_unchecked(base.type, json, names);
    if (!atom) return atom;
    if (auto s = check_atom_constraints(*atom, base); !s) return s.error();
    return atom;
}

namespace {

DbResult<Datum> parse_elements(const Type& type, const Json& json, const Json& inner, const NameResolver* names) {
    const char* cls = type.is_map() ? "map" : "set";
    size_t n = inner.size();
    if (n < type.n_min || n > type.n_max) {
        if (type.n_min == 1 && type.n_max == 1)
            return syntax_error(json, "{} must have exactly one member but {} are present", cls, n);
        return syntax_error(json, "{} must have {} to {} members but {} are present", cls, type.n_min, type.n_max, n);
    }
    Datum d;
    d.keys.reserve(n);
    for (const Json& element : inner) {
        const Json* key = &element;
        const Json* value = nullptr;
        if (type.is_map()) {
            if (!element.is_array() || element.size() != 2) return syntax_error(element, "expected 2-element array");
            key = &element[0];
            value = &element[1];
        }
        auto k = atom_from_json(type.key, *key, names);
        if (!k) return k.error();
        d.keys.push_back(std::move(*k));
        if (value) {
            auto v = atom_from_json(*type.value, *value, names);
            if (!v) return v.error();
            d.values.push_back(std::move(*v));
        }
    }
    if (!d.sort_checking_duplicates())
        return syntax_error(json, "{}", type.is_map() ? "map contains duplicate key" : "set contains duplicate");
    return d;
}

}  // namespace

DbResult<Datum> datum_from_json(const Type& type, const Json& json, const NameResolver* names) {
    bool wrapped =
        json.is_array() && !json.empty() && json[0].is_string() && json[0].get_ref<const std::string&>() == "set";
    if (type.is_map() || wrapped) {
        const char* cls = type.is_map() ? "map" : "set";
        const Json* inner = unwrap(json, cls, [](const Json& j) { return j.is_array(); });
        if (!inner) return syntax_error(json, "expected [\"{}\", <array>]", cls);
        return parse_elements(type, json, *inner, names);
    }
    auto atom = atom_from_json(type.key, json, names);
    if (!atom) return atom.error();
    return Datum::scalar(std::move(*atom));
}

Json datum_to_json(const Datum& datum, const Type& type) {
    if (type.is_map()) {
        Json pairs = Json::array();
        for (size_t i = 0; i < datum.size(); i++)
            pairs.push_back(Json::array({atom_to_json(datum.keys[i]), atom_to_json(datum.values[i])}));
        return Json::array({"map", std::move(pairs)});
    }
    if (datum.size() == 1) return atom_to_json(datum.keys[0]);
    Json elements = Json::array();
    for (const Atom& a : datum.keys) elements.push_back(atom_to_json(a));
    return Json::array({"set", std::move(elements)});
}

// ---- Constraints ----

std::optional<size_t> utf8_length(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); n++) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + len > s.size()) return std::nullopt;
        for (size_t j = 1; j < len; j++) {
            auto cc = static_cast<unsigned char>(s[i + j]);
            if ((cc & 0xc0) != 0x80) return std::nullopt;
            cp = cp << 6 | (cc & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
        i += len;
    }
    return n;
}

namespace {

std::string enum_list(const std::vector<Atom>& values) {
    std::string s;
    for (const Atom& a : values) s += (s.empty() ? "" : ", ") + atom_to_json(a).dump();
    return values.size() == 1 ? s : "[" + s + "]";
}

DbStatus check_range(const Atom& atom, const BaseType& base) {
    if (atom_type(atom) == AtomicType::Integer) {
        int64_t v = std::get<int64_t>(atom);
        if (v >= base.min_integer && v <= base.max_integer) return {};
        if (base.min_integer != INT64_MIN && base.max_integer != INT64_MAX)
            return db_error(tag::kConstraint, "{} is not in the valid range {} to {} (inclusive)", v, base.min_integer,
                            base.max_integer);
        if (base.min_integer != INT64_MIN)
            return db_error(tag::kConstraint, "{} is less than minimum allowed value {}", v, base.min_integer);
        return db_error(tag::kConstraint, "{} is greater than maximum allowed value {}", v, base.max_integer);
    }
    double v = std::get<double>(atom);
    if (v >= base.min_real && v <= base.max_real) return {};
    if (base.min_real != -DBL_MAX && base.max_real != DBL_MAX)
        return db_error(tag::kConstraint, "{} is not in the valid range {} to {} (inclusive)", v, base.min_real,
                        base.max_real);
    if (base.min_real != -DBL_MAX)
        return db_error(tag::kConstraint, "{} is less than minimum allowed value {}", v, base.min_real);
    return db_error(tag::kConstraint, "{} is greater than maximum allowed value {}", v, base.max_real);
}

}  // namespace

DbStatus check_atom_constraints(const Atom& atom, const BaseType& base) {
    if (atom_type(atom) != base.type)
        return db_error(tag::kConstraint, "{} is not of type {}", atom_to_json(atom).dump(),
                        atomic_type_name(base.type));
    if (base.enum_values) {
        bool found = std::any_of(base.enum_values->begin(), base.enum_values->end(),
                                 [&](const Atom& a) { return compare_atoms(a, atom) == 0; });
        if (!found)
            return db_error(tag::kConstraint, "{} is not one of the allowed values ({})", atom_to_json(atom).dump(),
                            enum_list(*base.enum_values));
        return {};
    }
    switch (base.type) {
        case AtomicType::Integer:
        case AtomicType::Real:
            return check_range(atom, base);
        case AtomicType::String: {
            const auto& s = std::get<std::string>(atom);
            auto n = utf8_length(s);
            if (!n) return db_error(tag::kConstraint, "not a valid UTF-8 string");
            if (*n < base.min_length)
                return db_error(tag::kConstraint, "\"{}\" length {} is less than minimum allowed length {}", s, *n,
                                base.min_length);
            if (*n > base.max_length)
                return db_error(tag::kConstraint, "\"{}\" length {} is greater than maximum allowed length {}", s, *n,
                                base.max_length);
            return {};
        }
        case AtomicType::Boolean:
        case AtomicType::Uuid:
            // References are checked when the transaction commits.
            return {};
    }
    return {};
}

DbStatus check_datum(const Datum& datum, const Type& type) {
    if (datum.size() < type.n_min || datum.size() > type.n_max)
        return db_error(tag::kConstraint, "{} elements do not fit a {}", datum.size(), type.to_english());
    if (type.is_map() != datum.is_map() && !datum.empty())
        return db_error(tag::kConstraint, "{} given for a {}", datum.is_map() ? "map" : "set", type.to_english());
    for (const Atom& a : datum.keys)
        if (auto s = check_atom_constraints(a, type.key); !s) return s;
    if (type.value)
        for (const Atom& a : datum.values)
            if (auto s = check_atom_constraints(a, *type.value); !s) return s;
    return {};
}

bool datum_is_default(const Datum& datum, const Type& type) {
    return datum == Datum::default_for(type);
}

// ---- Diffs and set algebra ----

Datum datum_diff(const Datum& old, const Datum& next, const Type& type) {
    if (!type.is_composite()) return next;
    Datum diff;
    bool map = type.is_map();
    auto take = [&](const Datum& from, size_t i) {
        diff.keys.push_back(from.keys[i]);
        if (map) diff.values.push_back(from.values[i]);
    };
    size_t o = 0, n = 0;
    while (o < old.size() && n < next.size()) {
        int c = compare_atoms(old.keys[o], next.keys[n]);
        if (c < 0) {
            take(old, o++);
        } else if (c > 0) {
            take(next, n++);
        } else {
            if (map && compare_atoms(old.values[o], next.values[n]) != 0) take(next, n);
            o++, n++;
        }
    }
    while (o < old.size()) take(old, o++);
    while (n < next.size()) take(next, n++);
    return diff;
}

DbResult<Datum> datum_apply_diff(const Datum& old, const Datum& diff, const Type& type) {
    if (!type.is_composite()) return diff;
    Datum result = old;
    for (size_t i = 0; i < diff.size(); i++) {
        auto j = result.find_key(diff.keys[i]);
        if (!j) {
            result.insert(diff.keys[i], type.is_map() ? std::optional<Atom>(diff.values[i]) : std::nullopt);
        } else if (type.is_map() && compare_atoms(result.values[*j], diff.values[i]) != 0) {
            result.values[*j] = diff.values[i];
        } else {
            result.erase_at(*j);
        }
    }
    if (result.size() < type.n_min || result.size() > type.n_max)
        return db_error(tag::kConstraint, "applying a diff leaves {} elements in a {}", result.size(),
                        type.to_english());
    return result;
}

bool datum_includes_all(const Datum& a, const Datum& b) {
    for (size_t i = 0; i < a.size(); i++)
        if (!b.contains_element_of(a, i)) return false;
    return true;
}

bool datum_excludes_all(const Datum& a, const Datum& b) {
    for (size_t i = 0; i < a.size(); i++)
        if (b.contains_element_of(a, i)) return false;
    return true;
}

void datum_union(Datum& dst, const Datum& src) {
    bool map = !dst.values.empty() || !src.values.empty();
    for (size_t i = 0; i < src.size(); i++)
        dst.insert(src.keys[i], map ? std::optional<Atom>(src.values[i]) : std::nullopt);
}

void datum_subtract(Datum& dst, const Datum& src) {
    for (size_t i = 0; i < src.size(); i++) {
        auto j = dst.find_key(src.keys[i]);
        if (!j) continue;
        if (src.is_map() && (!dst.is_map() || compare_atoms(dst.values[*j], src.values[i]) != 0)) continue;
        dst.erase_at(*j);
    }
}

DbResult<Datum> datum_convert(const Datum& datum, const Type& from, const Type& to) {
    // Going through the JSON notation accepts exactly what a client could
    // have stored in the new column: integers become reals, a one-element
    // set becomes a scalar, and anything else is reported.
    return datum_from_json(to, datum_to_json(datum, from));
}

}  // namespace xvs::ovsdb
