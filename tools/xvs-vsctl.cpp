// xvs-vsctl: the ovs-vsctl command language over OVSDB JSON-RPC, a drop-in
// for ovs-vsctl (same commands, output, errors and exit codes). The pieces
// are in tools/vsctl/: the command line (command_line), the connection
// (db_client), the run of the commands and their commit (execute, on
// db_copy), the commands themselves (vswitch_commands, db_commands, show).
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "tools/vsctl/command_line.h"
#include "tools/vsctl/db_client.h"
#include "tools/vsctl/execute.h"
#include "tools/vsctl/fatal.h"
#include "util/vlog.h"

namespace {

using namespace xvs::vsctl;

// --timeout: the line OVS's fatal_signal logs, then death by the signal
// itself (exit status 142 in a shell), as ovs-vsctl. Only write(2) here.
extern "C" void on_alarm(int) {
    char msg[160];
    time_t now = time(nullptr);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t len = strftime(msg, sizeof msg, "%Y-%m-%dT%H:%M:%SZ", &tm);
    static const char rest[] = "|00001|fatal_signal|WARN|terminating with signal 14 (Alarm clock)\n";
    std::memcpy(msg + len, rest, sizeof rest - 1);
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, msg, len + sizeof rest - 1);
    ::signal(SIGALRM, SIG_DFL);
    ::raise(SIGALRM);
}

}  // namespace

int main(int argc, char* argv[]) {
    xvs::vlog_set_program_name(kProgram);
    // As ovs-vsctl: the console gets warnings and worse unless -v says otherwise.
    xvs::vlog_set_levels(nullptr, xvs::LogDestination::Console, xvs::LogLevel::Warn);
    CommandLine cl = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    GlobalOptions& opts = cl.options;
    if (opts.log_file) {
        if (auto st = xvs::vlog_set_log_file(*opts.log_file); !st) fatal("{}", st.message());
    }
    log_command_line(argc, argv, cl.commands);
    if (opts.timeout > 0) {
        ::signal(SIGALRM, on_alarm);
        ::alarm(opts.timeout);
    }
    DbClient client(opts.db, opts.retry);
    return execute(client, opts, cl.commands);
}
