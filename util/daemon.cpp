#include "util/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "util/version.h"
#include "util/vlog.h"

namespace xvs {

namespace {

VlogModule vlog("daemon");

// The pidfile this process holds. Opening and closing any descriptor of a
// file drops this process's fcntl locks on it, so read_pidfile must never
// open our own pidfile.
dev_t g_own_pidfile_dev = 0;
ino_t g_own_pidfile_ino = 0;

std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

std::string errno_text(int err) {
    return std::strerror(err);
}

int lock_file(int fd, int cmd, struct flock* lck) {
    *lck = {};
    lck->l_type = F_WRLCK;
    lck->l_whence = SEEK_SET;
    return ::fcntl(fd, cmd, lck) < 0 ? errno : 0;
}

bool same_file(const std::string& path, int fd) {
    struct stat a {
    }, b{};
    return ::stat(path.c_str(), &a) == 0 && ::fstat(fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// OVS's read_pidfile__: >0 the live pid; 0 when no pidfile is in the way
// (missing, or stale and deleted when delete_if_stale); <0 a negative errno.
pid_t read_pidfile_raw(const std::string& path, bool delete_if_stale) {
    struct stat s {};
    if ((g_own_pidfile_dev || g_own_pidfile_ino) && ::stat(path.c_str(), &s) == 0 && s.st_dev == g_own_pidfile_dev &&
        s.st_ino == g_own_pidfile_ino)
        return ::getpid();

    UniqueFd fd(::open(path.c_str(), (delete_if_stale ? O_RDWR : O_RDONLY) | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ENOENT && delete_if_stale) return 0;
        int err = errno;
        vlog.warn("{}: open: {}", path, errno_text(err));
        return -err;
    }
    struct flock lck {};
    if (int err = lock_file(fd.get(), F_GETLK, &lck)) {
        vlog.warn("{}: fcntl: {}", path, errno_text(err));
        return -err;
    }
    if (lck.l_type == F_UNLCK) {
        // Nobody holds it. Deleting it needs its lock, so two processes
        // cannot both decide it is stale and delete each other's pidfile.
        if (!delete_if_stale) {
            vlog.dbg("{}: pid file is stale", path);
            return -ESRCH;
        }
        if (int err = lock_file(fd.get(), F_SETLK, &lck)) {
            vlog.warn("{}: lost race to lock pidfile", path);
            return -err;
        }
        if (!same_file(path, fd.get())) {
            vlog.warn("{}: lost race to delete pidfile", path);
            return -EALREADY;
        }
        if (::unlink(path.c_str()) < 0) {
            int err = errno;
            vlog.warn("{}: failed to delete stale pidfile ({})", path, errno_text(err));
            return -err;
        }
        vlog.dbg("{}: deleted stale pidfile", path);
        return 0;
    }

    char line[128] = "";
    ssize_t n = ::pread(fd.get(), line, sizeof line - 1, 0);
    if (n <= 0) {
        int err = n < 0 ? errno : ESRCH;
        vlog.warn("{}: read: {}", path, n < 0 ? errno_text(err) : "unexpected end of file");
        return -err;
    }
    line[n] = '\0';
    long written = std::strtol(line, nullptr, 10);
    if (written != lck.l_pid) {
        // Whoever holds the lock is deleting a stale pidfile.
        vlog.warn("{}: stale pidfile for pid {} being deleted by pid {}", path, written, static_cast<long>(lck.l_pid));
        return -ESRCH;
    }
    return lck.l_pid;
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        data.remove_prefix(n);
    }
}

}  // namespace

DaemonDirs DaemonDirs::from_env() {
    return DaemonDirs{env_or("OVS_RUNDIR", "/run/xvs"), env_or("OVS_LOGDIR", "/var/log/xvs"),
                      env_or("OVS_DBDIR", "/var/lib/xvs"), env_or("OVS_SYSCONFDIR", "/etc/xvs")};
}

std::string abs_file_name(std::string_view dir, std::string_view name) {
    if (!name.empty() && name.front() == '/') return std::string(name);
    if (dir.empty()) return std::string(name);
    return fmt::format("{}/{}", dir, name);
}

Status make_directories(const std::string& dir) {
    if (dir.empty()) return {};
    // Each prefix ending before a '/', then the whole path.
    for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
        std::string prefix = dir.substr(0, end);
        if (!prefix.empty() && prefix.back() != '/') {
            if (::mkdir(prefix.c_str(), 0755) == 0) {
                // The mode asked of mkdir is cut by the umask; clients
                // must be able to reach the sockets in here.
                if (::chmod(prefix.c_str(), 0755) < 0)
                    return make_error("{}: chmod failed ({})", prefix, errno_text(errno));
            } else if (errno == EEXIST) {
                struct stat st {};
                if (::stat(prefix.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
                    return make_error("{}: exists and is not a directory", prefix);
            } else {
                return make_error("{}: could not create directory ({})", prefix, errno_text(errno));
            }
        }
        if (end == std::string::npos) return {};
    }
}

void add_vlog_options(OptionParser& parser, std::optional<std::string>& log_file, const DaemonDirs& dirs,
                      const std::string& program) {
    parser.add({"verbose", 'v', OptionArg::Optional,
                [](std::optional<std::string_view> spec) { return vlog_set_verbosity(spec); }});
    parser.add({"log-file", 0, OptionArg::Optional,
                [&log_file, logdir = dirs.logdir, program](std::optional<std::string_view> file) -> Status {
                    if (!file) {
                        log_file = fmt::format("{}/{}.log", logdir, program);
                    } else {
                        // Absolute now, so that vlog/reopen still finds it
                        // after a detached daemon moves to "/".
                        log_file = std::filesystem::absolute(std::string(*file)).string();
                    }
                    return {};
                }});
    for (const char* refused : {"syslog-method", "syslog-target"}) {
        std::string name = refused;
        parser.add({name, 0, OptionArg::Required, [name](std::optional<std::string_view>) -> Status {
                        return make_error("--{} is not supported by xvs (syslog goes through libc's syslog())", name);
                    }});
    }
}

void add_help_version_options(OptionParser& parser, CommonFlags& flags) {
    parser.add({"help", 'h', OptionArg::None, [&flags](std::optional<std::string_view>) -> Status {
                    flags.help = true;
                    return {};
                }});
    parser.add({"version", 'V', OptionArg::None, [&flags](std::optional<std::string_view>) -> Status {
                    flags.version = true;
                    return {};
                }});
}

BasicResult<std::vector<std::string>, int> parse_daemon_command_line(const OptionParser& parser, int argc, char* argv[],
                                                                     const CommonFlags& flags,
                                                                     const std::string& program,
                                                                     const std::function<void()>& usage) {
    auto rest = parser.parse(argc, argv);
    if (!rest) {
        std::fprintf(stderr, "%s: %s\n", program.c_str(), rest.message().c_str());
        return 1;
    }
    if (flags.help) {
        usage();
        return 0;
    }
    if (flags.version) {
        std::printf("%s (xvs) %s\n", program.c_str(), xvs_version().c_str());
        return 0;
    }
    return std::move(*rest);
}

void add_daemon_options(OptionParser& parser, DaemonOptions& opts, const DaemonDirs& dirs, const std::string& program) {
    auto flag = [](bool& field, bool value) {
        return [&field, value](std::optional<std::string_view>) -> Status {
            field = value;
            return {};
        };
    };
    parser.add({"detach", 0, OptionArg::None, flag(opts.detach, true)});
    parser.add({"no-chdir", 0, OptionArg::None, flag(opts.chdir, false)});
    parser.add({"overwrite-pidfile", 0, OptionArg::None, flag(opts.overwrite_pidfile, true)});
    parser.add({"pidfile", 0, OptionArg::Optional,
                [&opts, rundir = dirs.rundir, program](std::optional<std::string_view> file) -> Status {
                    opts.pidfile = file ? abs_file_name(rundir, *file) : fmt::format("{}/{}.pid", rundir, program);
                    return {};
                }});
    parser.add({"unixctl", 0, OptionArg::Required, [&opts](std::optional<std::string_view> path) -> Status {
                    opts.unixctl = std::string(path.value_or(""));
                    return {};
                }});
    parser.add({"monitor", 0, OptionArg::None, [](std::optional<std::string_view>) -> Status {
                    return make_error("--monitor is not supported by xvs (use a service manager to restart daemons)");
                }});
    parser.add({"user", 0, OptionArg::Required, [](std::optional<std::string_view>) -> Status {
                    return make_error("--user is not supported by xvs");
                }});
    add_vlog_options(parser, opts.log_file, dirs, program);
}

std::string daemon_usage(const DaemonDirs& dirs, const std::string& program) {
    return fmt::format(
        "\nDaemon options:\n"
        "  --detach                run in background as daemon\n"
        "  --no-chdir              do not chdir to '/'\n"
        "  --pidfile[=FILE]        create pidfile (default: {0}/{1}.pid)\n"
        "  --overwrite-pidfile     with --pidfile, start even if already running\n"
        "  --unixctl=SOCKET        override default control socket name\n"
        "                          (default: {0}/{1}.<pid>.ctl, \"none\" for no socket)\n",
        dirs.rundir, program);
}

std::string vlog_usage(const DaemonDirs& dirs, const std::string& program) {
    return fmt::format(
        "\nLogging options:\n"
        "  -vSPEC, --verbose=SPEC   set logging levels\n"
        "  -v, --verbose            set maximum verbosity level\n"
        "  --log-file[=FILE]        enable logging to specified FILE\n"
        "                           (default: {}/{}.log)\n",
        dirs.logdir, program);
}

Result<pid_t> read_pidfile(const std::string& path) {
    pid_t pid = read_pidfile_raw(path, false);
    if (pid < 0) return Error{errno_text(-pid)};
    return pid;
}

// ---- Daemon ----

Daemon::Daemon(std::string program, DaemonOptions options, DaemonDirs dirs)
    : program_(std::move(program)), opts_(std::move(options)), dirs_(std::move(dirs)) {
    vlog_set_program_name(program_);
}

Daemon::~Daemon() {
    remove_pidfile();
}

Status Daemon::start() {
    // As in OVS daemons: a peer that goes away (a socket, or the foreground
    // process's end of the start-up pipe) must be an error, not death.
    ::signal(SIGPIPE, SIG_IGN);
    if (opts_.log_file) {
        auto st = vlog_set_log_file(*opts_.log_file);
        if (!st) return st;
    }
    if (opts_.detach) {
        auto st = detach();
        if (!st) return st;
    }
    if (opts_.pidfile) {
        if (auto st = make_rundir_for(*opts_.pidfile); !st) return st;
        return make_pidfile();
    }
    return {};
}

Status Daemon::make_rundir_for(std::string_view path) const {
    std::string_view dir = dirs_.rundir;
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    if (dir.empty() || path.size() <= dir.size() || path.substr(0, dir.size()) != dir ||
        (dir != "/" && path[dir.size()] != '/'))
        return {};
    if (auto st = make_directories(std::string(dir)); !st)
        return make_error("cannot create the run directory: {}", st.message());
    return {};
}

Status Daemon::detach() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return make_error("could not detach: pipe: {}", errno_text(errno));
    UniqueFd rd(fds[0]), wr(fds[1]);
    // Buffered output would otherwise be written by every copy.
    std::fflush(nullptr);
    pid_t child = ::fork();
    if (child < 0) return make_error("could not detach: fork: {}", errno_text(errno));

    if (child > 0) {
        // The foreground process: wait for the daemon's word, never return.
        wr.reset();
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        std::string msg;
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(rd.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            msg.append(buf, n);
            if (msg[0] == 'R') _exit(0);
        }
        if (msg.size() >= 2 && msg[0] == 'F') {
            std::string text = fmt::format("{}: {}\n", program_, msg.substr(2));
            write_all(STDERR_FILENO, text);
            _exit(static_cast<unsigned char>(msg[1]) ? static_cast<unsigned char>(msg[1]) : 1);
        }
        write_all(STDERR_FILENO, fmt::format("{}: daemon exited before it finished starting\n", program_));
        _exit(1);
    }

    // The intermediate process: a new session, then the daemon forks off
    // it, so the daemon is no session leader and never gets a terminal.
    rd.reset();
    ::setsid();
    pid_t daemon = ::fork();
    if (daemon < 0) {
        std::string text = fmt::format("F{}could not detach: fork: {}", '\1', errno_text(errno));
        write_all(wr.get(), text);
        _exit(1);
    }
    if (daemon > 0) _exit(0);
    notify_fd_ = std::move(wr);
    detached_ = true;
    return {};
}

Status Daemon::make_pidfile() {
    const std::string& path = *opts_.pidfile;
    pid_t pid = ::getpid();
    // Without --overwrite-pidfile every starter shares one temporary file,
    // whose lock decides who may go on to check the real pidfile.
    std::string tmp = opts_.overwrite_pidfile ? fmt::format("{}.tmp{}", path, pid) : path + ".tmp";
    UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.valid()) return make_error("{}: create failed ({})", tmp, errno_text(errno));
    struct flock lck {};
    if (int err = lock_file(fd.get(), F_SETLK, &lck))
        return make_error("{}: fcntl(F_SETLK) failed ({})", tmp, errno_text(err));

    auto give_up = [&](Error e) -> Status {
        ::unlink(tmp.c_str());
        return e;
    };
    if (!opts_.overwrite_pidfile) {
        pid_t other = read_pidfile_raw(path, true);
        if (other > 0) return give_up(make_error("{}: already running as pid {}, aborting", path, other));
        if (other < 0) return give_up(make_error("{}: pidfile check failed ({}), aborting", path, errno_text(-other)));
    }
    std::string text = fmt::format("{}\n", pid);
    if (::ftruncate(fd.get(), 0) < 0 || ::pwrite(fd.get(), text.data(), text.size(), 0) != ssize_t(text.size()))
        return give_up(make_error("{}: write failed ({})", tmp, errno_text(errno)));
    if (::rename(tmp.c_str(), path.c_str()) < 0)
        return give_up(make_error("failed to rename \"{}\" to \"{}\" ({})", tmp, path, errno_text(errno)));

    struct stat st {};
    ::fstat(fd.get(), &st);
    g_own_pidfile_dev = st.st_dev;
    g_own_pidfile_ino = st.st_ino;
    pidfile_fd_ = std::move(fd);  // kept open: closing it would drop the lock
    pidfile_ = path;
    return {};
}

void Daemon::remove_pidfile() {
    if (pidfile_.empty()) return;
    // Only if it is still ours (an --overwrite-pidfile starter may have
    // replaced it); unlink before closing, which drops the lock.
    if (same_file(pidfile_, pidfile_fd_.get())) ::unlink(pidfile_.c_str());
    pidfile_fd_.reset();
    pidfile_.clear();
    g_own_pidfile_dev = 0;
    g_own_pidfile_ino = 0;
}

void Daemon::ready() {
    if (notify_fd_.valid()) {
        write_all(notify_fd_.get(), "R");
        notify_fd_.reset();
    }
    if (!detached_) return;
    if (opts_.chdir && ::chdir("/") < 0) vlog.warn("chdir /: {}", errno_text(errno));
    int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
        for (int fd = 0; fd < 3; fd++) ::dup2(null_fd, fd);
        ::close(null_fd);
    }
    vlog_set_levels(nullptr, LogDestination::Console, LogLevel::Off);
}

int Daemon::startup_failed(std::string_view message, int status) {
    // The message reaches the user below; the console copy would repeat it.
    vlog_set_levels(nullptr, LogDestination::Console, LogLevel::Off);
    vlog.err("{}", message);
    remove_pidfile();
    if (notify_fd_.valid()) {
        std::string text = fmt::format("F{}{}", static_cast<char>(status & 0xff), message);
        write_all(notify_fd_.get(), text);
        notify_fd_.reset();
    } else {
        write_all(STDERR_FILENO, fmt::format("{}: {}\n", program_, message));
    }
    return status;
}

std::string Daemon::unixctl_path() const {
    if (opts_.unixctl) return *opts_.unixctl == "none" ? "" : abs_file_name(dirs_.rundir, *opts_.unixctl);
    return fmt::format("{}/{}.{}.ctl", dirs_.rundir, program_, ::getpid());
}

}  // namespace xvs
