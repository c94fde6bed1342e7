// xvs-appctl: runs one command on a running xvs daemon through its control
// socket. A drop-in for ovs-appctl: same options, same target lookup
// (a program name means <rundir>/<name>.pid, then <rundir>/<name>.<pid>.ctl;
// an absolute path is the socket), same output and exit status (0; 1 when
// the command could not be sent; 2 when the daemon returned an error;
// killed by SIGALRM on --timeout).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "util/daemon.h"
#include "util/options.h"
#include "util/unixctl.h"
#include "util/version.h"
#include "util/vlog.h"

namespace {

const char* const kProgram = "xvs-appctl";

[[noreturn]] void fatal(const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", kProgram, message.c_str());
    std::exit(EXIT_FAILURE);
}

void usage(const xvs::DaemonDirs& dirs) {
    std::printf(
        "%s, for querying and controlling xvs daemons\n"
        "usage: %s [TARGET] COMMAND [ARG...]\n"
        "Targets:\n"
        "  -t, --target=TARGET  pidfile or socket to contact\n"
        "Common commands:\n"
        "  list-commands      List commands supported by the target\n"
        "  version            Print version of the target\n"
        "  vlog/list          List current logging levels\n"
        "  vlog/list-pattern  List logging patterns for each destination.\n"
        "  vlog/set [SPEC]\n"
        "      Set log levels as detailed in SPEC, which may include:\n"
        "      A valid module name (all modules, by default)\n"
        "      'syslog', 'console', 'file' (all destinations, by default))\n"
        "      'off', 'emer', 'err', 'warn', 'info', or 'dbg' ('dbg', by default)\n"
        "  vlog/reopen        Make the program reopen its log file\n"
        "Other options:\n"
        "  --timeout=SECS     wait at most SECS seconds for a response\n"
        "  -h, --help         Print this helpful information\n"
        "  -V, --version      Display %s version information\n",
        kProgram, kProgram, kProgram);
    std::fputs(xvs::vlog_usage(dirs, kProgram).c_str(), stdout);
}

// Written before the alarm is armed: the handler may only write(2).
char g_timeout_message[128];

extern "C" void on_alarm(int) {
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, g_timeout_message, std::strlen(g_timeout_message));
    // Die of SIGALRM itself, as ovs-appctl does, so callers see the same status.
    ::signal(SIGALRM, SIG_DFL);
    ::raise(SIGALRM);
}

void arm_timeout(unsigned secs) {
    if (!secs) {
        // ovs-appctl's fallback when no --timeout is given.
        const char* env = std::getenv("OVS_CTL_TIMEOUT");
        if (env && *env) secs = static_cast<unsigned>(std::strtoul(env, nullptr, 10));
    }
    if (!secs) return;
    std::snprintf(g_timeout_message, sizeof g_timeout_message, "%s: no reply within %u seconds, giving up\n", kProgram,
                  secs);
    ::signal(SIGALRM, on_alarm);
    ::alarm(secs);
}

struct Args {
    std::optional<std::string> target;
    int executes = 0;
    unsigned timeout = 0;
    bool help = false, options = false, version = false;
    std::optional<std::string> log_file;
};

std::vector<std::string> parse_command_line(int argc, char* argv[], Args& a, const xvs::DaemonDirs& dirs) {
    using xvs::OptionArg;
    using Value = std::optional<std::string_view>;
    xvs::OptionParser p;
    p.add({"target", 't', OptionArg::Required, [&a](Value v) -> xvs::Status {
               if (a.target) return xvs::make_error("-t or --target may be specified only once");
               a.target = std::string(*v);
               return {};
           }});
    // Accepted and ignored: older ovs-appctl took the command as -e's
    // argument; with no argument here, the old spelling still works.
    p.add({"execute", 'e', OptionArg::None, [&a](Value) -> xvs::Status {
               if (a.executes++) return xvs::make_error("-e or --execute may be specified only once");
               return {};
           }});
    p.add({"help", 'h', OptionArg::None, [&a](Value) -> xvs::Status {
               a.help = true;
               return {};
           }});
    p.add({"option", 'o', OptionArg::None, [&a](Value) -> xvs::Status {
               a.options = true;
               return {};
           }});
    p.add({"version", 'V', OptionArg::None, [&a](Value) -> xvs::Status {
               a.version = true;
               return {};
           }});
    p.add({"timeout", 'T', OptionArg::Required, [&a](Value v) -> xvs::Status {
               std::string s(*v);
               char* end = nullptr;
               unsigned long t = std::strtoul(s.c_str(), &end, 10);
               if (s.empty() || *end || !t || t > 0xffffffffUL)
                   return xvs::make_error("value {} on -T or --timeout is invalid", s);
               a.timeout = static_cast<unsigned>(t);
               return {};
           }});
    xvs::add_vlog_options(p, a.log_file, dirs, kProgram);

    auto rest = p.parse(argc, argv, xvs::OptionParser::Mode::InOrder);
    if (!rest) fatal(rest.message());
    if (a.help) {
        usage(dirs);
        std::exit(EXIT_SUCCESS);
    }
    if (a.options) {
        std::fputs(p.option_list().c_str(), stdout);
        std::exit(EXIT_SUCCESS);
    }
    if (a.version) {
        std::printf("%s (xvs) %s\n", kProgram, xvs::xvs_version().c_str());
        std::exit(EXIT_SUCCESS);
    }
    return *rest;
}

// A program name leads through its pidfile to <rundir>/<name>.<pid>.ctl.
std::string socket_of(const std::string& target, const xvs::DaemonDirs& dirs) {
    if (!target.empty() && target[0] == '/') return target;
    std::string pidfile = fmt::format("{}/{}.pid", dirs.rundir, target);
    auto pid = xvs::read_pidfile(pidfile);
    if (!pid) fatal(fmt::format("cannot read pidfile \"{}\" ({})", pidfile, pid.message()));
    return fmt::format("{}/{}.{}.ctl", dirs.rundir, target, *pid);
}

}  // namespace

int main(int argc, char* argv[]) {
    xvs::vlog_set_program_name(kProgram);
    auto dirs = xvs::DaemonDirs::from_env();
    Args a;
    auto rest = parse_command_line(argc, argv, a, dirs);
    if (a.log_file) {
        if (auto st = xvs::vlog_set_log_file(*a.log_file); !st) fatal(st.message());
    }
    if (rest.empty()) fatal("at least one non-option argument is required (use --help for help)");
    arm_timeout(a.timeout);

    std::string target = a.target.value_or("xvs-vswitchd");
    std::string socket = socket_of(target, dirs);
    std::vector<std::string> args(rest.begin() + 1, rest.end());
    auto result = xvs::unixctl_transact(socket, rest[0], args);
    if (!result) fatal(result.message());
    if (!result->ok) {
        std::fputs(result->text.c_str(), stderr);
        std::fprintf(stderr, "%s: %s: server returned an error\n", kProgram, target.c_str());
        return 2;
    }
    std::fputs(result->text.c_str(), stdout);
    return 0;
}
