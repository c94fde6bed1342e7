// What the benchmarks that run real daemons share: a private temporary
// directory, xvsdb-server and xvs-vswitchd started there (stopped by pid on
// exit, signals included, with the datapath and any named network
// namespaces the benchmark made), shell commands, CPU pinning, clocks.
#pragma once

#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "loader/datapath.h"

namespace xvs::bench {

struct Env {
    std::string prog;                 // for messages
    std::string dir;                  // temporary directory of the daemons
    std::string dp;                   // datapath name, removed on exit
    std::vector<std::string> netns;   // named network namespaces, deleted on exit
    std::vector<std::string> pidfiles;  // daemons to stop (SIGTERM, then wait), last started first
};

inline Env& env() {
    static Env e;
    return e;
}

inline void cleanup() {
    static bool done = false;
    if (done) return;
    done = true;
    Env& e = env();
    for (auto pf = e.pidfiles.rbegin(); pf != e.pidfiles.rend(); ++pf) {
        std::ifstream f(*pf);
        long pid = 0;
        if (f >> pid && pid > 0) {
            kill(static_cast<pid_t>(pid), SIGTERM);
            for (int i = 0; i < 100 && kill(static_cast<pid_t>(pid), 0) == 0; i++) usleep(20000);
        }
    }
    if (!e.dp.empty()) (void)loader::Datapath::destroy(e.dp);
    for (const auto& ns : e.netns) std::system(("ip netns del '" + ns + "' 2>/dev/null").c_str());
    if (!e.dir.empty() && !getenv("XVS_BENCH_KEEP")) std::system(("rm -rf '" + e.dir + "'").c_str());
}

[[noreturn]] inline void die(const std::string& m) {
    std::cerr << env().prog << ": " << m << "\n";
    cleanup();
    std::exit(1);
}

inline void on_signal(int) {
    cleanup();
    _exit(130);
}

// Runs a shell command; its output, or death when it fails.
inline std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) die("cannot run: " + cmd);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    if (pclose(p) != 0) die("command failed: " + cmd + "\n" + out);
    return out;
}

inline uint32_t ifindex(const char* name) {
    uint32_t i = if_nametoindex(name);
    if (!i) die(std::string("no device ") + name);
    return i;
}

inline uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

inline void pin_cpu(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    sched_setaffinity(0, sizeof s, &s);
}

inline int last_cpu() {
    int n = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    return n > 1 ? n - 1 : 0;
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

inline std::string spread(std::vector<double> v) {
    if (v.empty()) return "";
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return fmt::format("{:.2f}-{:.2f}", *lo, *hi);
}

// The tools of a build directory, against the daemons of env().dir.
struct Tools {
    std::string dir, schema;
    std::string appctl(const std::string& args) const {
        return run(dir + "/xvs-appctl -t " + env().dir + "/vs.ctl " + args + " 2>&1");
    }
    std::string ofctl(const std::string& args) const {
        return run("OVS_RUNDIR=" + env().dir + " " + dir + "/xvs-ofctl " + args + " 2>&1");
    }
    std::string vsctl(const std::string& args) const {
        return run(dir + "/xvs-vsctl --db=unix:" + env().dir + "/db.sock --timeout=30 " + args + " 2>&1");
    }
};

// In a fresh temporary directory: a database from the schema, xvsdb-server
// and xvs-vswitchd on datapath 'dp' (both on the last CPU), and the root
// row, so that later xvs-vsctl commands wait for the switch.
inline void start_daemons(const Tools& t, const std::string& dp) {
    char tmpl[] = "/tmp/xvs-bench.XXXXXX";
    if (!mkdtemp(tmpl)) die("mkdtemp failed");
    env().dir = tmpl;
    env().dp = dp;
    pin_cpu(last_cpu());
    run(fmt::format("{0}/xvsdb-tool create {1}/conf.db {2} && {0}/xvsdb-server {1}/conf.db --remote=punix:{1}/db.sock "
                    "--unixctl={1}/db.ctl --pidfile={1}/db.pid --detach --no-chdir --log-file={1}/db.log",
                    t.dir, env().dir, t.schema));
    env().pidfiles.push_back(env().dir + "/db.pid");
    run(fmt::format("OVS_RUNDIR={1} {0}/xvs-vswitchd unix:{1}/db.sock --datapath-name={2} --unixctl={1}/vs.ctl "
                    "--pidfile={1}/vs.pid --detach --no-chdir --log-file={1}/vs.log",
                    t.dir, env().dir, dp));
    env().pidfiles.push_back(env().dir + "/vs.pid");
    t.vsctl("--no-wait init");
}

// Command-line options: for (Args a(argc, argv); a.next();) { if (a.is("--x")) x = a.value(); ... }
struct Args {
    int argc;
    char** argv;
    int i = 0;
    std::string cur;
    Args(int c, char** v) : argc(c), argv(v) {}
    bool next() {
        if (++i >= argc) return false;
        cur = argv[i];
        return true;
    }
    bool is(const char* name) const { return cur == name; }
    std::string value() {
        if (i + 1 >= argc) die("missing value for " + cur);
        return argv[++i];
    }
};

// Exits through cleanup() at exit and on SIGINT/SIGTERM.
inline void install_cleanup(const std::string& prog) {
    env().prog = prog;
    std::atexit(cleanup);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}

}  // namespace xvs::bench
