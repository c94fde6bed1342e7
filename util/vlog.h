// Logging with Open vSwitch's vlog semantics: named modules, each with a
// level per destination (console = stderr, syslog, file), configured with
// the same spec strings (`-vconsole:off`, `--verbose=ANY:ANY:dbg`,
// `vlog/set jsonrpc:file:dbg`, `PATTERN:file:%m`, `FACILITY:local0`) and
// written in the same line formats, so OVS tooling and habits carry over.
//
// Use: one module per source file, at namespace scope,
//     static xvs::VlogModule vlog("unixctl");
//     vlog.info("listening on {}", path);
//     static xvs::RateLimiter rl(5, 5);
//     vlog.warn_rl(rl, "{}: bad message", name);   // hot paths
// Thread-safe; configuration is process-wide, as in OVS.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace xvs {

// Ordered so that a message at level L is logged where the configured
// level is >= L.
enum class LogLevel : int { Off, Emer, Err, Warn, Info, Dbg };
// Numbered as in OVS; vlog/list prints them console, syslog, file.
enum class LogDestination : int { Syslog, Console, File };
constexpr int kLogDestinations = 3;

// "OFF", "EMER", "ERR", "WARN", "INFO", "DBG".
std::string_view log_level_name(LogLevel level);
// Case-insensitive, as OVS.
std::optional<LogLevel> parse_log_level(std::string_view name);
// "SYSLOG", "CONSOLE", "FILE".
std::string_view log_destination_name(LogDestination d);
std::optional<LogDestination> parse_log_destination(std::string_view name);

class VlogModule;

// A token bucket: at most `per_minute` messages a minute after a burst of
// `burst`. When messages were dropped, the next one admitted is preceded
// by OVS's "Dropped N log messages in last S seconds ..." line.
class RateLimiter {
public:
    RateLimiter(unsigned per_minute, unsigned burst);
    // Whether to log now; a false answer is counted as a drop.
    bool admit(VlogModule& module, LogLevel level);
    // The same at a given time on the monotonic clock, in milliseconds.
    bool admit_at(VlogModule& module, LogLevel level, int64_t now_ms);

private:
    std::mutex mutex_;
    unsigned rate_;  // tokens per millisecond (1 message = 60000 tokens)
    uint64_t capacity_;
    uint64_t tokens_;
    int64_t last_fill_ms_ = -1;
    unsigned n_dropped_ = 0;
    int64_t first_dropped_s_ = 0, last_dropped_s_ = 0;
};

class VlogModule {
public:
    // Registers the module; it must have static storage duration. Levels
    // start at INFO for every destination (OVS's default).
    explicit VlogModule(const char* name);
    VlogModule(const VlogModule&) = delete;
    VlogModule& operator=(const VlogModule&) = delete;

    const std::string& name() const { return name_; }
    LogLevel level(LogDestination d) const;
    // Cheap check before building an expensive message.
    bool enabled(LogLevel level) const {
        return level != LogLevel::Off && static_cast<int>(level) <= min_level_.load(std::memory_order_relaxed);
    }
    bool honors_rate_limits() const { return honor_rate_limits_.load(std::memory_order_relaxed); }

    template <typename... Args>
    void log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
        if (enabled(level)) write(level, fmt::format(f, std::forward<Args>(args)...));
    }
    template <typename... Args>
    void log_rl(RateLimiter& rl, LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
        if (enabled(level) && (!honors_rate_limits() || rl.admit(*this, level)))
            write(level, fmt::format(f, std::forward<Args>(args)...));
    }

#define XVS_VLOG_LEVEL_HELPERS(fn, LEVEL)                                          \
    template <typename... Args>                                                    \
    void fn(fmt::format_string<Args...> f, Args&&... args) {                       \
        log(LogLevel::LEVEL, f, std::forward<Args>(args)...);                      \
    }                                                                              \
    template <typename... Args>                                                    \
    void fn##_rl(RateLimiter& rl, fmt::format_string<Args...> f, Args&&... args) { \
        log_rl(rl, LogLevel::LEVEL, f, std::forward<Args>(args)...);               \
    }
    XVS_VLOG_LEVEL_HELPERS(emer, Emer)
    XVS_VLOG_LEVEL_HELPERS(err, Err)
    XVS_VLOG_LEVEL_HELPERS(warn, Warn)
    XVS_VLOG_LEVEL_HELPERS(info, Info)
    XVS_VLOG_LEVEL_HELPERS(dbg, Dbg)
#undef XVS_VLOG_LEVEL_HELPERS

    // Writes a formatted message to every destination whose level admits it.
    void write(LogLevel level, std::string_view message);

private:
    friend struct VlogAccess;
    std::string name_;
    std::atomic<int> levels_[kLogDestinations];
    // Highest level any destination that can take a message would log at;
    // the file counts only while a log file is open.
    std::atomic<int> min_level_;
    std::atomic<bool> honor_rate_limits_{true};
};

// ---- configuration (process-wide) ----

// The program name for %A, syslog's ident and the default log file name.
void vlog_set_program_name(std::string name);
const std::string& vlog_program_name();

VlogModule* vlog_module_from_name(std::string_view name);
std::vector<VlogModule*> vlog_modules();

// module == nullptr: every module; destination empty: every destination.
void vlog_set_levels(VlogModule* module, std::optional<LogDestination> destination, LogLevel level);

// One spec as OVS takes it on -v/--verbose and in vlog/set: words
// separated by ' ', ',', ':' or tab naming at most one module, one
// destination and one level ("ANY" counts as none); what is not named is
// every module, every destination, and "dbg". Also "PATTERN:<dest>:<fmt>"
// and "FACILITY:<facility>". The error texts are OVS's.
Status vlog_set_levels_from_string(std::string_view spec);
// -v / --verbose[=SPEC]: no spec means every module at dbg everywhere.
// Errors read `processing "SPEC": ...`, as OVS prints them.
Status vlog_set_verbosity(std::optional<std::string_view> spec);

void vlog_set_pattern(std::optional<LogDestination> destination, std::string_view pattern);
std::string vlog_get_pattern(LogDestination destination);

// Opens (appending, creating with mode 0660) and starts logging to file.
// Reopening the file already open is a no-op, as in OVS.
Status vlog_set_log_file(const std::string& path);
// For rotation: opens the log file's name afresh (a renamed file is left
// behind and a new one created). No log file: nothing to do.
Status vlog_reopen_log_file();
void vlog_close_log_file();
std::optional<std::string> vlog_log_file();

// The text of vlog/list and vlog/list-pattern.
std::string vlog_get_levels();
std::string vlog_get_patterns();
// vlog/enable-rate-limit, vlog/disable-rate-limit: module names or "ANY",
// no names meaning all.
Status vlog_set_rate_limits(const std::vector<std::string>& modules, bool enable);

// One line in `pattern` (OVS's escapes: %A %B %c %d %D %E %m %N %n %p %P
// %r %t %T, with optional '-' (left-justify), '0' (zero pad) and a width;
// %d/%D take an strftime format in braces whose "###" is milliseconds).
std::string vlog_format(std::string_view pattern, const VlogModule& module, LogLevel level, std::string_view message,
                        std::chrono::system_clock::time_point when, unsigned seq);

}  // namespace xvs
