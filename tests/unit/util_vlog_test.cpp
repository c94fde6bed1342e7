// vlog: spec parsing as OVS parses -v/--verbose and vlog/set, the line
// formats, vlog/list output, log files and rate limiting.
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "util/vlog.h"
#include "util_test_support.h"

using namespace xvs;
using xvs::test::TempDir;

namespace {

VlogModule alpha("test_alpha");
VlogModule beta("test_beta");

// Every test starts from OVS's defaults, minus console and syslog output
// (tests must not write to the machine's syslog).
struct Defaults {
    Defaults() { reset(); }
    ~Defaults() { reset(); }
    static void reset() {
        vlog_set_levels(nullptr, std::nullopt, LogLevel::Info);
        vlog_set_levels(nullptr, LogDestination::Console, LogLevel::Off);
        vlog_set_levels(nullptr, LogDestination::Syslog, LogLevel::Off);
        vlog_set_pattern(LogDestination::Syslog, "ovs|%05N|%c%T|%p|%m");
        vlog_set_pattern(LogDestination::Console, "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m");
        vlog_set_pattern(LogDestination::File, "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m");
        (void)vlog_set_rate_limits({}, true);
        vlog_close_log_file();
    }
};

std::string levels_of(const VlogModule& m) {
    return fmt::format("{} {} {}", log_level_name(m.level(LogDestination::Console)),
                       log_level_name(m.level(LogDestination::Syslog)), log_level_name(m.level(LogDestination::File)));
}

std::string error_of(std::string_view spec) {
    auto st = vlog_set_levels_from_string(spec);
    REQUIRE_FALSE(st.ok());
    return st.message();
}

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// 2026-11-22T16:00:00.123Z
std::chrono::system_clock::time_point fixed_time() {
    struct tm tm {};
    tm.tm_year = 2026 - 1900;
    tm.tm_mon = 10;
    tm.tm_mday = 22;
    tm.tm_hour = 16;
    return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(123);
}

}  // namespace

TEST_CASE("vlog: level specs as -v and vlog/set take them") {
    Defaults d;
    REQUIRE(vlog_set_levels_from_string("console:dbg").ok());
    CHECK(levels_of(alpha) == "DBG OFF INFO");
    CHECK(levels_of(beta) == "DBG OFF INFO");

    REQUIRE(vlog_set_levels_from_string("console:off").ok());
    CHECK(levels_of(alpha) == "OFF OFF INFO");

    REQUIRE(vlog_set_levels_from_string("file:dbg").ok());
    CHECK(levels_of(alpha) == "OFF OFF DBG");

    REQUIRE(vlog_set_levels_from_string("ANY:ANY:warn").ok());
    CHECK(levels_of(alpha) == "WARN WARN WARN");

    REQUIRE(vlog_set_levels_from_string("test_alpha:file:err").ok());
    CHECK(levels_of(alpha) == "WARN WARN ERR");
    CHECK(levels_of(beta) == "WARN WARN WARN");

    // A module alone: every destination at dbg.
    REQUIRE(vlog_set_levels_from_string("test_beta").ok());
    CHECK(levels_of(beta) == "DBG DBG DBG");

    // Case, and every separator OVS accepts.
    REQUIRE(vlog_set_levels_from_string(" TEST_ALPHA , SysLog\tEmer").ok());
    CHECK(levels_of(alpha) == "WARN EMER ERR");

    // Nothing named: everything at dbg.
    REQUIRE(vlog_set_levels_from_string("").ok());
    CHECK(levels_of(alpha) == "DBG DBG DBG");
}

TEST_CASE("vlog: spec errors are OVS's") {
    Defaults d;
    CHECK(error_of("foo") == "no destination, level, or module \"foo\"");
    CHECK(error_of("console:file") == "cannot specify multiple destinations");
    CHECK(error_of("dbg:info") == "cannot specify multiple levels");
    CHECK(error_of("test_alpha:test_beta") == "cannot specify multiple modules");
    CHECK(error_of("PATTERN") == "missing destination");
    CHECK(error_of("PATTERN:nowhere:%m") == "unknown destination \"nowhere\"");
    CHECK(error_of("FACILITY:nowhere") == "invalid facility");
    CHECK(vlog_set_levels_from_string("FACILITY:local3").ok());
    CHECK(vlog_set_levels_from_string("FACILITY:daemon").ok());
    // Nothing changed by the failures.
    CHECK(levels_of(alpha) == "OFF OFF INFO");
}

TEST_CASE("vlog: -v/--verbose") {
    Defaults d;
    REQUIRE(vlog_set_verbosity(std::nullopt).ok());
    CHECK(levels_of(alpha) == "DBG DBG DBG");
    auto st = vlog_set_verbosity("bogus:dbg");
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == "processing \"bogus:dbg\": no destination, level, or module \"bogus\"");
}

TEST_CASE("vlog: PATTERN keeps the rest of the spec, colons included") {
    Defaults d;
    REQUIRE(vlog_set_levels_from_string("PATTERN:file:%c: %m").ok());
    CHECK(vlog_get_pattern(LogDestination::File) == "%c: %m");
    CHECK(vlog_get_pattern(LogDestination::Console) == "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m");
    REQUIRE(vlog_set_levels_from_string("PATTERN:ANY:%p %m").ok());
    CHECK(vlog_get_pattern(LogDestination::Syslog) == "%p %m");
    CHECK(vlog_get_pattern(LogDestination::Console) == "%p %m");
}

TEST_CASE("vlog: line formats") {
    Defaults d;
    auto t = fixed_time();
    CHECK(vlog_format(vlog_get_pattern(LogDestination::File), alpha, LogLevel::Info, "hello", t, 42) ==
          "2026-11-22T16:00:00.123Z|00042|test_alpha|INFO|hello");
    CHECK(vlog_format(vlog_get_pattern(LogDestination::Console), alpha, LogLevel::Warn, "hello", t, 7) ==
          "2026-11-22T16:00:00Z|00007|test_alpha|WARN|hello");
    CHECK(vlog_format(vlog_get_pattern(LogDestination::Syslog), beta, LogLevel::Dbg, "x", t, 123456) ==
          "ovs|123456|test_beta|DBG|x");
    CHECK(vlog_format("%-12c|%5p|%05N|%m%n", alpha, LogLevel::Err, "trailing newlines go\n\n", t, 3) ==
          "test_alpha  |  ERR|00003|trailing newlines go\n");
    CHECK(vlog_format("%D{%H:%M:%S.######}", alpha, LogLevel::Info, "", t, 0) == "16:00:00.123000");
    CHECK(vlog_format("%t %% %P", alpha, LogLevel::Info, "", t, 0) == fmt::format("main % {}", ::getpid()));
    vlog_set_program_name("prog-under-test");
    CHECK(vlog_format("%A:%c", alpha, LogLevel::Info, "", t, 0) == "prog-under-test:test_alpha");
}

TEST_CASE("vlog: vlog/list and vlog/list-pattern text") {
    Defaults d;
    REQUIRE(vlog_set_levels_from_string("test_alpha:file:dbg").ok());
    REQUIRE(vlog_set_rate_limits({"test_beta"}, false).ok());
    std::string text = vlog_get_levels();
    CHECK(text.rfind("                 console    syslog    file\n"
                     "                 -------    ------    ------\n",
                     0) == 0);
    CHECK(text.find("\ntest_alpha         OFF        OFF        DBG\n") != std::string::npos);
    CHECK(text.find("\ntest_beta          OFF        OFF       INFO    (rate limiting disabled)\n") !=
          std::string::npos);
    CHECK(text.find("test_alpha") < text.find("test_beta"));  // sorted
    CHECK(vlog_set_rate_limits({"nosuchmodule"}, true).message() == "unknown module");

    CHECK(vlog_get_patterns() ==
          "         prefix                            format\n"
          "         ------                            ------\n"
          "SYSLOG   <%B> %D{%h %e %T} %E %A:          ovs|%05N|%c%T|%p|%m\n"
          "CONSOLE  none                              %D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m\n"
          "FILE     none                              %D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m\n");
}

TEST_CASE("vlog: log file levels, reopen after rotation, close") {
    Defaults d;
    TempDir dir;
    std::string path = dir.file("x.log");
    CHECK_FALSE(alpha.enabled(LogLevel::Info));  // nowhere to log yet
    REQUIRE(vlog_set_log_file(path).ok());
    CHECK(alpha.enabled(LogLevel::Info));
    CHECK_FALSE(alpha.enabled(LogLevel::Dbg));

    alpha.info("one {}", 1);
    alpha.dbg("not logged");
    REQUIRE(vlog_set_levels_from_string("test_alpha:file:dbg").ok());
    alpha.dbg("three");
    REQUIRE(vlog_set_levels_from_string("test_alpha:file:off").ok());
    alpha.emer("not logged either");

    auto lines = lines_of(path);
    REQUIRE(lines.size() == 3);
    std::regex line_re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|\d{5}\|(\w+)\|(\w+)\|(.*))");
    std::smatch m;
    REQUIRE(std::regex_match(lines[0], m, line_re));
    CHECK(m[1] == "vlog");
    CHECK(m[3] == "opened log file " + path);
    REQUIRE(std::regex_match(lines[1], m, line_re));
    CHECK(m[1] == "test_alpha");
    CHECK(m[2] == "INFO");
    CHECK(m[3] == "one 1");
    REQUIRE(std::regex_match(lines[2], m, line_re));
    CHECK(m[2] == "DBG");
    CHECK(m[3] == "three");

    // Reopening the same file does nothing.
    REQUIRE(vlog_reopen_log_file().ok());
    CHECK(lines_of(path).size() == 3);

    // Rotation: the old file is closed, the name opened afresh.
    std::filesystem::rename(path, path + ".1");
    REQUIRE(vlog_reopen_log_file().ok());
    beta.warn("after rotation");
    auto old_lines = lines_of(path + ".1");
    CHECK(old_lines.back().find("|vlog|INFO|closing log file") != std::string::npos);
    auto fresh = lines_of(path);
    REQUIRE(fresh.size() == 2);
    CHECK(fresh[0].find("|vlog|INFO|opened log file " + path) != std::string::npos);
    CHECK(fresh[1].find("|test_beta|WARN|after rotation") != std::string::npos);

    vlog_close_log_file();
    CHECK_FALSE(beta.enabled(LogLevel::Warn));
    beta.warn("gone");
    CHECK(lines_of(path).size() == 2);
    CHECK(vlog_log_file() == path);  // kept for vlog/reopen, as OVS does

    auto bad = vlog_set_log_file(dir.file("no/such/dir.log"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.message() == "failed to open " + dir.file("no/such/dir.log") + " for logging: No such file or directory");
}

TEST_CASE("vlog: rate limiting drops, then reports the drops") {
    Defaults d;
    TempDir dir;
    REQUIRE(vlog_set_log_file(dir.file("rl.log")).ok());
    RateLimiter rl(60, 2);  // one message a second after a burst of two
    CHECK(rl.admit_at(alpha, LogLevel::Warn, 1000));
    CHECK(rl.admit_at(alpha, LogLevel::Warn, 1000));
    CHECK_FALSE(rl.admit_at(alpha, LogLevel::Warn, 1000));
    CHECK_FALSE(rl.admit_at(alpha, LogLevel::Warn, 1500));
    CHECK(rl.admit_at(alpha, LogLevel::Warn, 2001));
    auto lines = lines_of(dir.file("rl.log"));
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].find("|test_alpha|WARN|Dropped 2 log messages in last 1 seconds (most recently, 1 seconds ago) "
                        "due to excessive rate") != std::string::npos);

    // With rate limits disabled for the module every message goes through.
    REQUIRE(vlog_set_rate_limits({"test_alpha"}, false).ok());
    RateLimiter strict(1, 1);
    for (int i = 0; i < 5; i++) alpha.warn_rl(strict, "burst {}", i);
    CHECK(lines_of(dir.file("rl.log")).size() == 7);
    REQUIRE(vlog_set_rate_limits({}, true).ok());
    for (int i = 0; i < 5; i++) beta.warn_rl(strict, "limited {}", i);
    CHECK(lines_of(dir.file("rl.log")).size() == 8);
}
