#include "tools/vsctl/command_line.h"

#include <cstdio>
#include <cstdlib>
#include <set>

#include "tools/vsctl/fatal.h"
#include "util/daemon.h"
#include "util/options.h"
#include "util/version.h"
#include "util/vlog.h"

namespace xvs::vsctl {

namespace {

VlogModule vlog("vsctl");

void usage(const DaemonDirs& dirs) {
    std::printf(
        "xvs-vsctl: xvs (Open vSwitch compatible) configuration utility\n"
        "usage: xvs-vsctl [OPTIONS] COMMAND [ARG...]\n\n"
        "Open vSwitch commands:\n  init, show, emer-reset\n"
        "Bridge commands:\n  add-br BRIDGE [PARENT VLAN], del-br BRIDGE, list-br, br-exists BRIDGE,\n"
        "  br-to-vlan BRIDGE, br-to-parent BRIDGE\n"
        "Port commands:\n  list-ports BRIDGE, add-port BRIDGE PORT, add-bond BRIDGE PORT IFACE...,\n"
        "  del-port [BRIDGE] PORT, port-to-br PORT\n"
        "Interface commands:\n  list-ifaces BRIDGE, iface-to-br IFACE\n"
        "Database commands:\n  list, find, get, set, add, remove, clear, create, destroy, wait-until\n"
        "Options:\n  --db=DATABASE, --no-wait, -t/--timeout=SECS, --dry-run, --oneline\n");
    std::fputs(vlog_usage(dirs, kProgram).c_str(), stdout);
}

// Options of a command that may stand before the first command, among
// the global options.
const std::set<std::string> kCommandOptions = {
    "--if-exists", "--may-exist", "--id",         "--columns",          "--real",
    "--fake",      "--all",       "--with-iface", "--inactivity-probe", "--fake-iface"};

bool is_logging_option(const std::string& name) {
    if (name.size() > 1 && name[0] == '-' && name[1] == 'v') return true;  // -v, -vSPEC
    return name == "--verbose" || name == "--log-file" || name == "--syslog-method" || name == "--syslog-target";
}

// One argument of the global options, split as --NAME[=VALUE].
struct GlobalArg {
    const std::vector<std::string>& args;
    size_t& i;
    std::string text, name, value;
    bool has_value = false;

    // The option's argument: attached, or the next argument.
    std::string need() {
        if (has_value) return value;
        if (i + 1 >= args.size()) fatal("option '{}' requires an argument", name);
        return args[++i];
    }
};

// --format/-f, --data/-d, --bare, --no-headings, --pretty; false if the
// option is none of them.
bool parse_output_option(GlobalArg& o, OutputFormat& fmt) {
    const std::string& name = o.name;
    bool attached_f = name.size() > 2 && name[0] == '-' && name[1] == 'f';
    bool attached_d = name.size() > 2 && name[0] == '-' && name[1] == 'd';
    if (name == "--bare") {
        fmt.format = "list";
        fmt.data = "bare";
        fmt.headings = false;
    } else if (name == "--format" || name == "-f" || attached_f) {
        std::string v = attached_f ? name.substr(2) : o.need();
        if (v != "list" && v != "table" && v != "csv" && v != "json" && v != "html")
            fatal("unknown output format \"{}\"", v);
        if (v == "html") fatal("output format \"html\" is not supported by xvs-vsctl");
        fmt.format = v;
    } else if (name == "--data" || name == "-d" || attached_d) {
        std::string v = attached_d ? name.substr(2) : o.need();
        if (v != "string" && v != "bare" && v != "json") fatal("unknown data format \"{}\"", v);
        fmt.data = v;
    } else if (name == "--no-headings") {
        fmt.headings = false;
    } else if (name != "--pretty") {
        return false;
    }
    return true;
}

// Handles one global option; false if it is not one.
bool parse_global_option(GlobalArg& o, GlobalOptions& g, const OptionParser& logging) {
    const std::string& name = o.name;
    if (name == "--db") {
        g.db = o.need();
    } else if (name == "--no-wait") {
        g.no_wait = true;
    } else if (name == "--timeout" || name == "-t") {
        g.timeout = atoi(o.need().c_str());
    } else if (o.text.rfind("-t", 0) == 0 && o.text.size() > 2) {
        g.timeout = atoi(o.text.c_str() + 2);
    } else if (name == "--oneline") {
        g.oneline = true;
    } else if (name == "--dry-run") {
        g.dry_run = true;
    } else if (name == "--retry") {
        g.retry = true;
    } else if (name == "--help" || name == "-h") {
        usage(DaemonDirs::from_env());
        std::exit(EXIT_SUCCESS);
    } else if (name == "--version" || name == "-V") {
        std::printf("%s (xvs) %s\n", kProgram, xvs_version().c_str());
        std::exit(EXIT_SUCCESS);
    } else if (is_logging_option(name)) {
        if (auto rest = logging.parse({o.text}, OptionParser::Mode::InOrder); !rest) fatal("{}", rest.message());
    } else if (name == "--no-syslog") {
        // ovs-vsctl's: keep this program's own messages out of syslog.
        vlog_set_levels(&vlog, LogDestination::Syslog, LogLevel::Warn);
    } else if (name != "--no-record-hostname") {
        return parse_output_option(o, g.format);
    }
    return true;
}

// The global options; leaves i at the first argument after them, and the
// first command's options that came among them in first_opts.
void parse_global_options(const std::vector<std::string>& args, size_t& i, GlobalOptions& g,
                          std::vector<std::string>& first_opts) {
    DaemonDirs dirs = DaemonDirs::from_env();
    g.db = "unix:" + dirs.rundir + "/db.sock";
    OptionParser logging;
    add_vlog_options(logging, g.log_file, dirs, kProgram);
    for (; i < args.size(); i++) {
        const std::string& s = args[i];
        if (s.size() < 2 || s[0] != '-') break;
        if (s == "--") {
            i++;
            break;
        }
        GlobalArg o{args, i, s, s};
        if (auto eq = s.find('='); eq != std::string::npos) {
            o.name = s.substr(0, eq);
            o.value = s.substr(eq + 1);
            o.has_value = true;
        }
        if (parse_global_option(o, g, logging)) continue;
        if (!kCommandOptions.count(o.name)) fatal("unrecognized option '{}'", s);
        first_opts.push_back(s);
    }
}

void add_option(Command& cmd, const std::string& s) {
    auto eq = s.find('=');
    cmd.opts[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
}

// The commands from args[i] on, separated by "--", each with its own
// leading options.
std::vector<Command> split_commands(const std::vector<std::string>& args, size_t i,
                                    const std::vector<std::string>& first_opts) {
    std::vector<Command> cmds;
    Command cur;
    bool in_opts = true;
    for (auto& o : first_opts) add_option(cur, o);
    for (; i <= args.size(); i++) {
        if (i == args.size() || args[i] == "--") {
            if (cur.name.empty()) {
                if (i < args.size() || cmds.empty()) fatal("missing command name (use --help for help)");
            } else {
                cmds.push_back(cur);
            }
            cur = Command{};
            in_opts = true;
            continue;
        }
        const std::string& s = args[i];
        if (in_opts && s.size() > 1 && s[0] == '-') {
            add_option(cur, s);
        } else if (in_opts) {
            cur.name = s;
            in_opts = false;
        } else {
            cur.args.push_back(s);
        }
    }
    return cmds;
}

// Each command exists and takes the options it was given.
void check_commands(const std::vector<Command>& cmds) {
    for (auto& c : cmds) {
        const CommandSpec* spec = find_command(c.name);
        if (!spec) fatal("unknown command '{}'; use --help for help", c.name);
        for (auto& [o, v] : c.opts)
            if (!spec->takes(o)) fatal("'{}' command has no '{}' option", c.name, o);
    }
}

// The command line as ovs-vsctl logs it: arguments with blanks, quotes or
// backslashes in double quotes (OVS's process_escape_args).
std::string quoted_args(int argc, char* argv[]) {
    std::string out;
    for (int i = 0; i < argc; i++) {
        std::string arg = argv[i];
        if (i) out += ' ';
        if (arg.find_first_of(" \t\r\n\v\\'\"") == std::string::npos) {
            out += arg;
            continue;
        }
        out += '"';
        for (char c : arg) {
            if (c == '\\' || c == '"') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out;
}

bool might_write(const std::vector<Command>& commands) {
    for (auto& c : commands)
        if (find_command(c.name)->access == Access::RW) return true;
    return false;
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args) {
    CommandLine cl;
    size_t i = 0;
    std::vector<std::string> first_opts;
    parse_global_options(args, i, cl.options, first_opts);
    cl.commands = split_commands(args, i, first_opts);
    check_commands(cl.commands);
    return cl;
}

void log_command_line(int argc, char* argv[], const std::vector<Command>& commands) {
    vlog.log(might_write(commands) ? LogLevel::Info : LogLevel::Dbg, "Called as {}", quoted_args(argc, argv));
}

}  // namespace xvs::vsctl
