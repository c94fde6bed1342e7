#include "tools/vsctl/command.h"

#include <algorithm>

#include "tools/vsctl/fatal.h"

namespace xvs::vsctl {

namespace {

void check_args(const Command& cmd, size_t min, size_t max) {
    if (cmd.args.size() < min) fatal("'{}' command requires at least {} arguments", cmd.name, min);
    if (cmd.args.size() > max) fatal("'{}' command takes at most {} arguments", cmd.name, max);
}

}  // namespace

bool CommandSpec::takes(std::string_view option) const {
    return std::find(options.begin(), options.end(), option) != options.end();
}

const CommandSpec* find_command(std::string_view name) {
    for (auto table : {vswitch_commands(), db_commands(), show_commands()})
        for (const CommandSpec& spec : table)
            if (name == spec.name) return &spec;
    return nullptr;
}

void run_command(Context& ctx, Command& cmd) {
    const CommandSpec* spec = find_command(cmd.name);
    if (!spec) fatal("unknown command '{}'; use --help for help", cmd.name);
    check_args(cmd, spec->min_args, spec->max_args);
    spec->run(ctx, cmd);
}

}  // namespace xvs::vsctl
