#include "util/stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>

namespace xvs {

namespace {

constexpr std::string_view kSpecForms = "unix:PATH, tcp:IP:PORT, punix:PATH or ptcp:PORT[:IP]";

std::string_view unbracket(std::string_view s) {
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') return s.substr(1, s.size() - 2);
    return s;
}

struct HostPort {
    std::optional<std::string> host, port;
};

// OVS's tokenizing: more than one colon outside brackets means the whole
// text is a host (an IPv6 address without brackets and without a port);
// otherwise the one colon separates host and port, in the given order.
HostPort split_host_port(std::string_view s, bool host_first) {
    int colons = 0;
    size_t colon = std::string_view::npos;
    bool in_brackets = false;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == '[') {
            in_brackets = true;
        } else if (s[i] == ']') {
            in_brackets = false;
        } else if (s[i] == ':' && !in_brackets) {
            colons++;
            colon = i;
        }
    }
    HostPort hp;
    if (colons > 1) {
        hp.host = std::string(s);
        return hp;
    }
    std::optional<std::string> first, second;
    if (colon != std::string_view::npos) {
        first = std::string(unbracket(s.substr(0, colon)));
        second = std::string(unbracket(s.substr(colon + 1)));
    } else {
        first = std::string(unbracket(s));
    }
    if (host_first) {
        hp.host = first;
        hp.port = second;
    } else {
        hp.port = first;
        hp.host = second;
    }
    return hp;
}

Result<uint16_t> parse_port(std::string_view spec, const std::optional<std::string>& port_s,
                            const StreamSpecDefaults& defaults) {
    if (!port_s || port_s->empty()) {
        if (defaults.port) return *defaults.port;
        return make_error("{}: port must be specified", spec);
    }
    unsigned v = 0;
    for (char c : *port_s) {
        if (c < '0' || c > '9' || v > 65535) return make_error("{}: bad port number \"{}\"", spec, *port_s);
        v = v * 10 + (c - '0');
    }
    if (v > 65535) return make_error("{}: bad port number \"{}\"", spec, *port_s);
    return static_cast<uint16_t>(v);
}

Status fill_inet(StreamSpec& out, std::string_view spec, const HostPort& hp, const StreamSpecDefaults& defaults) {
    auto port = parse_port(spec, hp.port, defaults);
    if (!port) return port.error();
    if (!out.passive && *port == 0) return make_error("{}: port 0 cannot be connected to", spec);

    out.addr = {};
    std::string host = hp.host.value_or("");
    if (host.find(':') != std::string::npos) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(*port);
        std::string scope;
        if (auto pct = host.find('%'); pct != std::string::npos) {
            scope = host.substr(pct + 1);
            host.resize(pct);
        }
        if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1)
            return make_error("{}: bad IPv6 address \"{}\"", spec, host);
        if (!scope.empty()) {
            bool numeric = scope.size() <= 9 && scope.find_first_not_of("0123456789") == std::string::npos;
            sin6->sin6_scope_id = numeric ? std::stoul(scope) : if_nametoindex(scope.c_str());
            if (!sin6->sin6_scope_id) return make_error("{}: bad IPv6 scope \"{}\"", spec, scope);
        }
        out.addr_len = sizeof(sockaddr_in6);
    } else {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out.addr);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(*port);
        if (host.empty()) {
            if (!out.passive) return make_error("{}: host must be specified", spec);
            sin->sin_addr.s_addr = htonl(INADDR_ANY);
        } else if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) != 1) {
            // Name resolution would block the event loop; OVS resolves
            // asynchronously, which is not built here.
            return make_error("{}: bad IP address \"{}\" (host names are not supported)", spec, host);
        }
        out.addr_len = sizeof(sockaddr_in);
    }
    return {};
}

struct UnixAddr {
    sockaddr_un sun{};
    socklen_t len = 0;
    UniqueFd dirfd;  // keeps the /proc/self/fd alias valid until connect/bind
};

// sun_path holds at most 107 bytes; a longer path is reached through a
// descriptor of its directory under /proc/self/fd, as OVS does.
Result<UnixAddr> make_unix_addr(const std::string& path) {
    UnixAddr a;
    a.sun.sun_family = AF_UNIX;
    std::string use = path;
    if (path.size() >= sizeof a.sun.sun_path) {
        size_t slash = path.rfind('/');
        std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
        std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
        int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return make_error("{}: {}", dir, std::strerror(errno));
        a.dirfd.reset(fd);
        use = fmt::format("/proc/self/fd/{}/{}", fd, base);
        if (use.size() >= sizeof a.sun.sun_path) return make_error("{}: socket file name is too long", path);
    }
    std::memcpy(a.sun.sun_path, use.data(), use.size());
    a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + use.size() + 1);
    return a;
}

void set_nodelay(int fd) {
    int one = 1;
    // Only latency is at stake; a failure changes nothing else.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::atomic<unsigned> g_unix_peer_seq{0};

}  // namespace

Result<StreamSpec> parse_stream_spec(std::string_view spec, const StreamSpecDefaults& defaults) {
    size_t colon = spec.find(':');
    if (colon == std::string_view::npos)
        return make_error("\"{}\": not a connection method (expected {})", spec, kSpecForms);
    std::string_view method = spec.substr(0, colon);
    std::string_view rest = spec.substr(colon + 1);

    StreamSpec out;
    out.text = std::string(spec);
    if (method == "unix" || method == "punix") {
        out.kind = StreamSpec::Kind::Unix;
        out.passive = method == "punix";
        if (rest.empty()) return make_error("\"{}\": missing socket file name", spec);
        if (rest.front() != '/' && !defaults.rundir.empty())
            out.path = fmt::format("{}/{}", defaults.rundir, rest);
        else
            out.path = std::string(rest);
        return out;
    }
    if (method == "tcp" || method == "ptcp") {
        out.kind = StreamSpec::Kind::Tcp;
        out.passive = method == "ptcp";
        auto st = fill_inet(out, spec, split_host_port(rest, !out.passive), defaults);
        if (!st) return st.error();
        return out;
    }
    if (method == "ssl" || method == "pssl")
        return make_error("\"{}\": SSL connections are not supported (use {})", spec, kSpecForms);
    return make_error("\"{}\": unknown connection method \"{}\" (expected {})", spec, method, kSpecForms);
}

std::string format_sockaddr(const sockaddr_storage& ss) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
        return fmt::format("{}:{}", buf, ntohs(sin->sin_port));
    }
    if (ss.ss_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
        return fmt::format("[{}]:{}", buf, ntohs(sin6->sin6_port));
    }
    return "(unknown address family)";
}

// ---- Stream ----

Stream::Stream(UniqueFd fd, std::string name, State state)
    : fd_(std::move(fd)), name_(std::move(name)), state_(state) {}

Result<std::unique_ptr<Stream>> Stream::open(std::string_view spec, const StreamSpecDefaults& defaults) {
    auto parsed = parse_stream_spec(spec, defaults);
    if (!parsed) return parsed.error();
    return open(*parsed);
}

Result<std::unique_ptr<Stream>> Stream::open(const StreamSpec& spec, int* sys_error) {
    if (sys_error) *sys_error = 0;
    if (spec.passive) return make_error("{}: a passive connection method cannot be connected to", spec.text);
    bool is_unix = spec.kind == StreamSpec::Kind::Unix;
    int family = is_unix ? AF_UNIX : spec.addr.ss_family;
    UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return make_error("{}: socket: {}", spec.text, std::strerror(errno));

    int rc;
    if (is_unix) {
        auto addr = make_unix_addr(spec.path);
        if (!addr) return make_error("{}: {}", spec.text, addr.message());
        rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr->sun), addr->len);
    } else {
        set_nodelay(fd.get());
        rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&spec.addr), spec.addr_len);
    }
    State state = State::Connected;
    if (rc < 0) {
        // A Unix socket connects or fails at once (EAGAIN there means the
        // listener's backlog is full, not "in progress").
        if (errno != EINPROGRESS) {
            if (sys_error) *sys_error = errno;
            return make_error("{}: connection failed ({})", spec.text, std::strerror(errno));
        }
        state = State::Connecting;
    }
    return std::make_unique<Stream>(std::move(fd), spec.text, state);
}

void Stream::fail(int err, std::string_view what) {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    error_ = fmt::format("{}: {} ({})", name_, what, std::strerror(err));
    out_.clear();
    out_off_ = 0;
}

Stream::State Stream::poll_connect() {
    if (state_ != State::Connecting) return state_;
    pollfd p{fd_.get(), POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0) return state_;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err) {
        fail(err, "connection failed");
    } else {
        state_ = State::Connected;
        flush();
    }
    return state_;
}

size_t Stream::recv(std::string& buf, size_t max) {
    if (state_ != State::Connected || max == 0) return 0;
    // Read into scratch space and append only what arrived: growing 'buf'
    // by 'max' first would zero-fill all of it on every call (a 64 KiB
    // memset per read was a hot spot of the OVSDB server). One buffer per
    // thread, so idle streams cost nothing.
    thread_local std::unique_ptr<char[]> scratch;
    thread_local size_t scratch_size = 0;
    if (scratch_size < max) {
        scratch = std::make_unique_for_overwrite<char[]>(max);
        scratch_size = max;
    }
    ssize_t n = ::read(fd_.get(), scratch.get(), max);
    if (n > 0) {
        buf.append(scratch.get(), static_cast<size_t>(n));
        return n;
    }
    if (n == 0) {
        state_ = State::Closed;
        closed_by_peer_ = true;
        error_ = fmt::format("{}: connection closed by peer", name_);
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        fail(errno, "receive error");
    }
    return 0;
}

void Stream::send(std::string_view data) {
    if (state_ == State::Closed || data.empty()) return;
    if (state_ == State::Connected && backlog() == 0) {
        // Nothing queued: write straight from the caller's buffer.
        ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return fail(errno, "send error");
            n = 0;
        }
        data.remove_prefix(n);
        if (data.empty()) return;
    }
    out_.append(data);
    flush();
}

void Stream::enqueue(std::string_view data) {
    if (state_ == State::Closed) return;
    out_.append(data);
}

size_t Stream::flush() {
    while (state_ == State::Connected && backlog() > 0) {
        ssize_t n = ::send(fd_.get(), out_.data() + out_off_, backlog(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) fail(errno, "send error");
            break;
        }
        out_off_ += n;
    }
    if (out_off_ == out_.size()) {
        out_.clear();
        out_off_ = 0;
    } else if (out_off_ > (1u << 20) && out_off_ > out_.size() / 2) {
        // Reclaim the sent prefix once it dominates the buffer.
        out_.erase(0, out_off_);
        out_off_ = 0;
    }
    return backlog();
}

short Stream::wanted_events(bool want_read) const {
    if (state_ == State::Closed) return 0;
    if (state_ == State::Connecting) return POLLOUT;
    short ev = want_read ? POLLIN : 0;
    if (backlog() > 0) ev |= POLLOUT;
    return ev;
}

void Stream::close(std::string reason) {
    if (state_ != State::Closed) {
        state_ = State::Closed;
        error_ = std::move(reason);
    }
    out_.clear();
    out_off_ = 0;
    fd_.reset();
}

// ---- Listener ----

Result<std::unique_ptr<Listener>> Listener::open(std::string_view spec, const StreamSpecDefaults& defaults) {
    auto parsed = parse_stream_spec(spec, defaults);
    if (!parsed) return parsed.error();
    return open(*parsed);
}

Result<std::unique_ptr<Listener>> Listener::open(const StreamSpec& spec) {
    if (!spec.passive) return make_error("{}: an active connection method cannot listen", spec.text);
    std::unique_ptr<Listener> l(new Listener());
    l->name_ = spec.text;
    bool is_unix = spec.kind == StreamSpec::Kind::Unix;
    l->fd_.reset(::socket(is_unix ? AF_UNIX : spec.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!l->fd_.valid()) return make_error("{}: socket: {}", spec.text, std::strerror(errno));

    if (is_unix) {
        struct stat st {};
        if (::lstat(spec.path.c_str(), &st) == 0) {
            // A socket file left by a process that is gone; two live
            // instances are kept apart by the pidfile, as in OVS.
            if (!S_ISSOCK(st.st_mode)) return make_error("{}: {} exists and is not a socket", spec.text, spec.path);
            ::unlink(spec.path.c_str());
        }
        auto addr = make_unix_addr(spec.path);
        if (!addr) return make_error("{}: {}", spec.text, addr.message());
        if (::bind(l->fd_.get(), reinterpret_cast<const sockaddr*>(&addr->sun), addr->len) < 0)
            return make_error("{}: binding failed ({})", spec.text, std::strerror(errno));
        l->path_ = spec.path;
        if (::stat(spec.path.c_str(), &st) == 0) {
            l->dev_ = st.st_dev;
            l->ino_ = st.st_ino;
        }
    } else {
        int one = 1;
        ::setsockopt(l->fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(l->fd_.get(), reinterpret_cast<const sockaddr*>(&spec.addr), spec.addr_len) < 0)
            return make_error("{}: binding failed ({})", spec.text, std::strerror(errno));
        sockaddr_storage bound{};
        socklen_t len = sizeof bound;
        if (::getsockname(l->fd_.get(), reinterpret_cast<sockaddr*>(&bound), &len) < 0)
            return make_error("{}: getsockname: {}", spec.text, std::strerror(errno));
        l->port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                     : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
    if (::listen(l->fd_.get(), 64) < 0) return make_error("{}: listen: {}", spec.text, std::strerror(errno));
    return l;
}

Listener::~Listener() {
    if (path_.empty()) return;
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) ::unlink(path_.c_str());
}

Result<std::unique_ptr<Stream>> Listener::accept() {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        // The peer may have given up between poll and accept.
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
            return std::unique_ptr<Stream>();
        return make_error("{}: accept failed ({})", name_, std::strerror(errno));
    }
    std::string name;
    if (peer.ss_family == AF_UNIX) {
        // Clients rarely bind a name; number them so logs can tell them apart.
        name = fmt::format("unix#{}", g_unix_peer_seq.fetch_add(1));
    } else {
        set_nodelay(fd);
        name = "tcp:" + format_sockaddr(peer);
    }
    return std::make_unique<Stream>(UniqueFd(fd), std::move(name), Stream::State::Connected);
}

}  // namespace xvs
