// Helpers for the daemon-plumbing unit tests: private temporary
// directories, a raw socket peer that speaks bytes rather than our API, and
// running a loop until something happens (with a deadline, so a broken
// feature fails instead of hanging).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "util/fd.h"
#include "util/json_framer.h"
#include "util/jsonrpc.h"
#include "util/poll_loop.h"

namespace xvs::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "xvs-unit-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) std::abort();
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// Runs the loop until done() or the deadline; returns done().
inline bool run_until(PollLoop& loop, const std::function<bool()>& done,
                      std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    auto end = PollLoop::Clock::now() + deadline;
    while (!done() && PollLoop::Clock::now() < end) loop.run_once(std::chrono::milliseconds(10));
    return done();
}

// Two connected sockets: one for the code under test, one raw.
inline std::pair<UniqueFd, UniqueFd> socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0) std::abort();
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

inline void write_raw(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        if (n <= 0) return;
        data.remove_prefix(n);
    }
}

// Reads what the raw end has now (without waiting); eof set on end of stream.
inline std::string read_raw(int fd, bool* eof = nullptr) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            out.append(buf, n);
            continue;
        }
        if (n == 0 && eof) *eof = true;
        return out;
    }
}

// Collects complete JSON values arriving on a raw fd while a loop runs.
struct RawPeer {
    UniqueFd fd;
    JsonFramer framer{1 << 20};
    std::vector<Json> values;
    bool eof = false;

    void poll_input() {
        std::string data = read_raw(fd.get(), &eof);
        std::vector<std::string> texts;
        (void)framer.feed(data, texts);
        for (auto& t : texts) values.push_back(Json::parse(t));
    }
};

}  // namespace xvs::test
