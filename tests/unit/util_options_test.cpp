// Command-line parsing with getopt_long's rules, and the common daemon and
// logging options built on it.
#include <doctest/doctest.h>

#include <filesystem>

#include "util/daemon.h"
#include "util/options.h"
#include "util/vlog.h"

using namespace xvs;
using Args = std::vector<std::string>;

namespace {

VlogModule module("test_options");

struct Recorder {
    std::vector<std::string> seen;
    OptionParser parser;
    Recorder() {
        auto rec = [this](std::string name) {
            return [this, name](std::optional<std::string_view> v) -> Status {
                seen.push_back(v ? name + "=" + std::string(*v) : name);
                return {};
            };
        };
        parser.add({"alpha", 'a', OptionArg::None, rec("alpha")});
        parser.add({"beta", 'b', OptionArg::Required, rec("beta")});
        parser.add({"gamma", 'g', OptionArg::Optional, rec("gamma")});
        parser.add({"pidfile", 0, OptionArg::Optional, rec("pidfile")});
        parser.add({"private-key", 0, OptionArg::Required, rec("private-key")});
        parser.add({"fail", 0, OptionArg::None,
                    [](std::optional<std::string_view>) -> Status { return make_error("the handler's own error"); }});
    }
    Result<Args> parse(const Args& args, OptionParser::Mode mode = OptionParser::Mode::Permute) {
        return parser.parse(args, mode);
    }
};

std::string error_of(const Args& args) {
    Recorder r;
    auto res = r.parse(args);
    REQUIRE_FALSE(res.ok());
    return res.message();
}

struct VlogDefaults {
    VlogDefaults() { reset(); }
    ~VlogDefaults() { reset(); }
    static void reset() {
        vlog_set_levels(nullptr, std::nullopt, LogLevel::Info);
        vlog_set_levels(nullptr, LogDestination::Console, LogLevel::Off);
        vlog_set_levels(nullptr, LogDestination::Syslog, LogLevel::Off);
    }
};

struct DaemonParse {
    DaemonDirs dirs{"/r", "/l", "/d", "/e"};
    DaemonOptions opts;
    OptionParser parser;
    DaemonParse() { add_daemon_options(parser, opts, dirs, "xvs-prog"); }
    Result<Args> parse(const Args& a) { return parser.parse(a); }
};

}  // namespace

TEST_CASE("options: long forms") {
    Recorder r;
    auto rest = r.parse({"--alpha", "--beta=1", "--beta", "2", "--gamma=3", "--gamma", "4", "--pidfile"});
    REQUIRE(rest.ok());
    // An optional argument is only ever taken attached: "4" is an argument.
    CHECK(r.seen == Args{"alpha", "beta=1", "beta=2", "gamma=3", "gamma", "pidfile"});
    CHECK(*rest == Args{"4"});
}

TEST_CASE("options: short forms and clusters") {
    Recorder r;
    auto rest = r.parse({"-a", "-bX", "-b", "Y", "-gZ", "-g", "W", "-abQ", "-ag"});
    REQUIRE(rest.ok());
    CHECK(r.seen == Args{"alpha", "beta=X", "beta=Y", "gamma=Z", "gamma", "alpha", "beta=Q", "alpha", "gamma"});
    CHECK(*rest == Args{"W"});
}

TEST_CASE("options: prefixes, permutation, in-order mode, --") {
    Recorder r;
    auto rest = r.parse({"db.db", "--al", "--pid=x.pid", "other"});
    REQUIRE(rest.ok());
    CHECK(r.seen == Args{"alpha", "pidfile=x.pid"});
    CHECK(*rest == Args{"db.db", "other"});

    Recorder in_order;
    auto cmd = in_order.parse({"-a", "command", "-b", "x", "--alpha"}, OptionParser::Mode::InOrder);
    REQUIRE(cmd.ok());
    CHECK(in_order.seen == Args{"alpha"});
    CHECK(*cmd == Args{"command", "-b", "x", "--alpha"});

    Recorder dashes;
    auto after = dashes.parse({"--", "--alpha", "-"});
    REQUIRE(after.ok());
    CHECK(dashes.seen.empty());
    CHECK(*after == Args{"--alpha", "-"});
}

TEST_CASE("options: errors are getopt's") {
    CHECK(error_of({"--bogus"}) == "unrecognized option '--bogus'");
    CHECK(error_of({"--alpha=1"}) == "option '--alpha' doesn't allow an argument");
    CHECK(error_of({"--al=1"}) == "option '--alpha' doesn't allow an argument");
    CHECK(error_of({"--beta"}) == "option '--beta' requires an argument");
    CHECK(error_of({"-x"}) == "invalid option -- 'x'");
    CHECK(error_of({"-ab"}) == "option requires an argument -- 'b'");
    CHECK(error_of({"--p"}) == "option '--p' is ambiguous; possibilities: '--pidfile' '--private-key'");
    CHECK(error_of({"--alpha", "--fail", "--beta"}) == "the handler's own error");
}

TEST_CASE("options: the list printed for -o/--option") {
    Recorder r;
    CHECK(r.parser.option_list().rfind("--alpha\n-a \n--beta=ARG\n-b ARG\n--gamma=[ARG]\n-g [ARG]\n--pidfile=[ARG]\n",
                                       0) == 0);
}

TEST_CASE("daemon options: defaults come from the directories and the program name") {
    DaemonParse p;
    auto rest = p.parse({"--detach", "--no-chdir", "--pidfile", "--overwrite-pidfile", "--log-file", "db.db"});
    REQUIRE(rest.ok());
    CHECK(*rest == Args{"db.db"});  // not --log-file's argument
    CHECK(p.opts.detach);
    CHECK_FALSE(p.opts.chdir);
    CHECK(p.opts.overwrite_pidfile);
    CHECK(p.opts.pidfile == "/r/xvs-prog.pid");
    CHECK(p.opts.log_file == "/l/xvs-prog.log");
    CHECK_FALSE(p.opts.unixctl);
}

TEST_CASE("daemon options: given names") {
    DaemonParse p;
    REQUIRE(p.parse({"--pidfile=other.pid", "--unixctl", "ctl", "--log-file=rel/x.log"}).ok());
    CHECK(p.opts.pidfile == "/r/other.pid");  // relative to the rundir, as OVS does
    CHECK(p.opts.unixctl == "ctl");
    CHECK(p.opts.log_file == (std::filesystem::current_path() / "rel/x.log").string());

    DaemonParse abs;
    REQUIRE(abs.parse({"--pidfile=/tmp/a.pid", "--unixctl=/tmp/a.ctl", "--log-file=/tmp/a.log"}).ok());
    CHECK(abs.opts.pidfile == "/tmp/a.pid");
    CHECK(abs.opts.unixctl == "/tmp/a.ctl");
    CHECK(abs.opts.log_file == "/tmp/a.log");

    DaemonParse missing;
    CHECK(missing.parse({"--unixctl"}).message() == "option '--unixctl' requires an argument");
}

TEST_CASE("daemon options: what is not implemented says so") {
    for (const auto& opt : Args{"--monitor", "--user=ovs", "--syslog-method=libc", "--syslog-target=1.2.3.4:514"}) {
        CAPTURE(opt);
        DaemonParse p;
        auto r = p.parse({opt});
        REQUIRE_FALSE(r.ok());
        CHECK(r.message().find("is not supported by xvs") != std::string::npos);
    }
}

TEST_CASE("daemon options: -v/--verbose are applied as they are parsed") {
    VlogDefaults d;
    DaemonParse p;
    REQUIRE(p.parse({"-vfile:dbg", "--verbose=test_options:console:warn"}).ok());
    CHECK(module.level(LogDestination::File) == LogLevel::Dbg);
    CHECK(module.level(LogDestination::Console) == LogLevel::Warn);

    DaemonParse all;
    auto rest = all.parse({"-v", "dbg"});
    REQUIRE(rest.ok());
    CHECK(*rest == Args{"dbg"});
    CHECK(module.level(LogDestination::Syslog) == LogLevel::Dbg);

    REQUIRE(DaemonParse().parse({"--verbose=ANY:ANY:err", "-vconsole:off"}).ok());
    CHECK(module.level(LogDestination::File) == LogLevel::Err);
    CHECK(module.level(LogDestination::Console) == LogLevel::Off);

    auto bad = DaemonParse().parse({"-vnowhere:dbg"});
    CHECK(bad.message() == "processing \"nowhere:dbg\": no destination, level, or module \"nowhere\"");
}

TEST_CASE("daemon: directories from the environment, with xvs's defaults") {
    for (const char* v : {"OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR"}) ::unsetenv(v);
    auto d = DaemonDirs::from_env();
    CHECK(d.rundir == "/run/xvs");
    CHECK(d.logdir == "/var/log/xvs");
    CHECK(d.dbdir == "/var/lib/xvs");
    CHECK(d.sysconfdir == "/etc/xvs");
    ::setenv("OVS_RUNDIR", "/tmp/r", 1);
    ::setenv("OVS_DBDIR", "", 1);  // empty counts as unset
    d = DaemonDirs::from_env();
    CHECK(d.rundir == "/tmp/r");
    CHECK(d.dbdir == "/var/lib/xvs");
    ::unsetenv("OVS_RUNDIR");
    ::unsetenv("OVS_DBDIR");

    CHECK(abs_file_name("/r", "x.pid") == "/r/x.pid");
    CHECK(abs_file_name("/r", "/abs/x.pid") == "/abs/x.pid");
}

TEST_CASE("daemon: the unixctl socket's name") {
    DaemonDirs dirs{"/r", "/l", "/d", "/e"};
    CHECK(Daemon("prog", {}, dirs).unixctl_path() == fmt::format("/r/prog.{}.ctl", ::getpid()));
    DaemonOptions o;
    o.unixctl = "ctl";
    CHECK(Daemon("prog", o, dirs).unixctl_path() == "/r/ctl");
    o.unixctl = "/abs.ctl";
    CHECK(Daemon("prog", o, dirs).unixctl_path() == "/abs.ctl");
    o.unixctl = "none";
    CHECK(Daemon("prog", o, dirs).unixctl_path().empty());
}
