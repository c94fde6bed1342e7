// xvs-vsctl's command line, read as ovs-vsctl reads it:
//
//     xvs-vsctl [GLOBAL-OPTIONS] [--] [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...
//
// Global options come first; options of the first command may be mixed
// with them. The logging options (-v/--verbose[=SPEC], --log-file[=FILE])
// are util's (add_vlog_options) and take effect as they are read.
// --help and --version print and exit; errors are fatal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/vsctl/command.h"
#include "tools/vsctl/output.h"

namespace xvs::vsctl {

struct GlobalOptions {
    std::string db;                       // --db, by default unix:$OVS_RUNDIR/db.sock
    bool no_wait = false;                 // --no-wait: do not wait for cur_cfg
    bool retry = false;                   // --retry: wait for the server to appear
    int timeout = 0;                      // -t/--timeout seconds, 0: none
    bool oneline = false;                 // --oneline
    bool dry_run = false;                 // --dry-run: the commit ends with "abort"
    OutputFormat format;                  // --format, --data, --bare, --no-headings
    std::optional<std::string> log_file;  // --log-file
};

struct CommandLine {
    GlobalOptions options;
    std::vector<Command> commands;  // checked against the command table
};

CommandLine parse_command_line(const std::vector<std::string>& args);

// Logs "Called as ARGV" (module "vsctl"): at INFO, so in syslog by
// default, when a command may change the database, else at DBG, as
// ovs-vsctl does.
void log_command_line(int argc, char* argv[], const std::vector<Command>& commands);

}  // namespace xvs::vsctl
