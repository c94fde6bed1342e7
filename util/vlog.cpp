#include "util/vlog.h"

#include <fcntl.h>
#include <pthread.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace xvs {

namespace {

constexpr std::string_view kLevelNames[] = {"OFF", "EMER", "ERR", "WARN", "INFO", "DBG"};
constexpr int kSyslogLevels[] = {LOG_ALERT, LOG_ALERT, LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_DEBUG};
constexpr std::string_view kDestinationNames[] = {"SYSLOG", "CONSOLE", "FILE"};
// OVS's default patterns, unchanged (including syslog's "ovs|" tag) so
// that tools reading OVS logs read ours.
constexpr std::string_view kDefaultPatterns[] = {
    "ovs|%05N|%c%T|%p|%m",
    "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m",
    "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m",
};
// What libc's syslog() puts before our text (vlog/list-pattern shows it).
constexpr std::string_view kSyslogPrefix = "<%B> %D{%h %e %T} %E %A:";

struct Facility {
    std::string_view name;
    int value;
};
constexpr Facility kFacilities[] = {
    {"kern", LOG_KERN},     {"user", LOG_USER},     {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON},
    {"auth", LOG_AUTH},     {"syslog", LOG_SYSLOG}, {"lpr", LOG_LPR},       {"news", LOG_NEWS},
    {"uucp", LOG_UUCP},     {"clock", LOG_CRON},    {"ftp", LOG_FTP},       {"ntp", 12 << 3},
    {"audit", 13 << 3},     {"alert", 14 << 3},     {"clock2", 15 << 3},    {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

// Process-wide configuration. Never destroyed: code running in static
// destructors may still log.
struct VlogState {
    std::mutex mutex;  // everything below
    std::vector<VlogModule*> modules;
    std::string program = "xvs";
    std::string patterns[kLogDestinations] = {std::string(kDefaultPatterns[0]), std::string(kDefaultPatterns[1]),
                                              std::string(kDefaultPatterns[2])};
    int log_fd = -1;
    std::string log_file;
    int facility = 0;  // 0: LOG_DAEMON for openlog, LOG_LOCAL0 for %B (as OVS)
    std::string syslog_ident;
    bool syslog_open = false;
    std::atomic<unsigned> seq{0};
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

VlogState& state() {
    static VlogState* s = new VlogState;
    return *s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// strftime, then every run of '#' becomes the milliseconds (then zeros).
std::string strftime_msec(const std::string& format, std::chrono::system_clock::time_point when, bool utc) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
    time_t secs = static_cast<time_t>(ms / 1000);
    int msec = static_cast<int>(ms % 1000);
    struct tm tm {};
    if (utc)
        gmtime_r(&secs, &tm);
    else
        localtime_r(&secs, &tm);
    char buf[256];
    size_t n = format.empty() ? 0 : std::strftime(buf, sizeof buf, format.c_str(), &tm);
    std::string out(buf, n);
    std::string digits = fmt::format("{:03d}", msec);
    for (size_t p = out.find('#'); p != std::string::npos; p = out.find('#', p)) {
        for (int d = 0; p < out.size() && out[p] == '#'; p++, d++) out[p] = d < 3 ? digits[d] : '0';
    }
    return out;
}

std::string thread_name() {
    if (static_cast<pid_t>(::syscall(SYS_gettid)) == ::getpid()) return "";
    char name[32] = "";
    pthread_getname_np(pthread_self(), name, sizeof name);
    return name;
}

// The recorded position after a token's delimiter matters for
// PATTERN:dest:<rest>, as with strtok_r in OVS.
struct Tokenizer {
    std::string_view s;
    size_t pos = 0;
    static bool delim(char c) { return c == ' ' || c == ',' || c == ':' || c == '\t'; }
    std::optional<std::string_view> next() {
        while (pos < s.size() && delim(s[pos])) pos++;
        if (pos >= s.size()) return std::nullopt;
        size_t start = pos;
        while (pos < s.size() && !delim(s[pos])) pos++;
        std::string_view tok = s.substr(start, pos - start);
        if (pos < s.size()) pos++;  // strtok_r consumes the delimiter after the token
        return tok;
    }
    std::string_view rest() const { return s.substr(std::min(pos, s.size())); }
};

}  // namespace

// Private access to modules for the configuration functions below.
struct VlogAccess {
    static void update_min_level(VlogModule& m, bool file_open) {
        int min = static_cast<int>(LogLevel::Off);
        for (int d = 0; d < kLogDestinations; d++) {
            if (d == static_cast<int>(LogDestination::File) && !file_open) continue;
            min = std::max(min, m.levels_[d].load(std::memory_order_relaxed));
        }
        m.min_level_.store(min, std::memory_order_relaxed);
    }
    static void set_level(VlogModule& m, int d, LogLevel level, bool file_open) {
        m.levels_[d].store(static_cast<int>(level), std::memory_order_relaxed);
        update_min_level(m, file_open);
    }
    static void set_rate_limit(VlogModule& m, bool on) { m.honor_rate_limits_.store(on); }
};

static VlogModule this_module("vlog");

std::string_view log_level_name(LogLevel level) {
    return kLevelNames[static_cast<int>(level)];
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
    for (int i = 0; i < 6; i++) {
        if (iequals(name, kLevelNames[i])) return static_cast<LogLevel>(i);
    }
    return std::nullopt;
}

std::string_view log_destination_name(LogDestination d) {
    return kDestinationNames[static_cast<int>(d)];
}

std::optional<LogDestination> parse_log_destination(std::string_view name) {
    for (int i = 0; i < kLogDestinations; i++) {
        if (iequals(name, kDestinationNames[i])) return static_cast<LogDestination>(i);
    }
    return std::nullopt;
}

// ---- modules ----

VlogModule::VlogModule(const char* name) : name_(name) {
    for (auto& l : levels_) l.store(static_cast<int>(LogLevel::Info));
    auto& st = state();
    std::lock_guard lock(st.mutex);
    VlogAccess::update_min_level(*this, st.log_fd >= 0);
    st.modules.push_back(this);
}

LogLevel VlogModule::level(LogDestination d) const {
    return static_cast<LogLevel>(levels_[static_cast<int>(d)].load(std::memory_order_relaxed));
}

void VlogModule::write(LogLevel level, std::string_view message) {
    auto& st = state();
    int lv = static_cast<int>(level);
    bool to_console = levels_[static_cast<int>(LogDestination::Console)].load() >= lv;
    bool to_syslog = levels_[static_cast<int>(LogDestination::Syslog)].load() >= lv;
    bool to_file = levels_[static_cast<int>(LogDestination::File)].load() >= lv;
    if (level == LogLevel::Off || !(to_console || to_syslog || to_file)) return;

    unsigned seq = st.seq.fetch_add(1) + 1;
    auto now = std::chrono::system_clock::now();
    std::lock_guard lock(st.mutex);
    if (to_console) {
        std::string line = vlog_format(st.patterns[1], *this, level, message, now, seq) + "\n";
        [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    }
    if (to_syslog) {
        if (!st.syslog_open || st.syslog_ident != st.program) {
            if (st.syslog_open) closelog();
            st.syslog_ident = st.program;  // openlog keeps the pointer
            openlog(st.syslog_ident.c_str(), LOG_NDELAY, st.facility ? st.facility : LOG_DAEMON);
            st.syslog_open = true;
        }
        std::string text = vlog_format(st.patterns[0], *this, level, message, now, seq);
        size_t start = 0;
        while (start <= text.size()) {
            size_t nl = text.find('\n', start);
            if (nl == std::string::npos) nl = text.size();
            if (nl > start) {
                std::string line = text.substr(start, nl - start);
                ::syslog(kSyslogLevels[lv] | st.facility, "%s", line.c_str());
            }
            start = nl + 1;
        }
    }
    if (to_file && st.log_fd >= 0) {
        std::string line = vlog_format(st.patterns[2], *this, level, message, now, seq) + "\n";
        [[maybe_unused]] ssize_t n = ::write(st.log_fd, line.data(), line.size());
    }
}

// ---- rate limiting ----

RateLimiter::RateLimiter(unsigned per_minute, unsigned burst)
    : rate_(per_minute), capacity_(static_cast<uint64_t>(std::max(burst, 1u)) * 60000), tokens_(0) {}

bool RateLimiter::admit(VlogModule& module, LogLevel level) {
    return admit_at(module, level, steady_ms());
}

bool RateLimiter::admit_at(VlogModule& module, LogLevel level, int64_t now) {
    constexpr uint64_t kMsgTokens = 60000;
    unsigned dropped = 0;
    int64_t first = 0, last = 0;
    {
        std::lock_guard lock(mutex_);
        if (last_fill_ms_ < 0) {
            tokens_ = capacity_;
        } else if (now > last_fill_ms_) {
            uint64_t add = static_cast<uint64_t>(now - last_fill_ms_) * rate_;
            tokens_ = std::min(capacity_, tokens_ + add);
        }
        last_fill_ms_ = now;
        if (tokens_ < kMsgTokens) {
            int64_t now_s = now / 1000;
            if (!n_dropped_) first_dropped_s_ = now_s;
            last_dropped_s_ = now_s;
            n_dropped_++;
            return false;
        }
        tokens_ -= kMsgTokens;
        if (n_dropped_) {
            dropped = n_dropped_;
            first = now / 1000 - first_dropped_s_;
            last = now / 1000 - last_dropped_s_;
            n_dropped_ = 0;
        }
    }
    if (dropped) {
        module.write(level, fmt::format("Dropped {} log messages in last {} seconds (most recently, {} seconds ago) "
                                        "due to excessive rate",
                                        dropped, first, last));
    }
    return true;
}

// ---- configuration ----

void vlog_set_program_name(std::string name) {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    st.program = std::move(name);
}

const std::string& vlog_program_name() {
    return state().program;
}

VlogModule* vlog_module_from_name(std::string_view name) {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    for (auto* m : st.modules) {
        if (iequals(m->name(), name)) return m;
    }
    return nullptr;
}

std::vector<VlogModule*> vlog_modules() {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    return st.modules;
}

void vlog_set_levels(VlogModule* module, std::optional<LogDestination> destination, LogLevel level) {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    bool file_open = st.log_fd >= 0;
    for (int d = 0; d < kLogDestinations; d++) {
        if (destination && static_cast<int>(*destination) != d) continue;
        if (module) {
            VlogAccess::set_level(*module, d, level, file_open);
        } else {
            for (auto* m : st.modules) VlogAccess::set_level(*m, d, level, file_open);
        }
    }
}

Status vlog_set_levels_from_string(std::string_view spec) {
    Tokenizer t{spec};
    auto word = t.next();
    if (word && iequals(*word, "PATTERN")) {
        auto dest_word = t.next();
        if (!dest_word) return make_error("missing destination");
        std::optional<LogDestination> dest;
        if (!iequals(*dest_word, "ANY")) {
            dest = parse_log_destination(*dest_word);
            if (!dest) return make_error("unknown destination \"{}\"", *dest_word);
        }
        vlog_set_pattern(dest, t.rest());
        return {};
    }
    if (word && iequals(*word, "FACILITY")) {
        std::string_view name = t.rest();
        for (const auto& f : kFacilities) {
            if (iequals(f.name, name)) {
                auto& st = state();
                std::lock_guard lock(st.mutex);
                st.facility = f.value;
                if (st.syslog_open) {
                    closelog();
                    st.syslog_open = false;
                }
                return {};
            }
        }
        return make_error("invalid facility");
    }

    VlogModule* module = nullptr;
    std::optional<LogDestination> dest;
    std::optional<LogLevel> level;
    for (; word; word = t.next()) {
        if (iequals(*word, "ANY")) continue;
        if (auto d = parse_log_destination(*word)) {
            if (dest) return make_error("cannot specify multiple destinations");
            dest = d;
        } else if (auto l = parse_log_level(*word)) {
            if (level) return make_error("cannot specify multiple levels");
            level = l;
        } else if (auto* m = vlog_module_from_name(*word)) {
            if (module) return make_error("cannot specify multiple modules");
            module = m;
        } else {
            return make_error("no destination, level, or module \"{}\"", *word);
        }
    }
    vlog_set_levels(module, dest, level.value_or(LogLevel::Dbg));
    return {};
}

Status vlog_set_verbosity(std::optional<std::string_view> spec) {
    if (!spec) {
        vlog_set_levels(nullptr, std::nullopt, LogLevel::Dbg);
        return {};
    }
    auto st = vlog_set_levels_from_string(*spec);
    if (!st) return make_error("processing \"{}\": {}", *spec, st.message());
    return {};
}

void vlog_set_pattern(std::optional<LogDestination> destination, std::string_view pattern) {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    for (int d = 0; d < kLogDestinations; d++) {
        if (!destination || static_cast<int>(*destination) == d) st.patterns[d] = std::string(pattern);
    }
}

std::string vlog_get_pattern(LogDestination destination) {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    return st.patterns[static_cast<int>(destination)];
}

Status vlog_set_log_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0660);
    if (fd < 0) {
        auto err = make_error("failed to open {} for logging: {}", path, std::strerror(errno));
        this_module.warn("{}", err.message);
        return err;
    }
    auto& st = state();
    bool had_file;
    {
        std::lock_guard lock(st.mutex);
        struct stat a {
        }, b{};
        if (st.log_fd >= 0 && ::fstat(st.log_fd, &a) == 0 && ::fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino) {
            ::close(fd);
            return {};
        }
        had_file = st.log_fd >= 0;
    }
    if (had_file) this_module.info("closing log file");
    {
        std::lock_guard lock(st.mutex);
        if (st.log_fd >= 0) ::close(st.log_fd);
        st.log_fd = fd;
        st.log_file = path;
        for (auto* m : st.modules) VlogAccess::update_min_level(*m, true);
    }
    this_module.info("opened log file {}", path);
    return {};
}

Status vlog_reopen_log_file() {
    auto name = vlog_log_file();
    if (!name) return {};
    return vlog_set_log_file(*name);
}

void vlog_close_log_file() {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    if (st.log_fd < 0) return;
    ::close(st.log_fd);
    st.log_fd = -1;
    for (auto* m : st.modules) VlogAccess::update_min_level(*m, false);
}

std::optional<std::string> vlog_log_file() {
    auto& st = state();
    std::lock_guard lock(st.mutex);
    if (st.log_file.empty()) return std::nullopt;
    return st.log_file;
}

std::string vlog_get_levels() {
    std::vector<std::string> lines;
    for (auto* m : vlog_modules()) {
        std::string line = fmt::format(
            "{:<16}  {:>4}       {:>4}       {:>4}", m->name(), log_level_name(m->level(LogDestination::Console)),
            log_level_name(m->level(LogDestination::Syslog)), log_level_name(m->level(LogDestination::File)));
        if (!m->honors_rate_limits()) line += "    (rate limiting disabled)";
        lines.push_back(line + "\n");
    }
    std::sort(lines.begin(), lines.end());
    std::string out =
        "                 console    syslog    file\n"
        "                 -------    ------    ------\n";
    for (const auto& l : lines) out += l;
    return out;
}

std::string vlog_get_patterns() {
    std::string out =
        "         prefix                            format\n"
        "         ------                            ------\n";
    for (int d = 0; d < kLogDestinations; d++) {
        auto dest = static_cast<LogDestination>(d);
        std::string_view prefix = dest == LogDestination::Syslog ? kSyslogPrefix : "none";
        out += fmt::format("{:<7}  {:<32}  {}\n", log_destination_name(dest), prefix, vlog_get_pattern(dest));
    }
    return out;
}

Status vlog_set_rate_limits(const std::vector<std::string>& modules, bool enable) {
    auto set_all = [&] {
        for (auto* m : vlog_modules()) VlogAccess::set_rate_limit(*m, enable);
    };
    if (modules.empty()) set_all();
    for (const auto& name : modules) {
        if (iequals(name, "ANY")) {
            set_all();
        } else if (auto* m = vlog_module_from_name(name)) {
            VlogAccess::set_rate_limit(*m, enable);
        } else {
            return make_error("unknown module");
        }
    }
    return {};
}

// ---- formatting ----

namespace {

struct FormatContext {
    const VlogModule& module;
    LogLevel level;
    std::string_view message;
    std::chrono::system_clock::time_point when;
    unsigned seq;
};

// The text of one escape; `arg` is what followed it in braces, if anything.
std::string expand_escape(char c, const std::optional<std::string>& arg, const FormatContext& ctx) {
    constexpr std::string_view kDefaultTime = "%Y-%m-%d %H:%M:%S.###";
    switch (c) {
        case 'A':
            return state().program;
        case 'B': {
            int fac = state().facility;
            return std::to_string((fac ? fac : LOG_LOCAL0) + kSyslogLevels[static_cast<int>(ctx.level)]);
        }
        case 'c':
            return ctx.module.name();
        case 'd':
            return strftime_msec(arg.value_or(std::string(kDefaultTime)), ctx.when, false);
        case 'D':
            return strftime_msec(arg.value_or(std::string(kDefaultTime)), ctx.when, true);
        case 'E': {
            char host[256] = "";
            ::gethostname(host, sizeof host - 1);
            return host;
        }
        case 'm': {
            std::string m(ctx.message);
            while (!m.empty() && m.back() == '\n') m.pop_back();
            return m;
        }
        case 'N':
            return std::to_string(ctx.seq);
        case 'n':
            return "\n";
        case 'p':
            return std::string(log_level_name(ctx.level));
        case 'P':
            return std::to_string(::getpid());
        case 'r':
            return std::to_string(
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - state().start)
                    .count());
        case 't': {
            std::string t = thread_name();
            return t.empty() ? "main" : t;
        }
        case 'T': {
            std::string t = thread_name();
            return t.empty() ? "" : "(" + t + ")";
        }
        default:
            return std::string(1, c);
    }
}

}  // namespace

std::string vlog_format(std::string_view pattern, const VlogModule& module, LogLevel level, std::string_view message,
                        std::chrono::system_clock::time_point when, unsigned seq) {
    FormatContext ctx{module, level, message, when, seq};
    std::string out;
    out.reserve(pattern.size() + message.size() + 64);
    size_t p = 0;
    while (p < pattern.size()) {
        if (pattern[p] != '%') {
            out += pattern[p++];
            continue;
        }
        p++;
        bool left = p < pattern.size() && pattern[p] == '-';
        if (left) p++;
        char pad = p < pattern.size() && pattern[p] == '0' ? '0' : ' ';
        if (pad == '0') p++;
        size_t width = 0;
        while (p < pattern.size() && pattern[p] >= '0' && pattern[p] <= '9') width = width * 10 + (pattern[p++] - '0');
        if (p >= pattern.size()) break;
        char c = pattern[p++];
        // %c, %d and %D may be followed by an argument in braces.
        std::optional<std::string> arg;
        if ((c == 'c' || c == 'd' || c == 'D') && p < pattern.size() && pattern[p] == '{') {
            size_t close = pattern.find('}', p + 1);
            size_t end = close == std::string_view::npos ? pattern.size() : close;
            arg = std::string(pattern.substr(p + 1, end - p - 1));
            p = close == std::string_view::npos ? pattern.size() : close + 1;
        }
        std::string field = expand_escape(c, arg, ctx);
        size_t fill = field.size() < width ? width - field.size() : 0;
        if (!left) out.append(fill, pad);
        out += field;
        if (left) out.append(fill, pad);
    }
    return out;
}

}  // namespace xvs
