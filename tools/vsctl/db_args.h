// The arguments of the database commands, as ovs-vsctl reads them: table
// and column names (unambiguous abbreviations allowed), records (by uuid,
// abbreviated uuid, "@name", name, "." for Open_vSwitch, or a bridge's
// name for its Controller/NetFlow/sFlow/IPFIX), COLUMN[:KEY]=VALUE
// settings and COLUMN[:KEY]{op}VALUE conditions. Errors are fatal.
#pragma once

#include <string>
#include <vector>

#include "tools/vsctl/command.h"

namespace xvs::vsctl {

std::string match_table(const Schema& schema, const std::string& name);
std::string match_column(const Schema& schema, const std::string& table, const std::string& name);

// The uuid of the record rec names; "" when there is none and !must.
std::string lookup_row(Context& ctx, const std::string& table, const std::string& rec, bool must);

// COLUMN[:KEY][op VALUE], op one of ops.
struct Setting {
    std::string column, key, value, op;
    bool has_key = false, has_value = false;
};
Setting parse_setting(Context& ctx, const std::string& table, const std::string& arg, bool want_value,
                      const std::vector<std::string>& ops = {"="});

// COLUMN[:KEY]=VALUE applied to a row.
void apply_set(Context& ctx, const std::string& table, Row& r, const std::string& arg);
// Whether COLUMN[:KEY]{op}VALUE holds for a row.
bool row_matches(Context& ctx, const std::string& table, Row& r, const std::string& arg);

// A column's value, "_uuid" included.
Datum col_value(Row& r, const std::string& col);

}  // namespace xvs::vsctl
