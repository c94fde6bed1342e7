// Values as the command line writes them (ovs-vsctl's syntax): atoms bare
// or in JSON-style double quotes, sets as "a,b" or "[a, b]", maps as
// "{k=v, ...}", a row as its uuid or as "@name". Atoms are checked against
// the column's constraints (enumerations, integer ranges) here, before
// anything is sent, with ovs-vsctl's error texts. Errors are fatal.
#pragma once

#include <string>
#include <string_view>

#include "tools/vsctl/datum.h"
#include "tools/vsctl/symbols.h"

namespace xvs::vsctl {

// A position in text being parsed.
struct Lexer {
    const std::string& s;
    size_t p = 0;
    void skip_space();
};

// One atom starting at lx.p, ending at any of delims outside quotes.
Json parse_atom(Lexer& lx, const BaseType& b, std::string_view delims, Symbols& symbols);
// The whole text as a value of a column of type t.
Datum parse_datum(const std::string& text, const ColumnType& t, Symbols& symbols);

}  // namespace xvs::vsctl
