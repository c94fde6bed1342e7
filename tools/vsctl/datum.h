// Column values. An atom is a JSON scalar; a uuid is its string, and a row
// this invocation inserts goes by a placeholder "@N" until the server names
// it (sent as ["named-uuid", "rowN"]). A datum is a sorted set of atoms,
// or for a map sorted keys with their values.
#pragma once

#include <string>
#include <vector>

#include "tools/vsctl/schema.h"

namespace xvs::vsctl {

struct Datum {
    std::vector<Json> keys;
    std::vector<Json> vals;  // maps only, one per key
};

// A datum of one atom.
inline Datum single(Json atom) {
    Datum d;
    d.keys.push_back(std::move(atom));
    return d;
}

bool atom_less(const Json& a, const Json& b);
// Sorts by key and drops repeated keys (for a map the later value wins).
void datum_sort(Datum& d, bool is_map);
bool datum_equal(const Datum& a, const Datum& b);
// Every element of small (a key with the same value, for maps) is in big.
bool datum_includes(const Datum& big, const Datum& small, bool is_map);

// The OVSDB wire format (RFC 7047 <value>).
Datum datum_from_wire(const Json& j, const ColumnType& t);
Json datum_to_wire(const Datum& d, const ColumnType& t);
// ["uuid", u], or ["named-uuid", "rowN"] for a placeholder.
Json uuid_to_wire(const std::string& uuid);

bool is_uuid(const std::string& s);

// ovs-vsctl's text: strings quoted where they would not read back as
// themselves, reals in their shortest exact form, sets in [...] (unless
// the column holds at most one value), maps as {k=v, ...}.
std::string atom_to_string(const Json& a, const BaseType& b);
std::string datum_to_string(const Datum& d, const ColumnType& t);
// --data=bare: atoms separated by spaces, no brackets or quotes.
std::string datum_to_bare(const Datum& d, const ColumnType& t);

}  // namespace xvs::vsctl
