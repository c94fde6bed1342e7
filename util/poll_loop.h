// A single-threaded poll(2) event loop: fd readiness callbacks, one-shot and
// periodic timers on the monotonic clock, work posted from other threads,
// and exit signals delivered as an ordinary callback inside the loop.
//
// Callbacks run on the thread that calls run(). A callback may add or
// remove any registration, including its own: registrations are looked up
// again before every dispatch, so a removed one is never called afterwards.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "util/fd.h"
#include "util/result.h"

namespace xvs {

class PollLoop {
public:
    using Clock = std::chrono::steady_clock;
    using FdCallback = std::function<void(short revents)>;
    using Callback = std::function<void()>;

    // Owns one fd registration; unregisters on destruction. The loop must
    // outlive its handles.
    class FdWatch {
    public:
        FdWatch() = default;
        FdWatch(FdWatch&& o) noexcept;
        FdWatch& operator=(FdWatch&& o) noexcept;
        FdWatch(const FdWatch&) = delete;
        FdWatch& operator=(const FdWatch&) = delete;
        ~FdWatch() { reset(); }

        // POLLIN / POLLOUT; 0 pauses the registration (no callbacks at
        // all, not even for POLLHUP/POLLERR).
        void set_events(short events);
        short events() const;
        bool active() const { return loop_ != nullptr; }
        void reset();

    private:
        friend class PollLoop;
        FdWatch(PollLoop* loop, uint64_t id) : loop_(loop), id_(id) {}
        PollLoop* loop_ = nullptr;
        uint64_t id_ = 0;
    };

    // Owns one timer; cancels it on destruction. A one-shot timer is
    // inactive once it has fired.
    class Timer {
    public:
        Timer() = default;
        Timer(Timer&& o) noexcept;
        Timer& operator=(Timer&& o) noexcept;
        Timer(const Timer&) = delete;
        Timer& operator=(const Timer&) = delete;
        ~Timer() { cancel(); }

        void cancel();
        bool active() const;

    private:
        friend class PollLoop;
        Timer(PollLoop* loop, uint64_t id) : loop_(loop), id_(id) {}
        PollLoop* loop_ = nullptr;
        uint64_t id_ = 0;
    };

    PollLoop();
    ~PollLoop();
    PollLoop(const PollLoop&) = delete;
    PollLoop& operator=(const PollLoop&) = delete;

    [[nodiscard]] FdWatch watch_fd(int fd, short events, FdCallback cb);
    [[nodiscard]] Timer add_timer(Clock::duration delay, Callback cb);
    // Fires every `interval`; a late loop does not fire a burst to catch up.
    [[nodiscard]] Timer add_periodic(Clock::duration interval, Callback cb);

    // Runs fn on the loop's thread soon. Safe from any thread (and the only
    // member that is).
    void post(Callback fn);

    // Runs fn at the end of this round of dispatching: after the callbacks
    // of every ready fd (or, when deferred by posted work or a timer, after
    // those), before the loop polls again; work deferred by a deferred
    // callback runs in the same round. From the loop's thread only; unlike
    // post() it costs no system call, so it suits work done once per
    // iteration for many events, such as writing out everything the
    // callbacks queued for their peers.
    void defer(Callback fn);
    // Inside an fd callback: whether fds that were found ready in this
    // round are still to be dispatched after it (so that work deferred now
    // can be done for several at once); false everywhere else.
    bool more_ready() const { return ready_after_ > 0; }

    // Delivers SIGTERM, SIGINT and SIGHUP (the signals OVS daemons treat as
    // a request to exit) to on_signal inside the loop, and ignores SIGPIPE
    // so a peer that goes away shows up as EPIPE on the socket instead of
    // killing the process. One loop per process may do this.
    Status handle_exit_signals(std::function<void(int signo)> on_signal);

    // Dispatches until stop() is called; returns stop()'s code. The stop
    // request is consumed, so run() may be called again later.
    int run();
    // One poll (waiting at most max_wait, less when a timer is due) and the
    // dispatch of what it found.
    void run_once(Clock::duration max_wait);
    void stop(int code = 0);
    bool stop_requested() const { return stop_; }

private:
    struct FdEntry {
        int fd;
        short events;
        std::shared_ptr<FdCallback> cb;
    };
    struct TimerEntry {
        Clock::time_point deadline;
        Clock::duration interval;  // zero: one-shot
        std::shared_ptr<Callback> cb;
    };

    int timeout_ms(Clock::duration max_wait) const;
    void run_posted();
    void run_signals();
    void run_timers();
    void run_deferred();

    uint64_t next_id_ = 1;
    std::map<uint64_t, FdEntry> fds_;
    std::map<uint64_t, TimerEntry> timers_;

    UniqueFd wake_rd_, wake_wr_;
    mutable std::mutex posted_mutex_;
    std::vector<Callback> posted_;
    std::vector<Callback> deferred_, deferred_spare_;
    std::vector<pollfd> pfds_spare_;
    std::vector<uint64_t> ids_spare_;

    UniqueFd signal_rd_;
    std::function<void(int)> on_signal_;

    int ready_after_ = 0;  // see more_ready()
    bool stop_ = false;
    int exit_code_ = 0;
};

}  // namespace xvs
