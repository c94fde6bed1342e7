// OVSDB data (RFC 7047 section 5.1): a datum is the value of one column of
// one row, a set of atoms or a map from atoms to atoms, kept sorted by key
// with unique keys. A scalar is a set of exactly one atom.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ovsdb/atom.h"
#include "ovsdb/types.h"

namespace xvs::ovsdb {

struct Datum {
    std::vector<Atom> keys;
    // Empty for sets; for maps, values[i] belongs to keys[i].
    std::vector<Atom> values;

    static Datum scalar(Atom a) { return Datum{{std::move(a)}, {}}; }
    // The default value of a column of this type (RFC 7047 section 5.2.1):
    // empty when it may be empty, otherwise one default atom (or pair).
    static Datum default_for(const Type& type);

    size_t size() const { return keys.size(); }
    bool empty() const { return keys.empty(); }
    bool is_map() const { return !values.empty(); }

    // The index of 'key', by binary search.
    std::optional<size_t> find_key(const Atom& key) const;
    // Whether element 'i' of 'other' is here: the key, and for a map also
    // the same value.
    bool contains_element_of(const Datum& other, size_t i) const;

    // Adds a key (and value, for maps) keeping the order; false if the key
    // was present, in which case nothing changes.
    bool insert(Atom key, std::optional<Atom> value = std::nullopt);
    void erase_at(size_t i);
    // Sorts by key; false if two keys are equal (which is left unsorted).
    bool sort_checking_duplicates();

    bool operator==(const Datum& other) const;
};

// Total order on datums (size, then keys, then values), for sorting rows
// and for unique indexes.
int compare_datums(const Datum& a, const Datum& b);
inline bool operator<(const Datum& a, const Datum& b) {
    return compare_datums(a, b) < 0;
}

// Resolves a <named-uuid> to the UUID of the row the transaction inserts
// under that name.
using NameResolver = std::function<DbResult<Uuid>(const std::string& name)>;

// Parses an atom and checks the base type's constraints (references are
// checked at commit, not here). Named UUIDs are accepted only with 'names'.
DbResult<Atom> atom_from_json(const BaseType& base, const Json& json, const NameResolver* names = nullptr);
// Parses a datum of 'type': ["set", [...]], ["map", [[k, v], ...]], or a
// single atom for a set; checks the element count and each atom's
// constraints. Callers relax 'type' where RFC 7047 allows other counts.
DbResult<Datum> datum_from_json(const Type& type, const Json& json, const NameResolver* names = nullptr);
// The RFC 7047 notation: a map as ["map", ...], a one-element set as its
// atom, anything else as ["set", ...].
Json datum_to_json(const Datum& datum, const Type& type);

DbStatus check_atom_constraints(const Atom& atom, const BaseType& base);
// Element count and every atom's constraints ("constraint violation").
DbStatus check_datum(const Datum& datum, const Type& type);
bool datum_is_default(const Datum& datum, const Type& type);

// The change from 'old' to 'next' as OVS writes it in update2 "modify" and
// in file records with "_is_diff": for sets and maps, the elements added or
// removed plus map pairs whose value changed (with the new value); for
// columns of at most one element, the new value itself.
Datum datum_diff(const Datum& old, const Datum& next, const Type& type);
// Applies datum_diff()'s output; fails if the result's size breaks 'type'.
DbResult<Datum> datum_apply_diff(const Datum& old, const Datum& diff, const Type& type);

// Every element of 'a' is in 'b' / no element of 'a' is in 'b' (elements of
// a map are key-value pairs).
bool datum_includes_all(const Datum& a, const Datum& b);
bool datum_excludes_all(const Datum& a, const Datum& b);
// Adds the elements of 'src' whose keys 'dst' lacks (a map keeps the value
// it had for a key 'src' also has).
void datum_union(Datum& dst, const Datum& src);
// Removes the elements of 'src' from 'dst': matching pairs when 'src' is a
// map, matching keys when it is a set.
void datum_subtract(Datum& dst, const Datum& src);

// The value for a column whose type changed (schema conversion): the same
// elements if they are valid in 'to', otherwise an error.
DbResult<Datum> datum_convert(const Datum& datum, const Type& from, const Type& to);

// Number of UTF-8 characters, or nullopt for invalid UTF-8.
std::optional<size_t> utf8_length(std::string_view s);

}  // namespace xvs::ovsdb
