#include "util/poll_loop.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace xvs {

namespace {

// Written by the signal handler, which can reach no object: the write end
// of the owning loop's signal pipe.
std::atomic<int> g_signal_pipe_wr{-1};

extern "C" void on_exit_signal(int signo) {
    int saved = errno;
    int fd = g_signal_pipe_wr.load(std::memory_order_relaxed);
    if (fd >= 0) {
        unsigned char b = static_cast<unsigned char>(signo);
        // A full pipe already holds a pending exit request; dropping this
        // byte loses nothing.
        [[maybe_unused]] ssize_t n = ::write(fd, &b, 1);
    }
    errno = saved;
}

Result<std::pair<UniqueFd, UniqueFd>> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return make_error("pipe: {}", std::strerror(errno));
    return std::pair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void drain(int fd, std::vector<unsigned char>* out) {
    unsigned char buf[256];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return;
        if (out) out->insert(out->end(), buf, buf + n);
    }
}

}  // namespace

// ---- handles ----

PollLoop::FdWatch::FdWatch(FdWatch&& o) noexcept
    : loop_(std::exchange(o.loop_, nullptr)), id_(std::exchange(o.id_, 0)) {}

PollLoop::FdWatch& PollLoop::FdWatch::operator=(FdWatch&& o) noexcept {
    if (this != &o) {
        reset();
        loop_ = std::exchange(o.loop_, nullptr);
        id_ = std::exchange(o.id_, 0);
    }
    return *this;
}

void PollLoop::FdWatch::set_events(short events) {
    if (!loop_) return;
    auto it = loop_->fds_.find(id_);
    if (it != loop_->fds_.end()) it->second.events = events;
}

short PollLoop::FdWatch::events() const {
    if (!loop_) return 0;
    auto it = loop_->fds_.find(id_);
    return it == loop_->fds_.end() ? 0 : it->second.events;
}

void PollLoop::FdWatch::reset() {
    if (loop_) loop_->fds_.erase(id_);
    loop_ = nullptr;
    id_ = 0;
}

PollLoop::Timer::Timer(Timer&& o) noexcept : loop_(std::exchange(o.loop_, nullptr)), id_(std::exchange(o.id_, 0)) {}

PollLoop::Timer& PollLoop::Timer::operator=(Timer&& o) noexcept {
    if (this != &o) {
        cancel();
        loop_ = std::exchange(o.loop_, nullptr);
        id_ = std::exchange(o.id_, 0);
    }
    return *this;
}

void PollLoop::Timer::cancel() {
    if (loop_) loop_->timers_.erase(id_);
    loop_ = nullptr;
    id_ = 0;
}

bool PollLoop::Timer::active() const {
    return loop_ && loop_->timers_.count(id_);
}

// ---- the loop ----

PollLoop::PollLoop() {
    auto p = make_pipe();
    // Without its wakeup pipe the loop cannot work at all: a start-up failure.
    if (!p) throw std::runtime_error(p.message());
    wake_rd_ = std::move(p->first);
    wake_wr_ = std::move(p->second);
}

PollLoop::~PollLoop() {
    if (signal_rd_.valid()) {
        int wr = g_signal_pipe_wr.exchange(-1);
        struct sigaction sa {};
        sa.sa_handler = SIG_DFL;
        for (int s : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(s, &sa, nullptr);
        if (wr >= 0) ::close(wr);
    }
}

PollLoop::FdWatch PollLoop::watch_fd(int fd, short events, FdCallback cb) {
    uint64_t id = next_id_++;
    fds_.emplace(id, FdEntry{fd, events, std::make_shared<FdCallback>(std::move(cb))});
    return FdWatch(this, id);
}

PollLoop::Timer PollLoop::add_timer(Clock::duration delay, Callback cb) {
    uint64_t id = next_id_++;
    timers_.emplace(
        id, TimerEntry{Clock::now() + delay, Clock::duration::zero(), std::make_shared<Callback>(std::move(cb))});
    return Timer(this, id);
}

PollLoop::Timer PollLoop::add_periodic(Clock::duration interval, Callback cb) {
    if (interval <= Clock::duration::zero()) interval = std::chrono::milliseconds(1);
    uint64_t id = next_id_++;
    timers_.emplace(id, TimerEntry{Clock::now() + interval, interval, std::make_shared<Callback>(std::move(cb))});
    return Timer(this, id);
}

void PollLoop::post(Callback fn) {
    {
        std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(fn));
    }
    unsigned char b = 0;
    // A full pipe already guarantees a wakeup.
    [[maybe_unused]] ssize_t n = ::write(wake_wr_.get(), &b, 1);
}

void PollLoop::defer(Callback fn) {
    deferred_.push_back(std::move(fn));
}

Status PollLoop::handle_exit_signals(std::function<void(int)> on_signal) {
    if (!signal_rd_.valid()) {
        if (g_signal_pipe_wr.load() >= 0) return make_error("another event loop already handles exit signals");
        auto p = make_pipe();
        if (!p) return p.error();
        signal_rd_ = std::move(p->first);
        g_signal_pipe_wr.store(p->second.release());

        struct sigaction sa {};
        sa.sa_handler = on_exit_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        for (int s : {SIGTERM, SIGINT, SIGHUP}) {
            if (::sigaction(s, &sa, nullptr) < 0) return make_error("sigaction: {}", std::strerror(errno));
        }
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ign, nullptr);
    }
    on_signal_ = std::move(on_signal);
    return {};
}

int PollLoop::run() {
    while (!stop_) run_once(std::chrono::hours(1));
    stop_ = false;
    return exit_code_;
}

void PollLoop::stop(int code) {
    stop_ = true;
    exit_code_ = code;
}

int PollLoop::timeout_ms(Clock::duration max_wait) const {
    {
        std::lock_guard lock(posted_mutex_);
        if (!posted_.empty()) return 0;
    }
    if (!deferred_.empty()) return 0;
    auto wait = max_wait;
    auto now = Clock::now();
    for (const auto& [id, t] : timers_) wait = std::min(wait, t.deadline - now);
    if (wait <= Clock::duration::zero()) return 0;
    // Round up: waking a little early would only spin until the deadline.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    return ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
}

void PollLoop::run_once(Clock::duration max_wait) {
    // The arrays are members, reused every round (a busy loop allocates
    // nothing here); a callback that runs the loop itself uses its own.
    std::vector<pollfd> pfds = std::move(pfds_spare_);
    std::vector<uint64_t> ids = std::move(ids_spare_);
    pfds.clear();
    ids.clear();
    pfds.reserve(fds_.size() + 2);
    pfds.push_back({wake_rd_.get(), POLLIN, 0});
    pfds.push_back({signal_rd_.valid() ? signal_rd_.get() : -1, POLLIN, 0});
    for (const auto& [id, e] : fds_) {
        if (!e.events) continue;
        pfds.push_back({e.fd, e.events, 0});
        ids.push_back(id);
    }

    int n = ::poll(pfds.data(), pfds.size(), timeout_ms(max_wait));
    if (n < 0 && errno != EINTR) {
        // poll only fails for bad arguments or lack of memory; the callers'
        // registrations are intact, so report nothing and retry next time.
        n = 0;
    }
    if (n > 0) {
        if (pfds[0].revents) drain(wake_rd_.get(), nullptr);
        int left = n - (pfds[0].revents ? 1 : 0) - (pfds[1].revents ? 1 : 0);
        for (size_t i = 0; i < ids.size() && left > 0; i++) {
            short rev = pfds[i + 2].revents;
            if (!rev) continue;
            left--;
            auto it = fds_.find(ids[i]);
            // Skip a registration removed, or moved to another fd, by an
            // earlier callback in this round.
            if (it == fds_.end() || it->second.fd != pfds[i + 2].fd || !it->second.events) continue;
            auto cb = it->second.cb;
            ready_after_ = left;
            (*cb)(rev);
        }
        ready_after_ = 0;
        // What the fd callbacks deferred goes first: it is typically their
        // output, which peers are waiting for.
        run_deferred();
        if (pfds[1].revents) run_signals();
    }
    pfds_spare_ = std::move(pfds);
    ids_spare_ = std::move(ids);
    run_posted();
    run_timers();
    run_deferred();
}

void PollLoop::run_posted() {
    std::vector<Callback> work;
    {
        std::lock_guard lock(posted_mutex_);
        work.swap(posted_);
    }
    for (auto& fn : work) fn();
}

void PollLoop::run_deferred() {
    // Taken in rounds, so a callback may defer more work. The vectors trade
    // places and keep their capacity (a busy loop allocates nothing here);
    // a callback that runs the loop itself gets an empty spare one.
    std::vector<Callback> work = std::move(deferred_spare_);
    while (!deferred_.empty()) {
        work.swap(deferred_);
        for (auto& fn : work) fn();
        work.clear();
    }
    deferred_spare_ = std::move(work);
}

void PollLoop::run_signals() {
    std::vector<unsigned char> sigs;
    drain(signal_rd_.get(), &sigs);
    for (unsigned char s : sigs) {
        if (on_signal_) on_signal_(s);
    }
}

void PollLoop::run_timers() {
    auto now = Clock::now();
    std::vector<uint64_t> due;
    for (const auto& [id, t] : timers_) {
        if (t.deadline <= now) due.push_back(id);
    }
    for (uint64_t id : due) {
        auto it = timers_.find(id);
        if (it == timers_.end()) continue;
        auto cb = it->second.cb;
        if (it->second.interval > Clock::duration::zero()) {
            auto next = it->second.deadline + it->second.interval;
            it->second.deadline = next > now ? next : now + it->second.interval;
        } else {
            timers_.erase(it);
        }
        (*cb)();
    }
}

}  // namespace xvs
