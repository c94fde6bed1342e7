// Pidfiles with OVS's locking protocol, across real processes.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "util/daemon.h"
#include "util/vlog.h"
#include "util_test_support.h"

using namespace xvs;
using xvs::test::TempDir;

namespace {

std::string contents(const std::string& path) {
    std::ifstream in(path);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s;
}

bool exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

// A child process that takes the pidfile and holds it until killed.
struct Holder {
    pid_t pid = -1;
    explicit Holder(const std::string& pidfile) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            DaemonOptions o;
            o.pidfile = pidfile;
            Daemon d("holder", o, DaemonDirs{"/nonexistent", "/nonexistent", "/nonexistent", "/nonexistent"});
            char ok = d.start().ok() ? 'y' : 'n';
            [[maybe_unused]] ssize_t n = ::write(fds[1], &ok, 1);
            for (;;) ::pause();
        }
        ::close(fds[1]);
        char ok = 0;
        REQUIRE(::read(fds[0], &ok, 1) == 1);
        ::close(fds[0]);
        REQUIRE(ok == 'y');
    }
    void kill_hard() {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        pid = -1;
    }
    ~Holder() {
        if (pid > 0) kill_hard();
    }
};

Daemon make_daemon(const std::string& pidfile, bool overwrite = false) {
    DaemonOptions o;
    o.pidfile = pidfile;
    o.overwrite_pidfile = overwrite;
    return Daemon("tester", o, DaemonDirs{"/nonexistent", "/nonexistent", "/nonexistent", "/nonexistent"});
}

struct Quiet {
    Quiet() { vlog_set_levels(nullptr, std::nullopt, LogLevel::Off); }
    ~Quiet() { vlog_set_levels(nullptr, std::nullopt, LogLevel::Info); }
};

}  // namespace

TEST_CASE("pidfile: written with the pid, locked, refused to a second instance") {
    Quiet q;
    TempDir dir;
    std::string pidfile = dir.file("p.pid");
    Holder holder(pidfile);
    CHECK(contents(pidfile) == fmt::format("{}\n", holder.pid));
    auto pid = read_pidfile(pidfile);
    REQUIRE(pid.ok());
    CHECK(*pid == holder.pid);

    auto second = make_daemon(pidfile);
    auto st = second.start();
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == fmt::format("{}: already running as pid {}, aborting", pidfile, holder.pid));
    CHECK(contents(pidfile) == fmt::format("{}\n", holder.pid));  // untouched
    CHECK_FALSE(exists(pidfile + ".tmp"));
}

TEST_CASE("pidfile: a stale one (its process died) is reported and then replaced") {
    Quiet q;
    TempDir dir;
    std::string pidfile = dir.file("p.pid");
    Holder holder(pidfile);
    holder.kill_hard();
    REQUIRE(exists(pidfile));
    auto stale = read_pidfile(pidfile);
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.message() == "No such process");

    {
        auto d = make_daemon(pidfile);
        REQUIRE(d.start().ok());
        CHECK(contents(pidfile) == fmt::format("{}\n", ::getpid()));
        // Our own pidfile is read without opening it (which would drop the lock).
        CHECK(read_pidfile(pidfile).value() == ::getpid());
        CHECK(read_pidfile(pidfile).value() == ::getpid());
    }
    CHECK_FALSE(exists(pidfile));  // removed on the way out
}

TEST_CASE("pidfile: --overwrite-pidfile takes over a live one") {
    Quiet q;
    TempDir dir;
    std::string pidfile = dir.file("p.pid");
    Holder holder(pidfile);
    {
        auto d = make_daemon(pidfile, true);
        REQUIRE(d.start().ok());
        CHECK(contents(pidfile) == fmt::format("{}\n", ::getpid()));
    }
    CHECK_FALSE(exists(pidfile));
}

TEST_CASE("pidfile: a missing one, and an unwritable directory") {
    Quiet q;
    TempDir dir;
    auto missing = read_pidfile(dir.file("none.pid"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.message() == "No such file or directory");

    auto d = make_daemon(dir.file("no/such/dir.pid"));
    auto st = d.start();
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == dir.file("no/such/dir.pid") + ".tmp: create failed (No such file or directory)");
}
