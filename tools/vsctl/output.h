// How "list" and "find" print rows (--format, --data, --bare,
// --no-headings, as ovs-vsctl's table output), and --oneline.
#pragma once

#include <string>
#include <vector>

#include "tools/vsctl/datum.h"

namespace xvs::vsctl {

struct OutputFormat {
    std::string format = "list";  // list, table, csv, json
    std::string data = "string";  // string, bare, json
    bool headings = true;
};

// One column to print: its heading and type.
struct OutputColumn {
    std::string name;
    const ColumnType* type;
};

// The rows (one datum per column each) in the chosen format.
std::string format_rows(const OutputFormat& fmt, const std::vector<OutputColumn>& columns,
                        const std::vector<std::vector<Datum>>& rows);

// A command's output on one line: newlines as "\n", backslashes doubled,
// trailing newlines dropped.
std::string oneline(std::string out);

}  // namespace xvs::vsctl
