// What every xvs daemon does the way OVS daemons do it: the directories
// (OVS_RUNDIR, OVS_LOGDIR, OVS_DBDIR, OVS_SYSCONFDIR), the common options
// (--detach, --no-chdir, --pidfile[=FILE], --overwrite-pidfile,
// --unixctl=SOCKET, -v/--verbose[=SPEC], --log-file[=FILE]), and the
// start-up sequence:
//
//     DaemonDirs dirs = DaemonDirs::from_env();
//     DaemonOptions opts;
//     OptionParser parser;
//     add_daemon_options(parser, opts, dirs, "xvsdb-server");
//     ...daemon-specific options, parse...
//     Daemon daemon("xvsdb-server", opts, dirs);
//     if (auto st = daemon.start(); !st) return daemon.startup_failed(st.message());
//     ...initialise: open files, create the unixctl server at
//        daemon.unixctl_path() (it names the pid, so after start())...
//     if (failed) return daemon.startup_failed(why);
//     daemon.ready();   // with --detach, the foreground process exits 0 now
//     loop.run();
//
// --monitor, --user, --syslog-method and --syslog-target are recognised
// and refused with a message: they are not implemented.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/fd.h"
#include "util/options.h"
#include "util/result.h"

namespace xvs {

struct DaemonDirs {
    std::string rundir;      // OVS_RUNDIR, default /run/xvs
    std::string logdir;      // OVS_LOGDIR, default /var/log/xvs
    std::string dbdir;       // OVS_DBDIR, default /var/lib/xvs
    std::string sysconfdir;  // OVS_SYSCONFDIR, default /etc/xvs

    static DaemonDirs from_env();
};

// name itself when absolute, otherwise dir/name.
std::string abs_file_name(std::string_view dir, std::string_view name);

// mkdir -p: creates dir and whichever of its parents are missing, each with
// mode 0755 whatever the umask; a directory that exists is left as it is.
Status make_directories(const std::string& dir);

struct DaemonOptions {
    bool detach = false;
    bool chdir = true;  // --no-chdir clears it (only matters with --detach)
    bool overwrite_pidfile = false;
    std::optional<std::string> pidfile;  // absolute
    // As given: "none", a name taken relative to the rundir, or absolute.
    std::optional<std::string> unixctl;
    std::optional<std::string> log_file;  // absolute
};

// Adds the daemon options and the logging options to parser; their values
// land in opts, which must outlive the parse.
void add_daemon_options(OptionParser& parser, DaemonOptions& opts, const DaemonDirs& dirs, const std::string& program);
// -v/--verbose[=SPEC] (applied as parsed, like OVS), --log-file[=FILE]
// (the path lands in log_file), and the refused syslog options. For
// programs that log but are not daemons (xvs-appctl).
void add_vlog_options(OptionParser& parser, std::optional<std::string>& log_file, const DaemonDirs& dirs,
                      const std::string& program);
// -h/--help and -V/--version, which every daemon takes, and what main does
// with them and with a failed parse: parse_daemon_command_line() returns the
// non-option arguments, or the exit code main should return (after printing
// the error, the usage or the version).
struct CommonFlags {
    bool help = false;
    bool version = false;
};
void add_help_version_options(OptionParser& parser, CommonFlags& flags);
BasicResult<std::vector<std::string>, int> parse_daemon_command_line(const OptionParser& parser, int argc, char* argv[],
                                                                     const CommonFlags& flags,
                                                                     const std::string& program,
                                                                     const std::function<void()>& usage);
// --help text for those options.
std::string daemon_usage(const DaemonDirs& dirs, const std::string& program);
std::string vlog_usage(const DaemonDirs& dirs, const std::string& program);

// OVS's test of a pidfile: a live process holds a lock on it, and its pid
// is the one written in it. Returns that pid, or the system's text for why
// not ("No such file or directory", "No such process" for a stale file).
Result<pid_t> read_pidfile(const std::string& path);

class Daemon {
public:
    Daemon(std::string program, DaemonOptions options, DaemonDirs dirs);
    // Removes the pidfile this process created.
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Ignores SIGPIPE and opens the log file; with --detach, forks twice (the daemon is not a
    // session leader and has no terminal): the foreground process waits
    // inside this call until the daemon calls ready() (then it exits 0) or
    // startup_failed() (then it prints the message and exits with the
    // status), so only the daemon returns. Then creates the pidfile,
    // refusing if a live process holds it (unless --overwrite-pidfile).
    Status start();
    // Start-up is complete: releases the waiting foreground process and,
    // when detached, moves to "/" (unless --no-chdir), points stdin,
    // stdout and stderr at /dev/null and stops console logging.
    void ready();
    // Reports a start-up failure: to the waiting foreground process when
    // detaching, otherwise on stderr; also to the log. Returns status, for
    // `return daemon.startup_failed(...)` from main.
    int startup_failed(std::string_view message, int status = 1);

    // The unixctl socket: --unixctl (relative to the rundir), by default
    // <rundir>/<program>.<pid>.ctl; empty for --unixctl=none.
    std::string unixctl_path() const;
    // Creates the rundir (make_directories) if 'path' lies in it. The
    // rundir usually lives on a tmpfs (/run) and may not exist yet when a
    // daemon first puts its pidfile or control socket there; start() and
    // start_daemon_services() call this for those two. A daemon whose
    // files all go elsewhere leaves the rundir alone.
    Status make_rundir_for(std::string_view path) const;
    const std::string& program() const { return program_; }
    const DaemonDirs& dirs() const { return dirs_; }
    const DaemonOptions& options() const { return opts_; }

private:
    Status detach();
    Status make_pidfile();
    void remove_pidfile();

    std::string program_;
    DaemonOptions opts_;
    DaemonDirs dirs_;
    bool detached_ = false;
    UniqueFd notify_fd_;   // to the foreground process, until ready()
    UniqueFd pidfile_fd_;  // holds the pidfile's lock while we run
    std::string pidfile_;  // the pidfile we created
};

}  // namespace xvs
