// The commands: what one "--"-separated command of the command line is,
// what it runs against, and the command table (vswitch_commands.cpp,
// db_commands.cpp and show.cpp each hold their part).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/vsctl/db_copy.h"
#include "tools/vsctl/output.h"
#include "tools/vsctl/symbols.h"

namespace xvs::vsctl {

struct Command {
    std::string name;
    std::vector<std::string> args;
    std::map<std::string, std::string> opts;  // "--if-exists" -> "", "--id" -> "@q"
    // What the command prints. "create" leaves "\x01" and the new row's
    // placeholder, replaced by its uuid once the commit names it.
    std::string output;
    bool has(const std::string& opt) const { return opts.count(opt) > 0; }
};

// One attempt at the commands.
struct Context {
    DbCopy& db;
    Symbols& symbols;
    const OutputFormat& format;
    // wait-until found its condition false: start over later.
    bool wait_unmet = false;

    const Schema& schema() const { return db.schema(); }
};

// Whether a command may change the database (ovs-vsctl's RO and RW);
// only logging cares.
enum class Access { RO, RW };

struct CommandSpec {
    const char* name;
    size_t min_args, max_args;
    // The options it takes ("--if-exists", ...).
    std::vector<std::string_view> options;
    Access access;
    void (*run)(Context& ctx, Command& cmd);

    bool takes(std::string_view option) const;
};

// The most arguments a command that takes a list accepts.
inline constexpr size_t kManyArgs = 1000;

// Each part of the table: the Open vSwitch, bridge, port, interface,
// controller and manager commands; the generic database commands; show.
std::span<const CommandSpec> vswitch_commands();
std::span<const CommandSpec> db_commands();
std::span<const CommandSpec> show_commands();

// nullptr for an unknown name.
const CommandSpec* find_command(std::string_view name);

// Runs a command, checking its argument count first (with ovs-vsctl's
// error texts).
void run_command(Context& ctx, Command& cmd);

}  // namespace xvs::vsctl
