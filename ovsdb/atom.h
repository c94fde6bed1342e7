// OVSDB atoms: the scalar values of RFC 7047 section 5.1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "ovsdb/error.h"
#include "ovsdb/uuid.h"

namespace xvs::ovsdb {

// The alternatives are in AtomicType order, so atom.index() is its type.
enum class AtomicType : uint8_t { Integer, Real, Boolean, String, Uuid };
using Atom = std::variant<int64_t, double, bool, std::string, Uuid>;

inline AtomicType atom_type(const Atom& a) {
    return static_cast<AtomicType>(a.index());
}
std::string_view atomic_type_name(AtomicType t);
std::optional<AtomicType> atomic_type_from_name(std::string_view name);

// Three-way comparison of two atoms of the same type, in OVSDB's order:
// numbers numerically, false < true, strings bytewise (as strcmp), UUIDs by
// their text. Sets and maps are kept sorted in this order.
int compare_atoms(const Atom& a, const Atom& b);

// The default atom of a type (RFC 7047 section 5.2.1): 0, 0.0, false, "",
// and the all-zeros UUID.
Atom default_atom(AtomicType t);

// <atom> JSON: numbers, booleans, strings, ["uuid", "..."].
Json atom_to_json(const Atom& a);
// A short human-readable form (strings unquoted), for error messages.
std::string atom_to_string(const Atom& a);

}  // namespace xvs::ovsdb
