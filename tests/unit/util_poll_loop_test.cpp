// The event loop: timers, fd callbacks, posting from threads, signals.
#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

#include "util/poll_loop.h"
#include "util_test_support.h"

using namespace xvs;
using namespace std::chrono_literals;
using xvs::test::run_until;

TEST_CASE("loop: a one-shot timer fires once, in order with others") {
    PollLoop loop;
    std::vector<int> fired;
    auto late = loop.add_timer(30ms, [&] { fired.push_back(2); });
    auto early = loop.add_timer(5ms, [&] { fired.push_back(1); });
    auto start = PollLoop::Clock::now();
    run_until(loop, [&] { return fired.size() == 2; });
    CHECK(fired == std::vector<int>{1, 2});
    CHECK(PollLoop::Clock::now() - start >= 30ms);
    CHECK_FALSE(late.active());
    loop.run_once(20ms);
    CHECK(fired.size() == 2);
}

TEST_CASE("loop: periodic timers repeat; cancelling or dropping the handle stops a timer") {
    PollLoop loop;
    int ticks = 0, cancelled = 0, dropped = 0;
    auto periodic = loop.add_periodic(2ms, [&] { ticks++; });
    auto c = loop.add_timer(1ms, [&] { cancelled++; });
    c.cancel();
    {
        auto d = loop.add_timer(1ms, [&] { dropped++; });
    }
    run_until(loop, [&] { return ticks >= 3; });
    CHECK(ticks >= 3);
    CHECK(cancelled == 0);
    CHECK(dropped == 0);
    periodic.cancel();
    int seen = ticks;
    loop.run_once(10ms);
    CHECK(ticks == seen);
}

TEST_CASE("loop: fd callbacks, pausing, and removing a registration from inside a callback") {
    PollLoop loop;
    auto [a, b] = xvs::test::socket_pair();
    int calls = 0;
    PollLoop::FdWatch w;
    w = loop.watch_fd(a.get(), POLLIN, [&](short revents) {
        CHECK((revents & POLLIN));
        calls++;
        w.reset();  // removes itself; must not be called again
    });
    xvs::test::write_raw(b.get(), "x");
    run_until(loop, [&] { return calls > 0; });
    loop.run_once(5ms);
    CHECK(calls == 1);
    CHECK_FALSE(w.active());

    int paused_calls = 0;
    auto p = loop.watch_fd(a.get(), 0, [&](short) { paused_calls++; });
    loop.run_once(5ms);
    CHECK(paused_calls == 0);  // readable, but not asked for
    p.set_events(POLLIN);
    loop.run_once(5ms);
    CHECK(paused_calls == 1);
}

TEST_CASE("loop: work posted from another thread wakes the loop") {
    PollLoop loop;
    std::thread::id ran_on;
    std::thread t([&] {
        std::this_thread::sleep_for(20ms);
        loop.post([&] {
            ran_on = std::this_thread::get_id();
            loop.stop(7);
        });
    });
    auto start = PollLoop::Clock::now();
    int code = loop.run();  // would sleep for an hour without the wakeup
    t.join();
    CHECK(code == 7);
    CHECK(ran_on == std::this_thread::get_id());
    CHECK(PollLoop::Clock::now() - start < 5s);
}

TEST_CASE("loop: exit signals arrive as a callback; SIGPIPE is ignored") {
    PollLoop loop;
    std::vector<int> got;
    REQUIRE(loop.handle_exit_signals([&](int signo) {
                    got.push_back(signo);
                    loop.stop(0);
                })
                .ok());
    PollLoop other;
    auto second = other.handle_exit_signals([](int) {});
    CHECK_FALSE(second.ok());

    ::raise(SIGTERM);
    ::raise(SIGINT);
    loop.run();
    CHECK(got == std::vector<int>{SIGTERM, SIGINT});

    struct sigaction sa {};
    ::sigaction(SIGPIPE, nullptr, &sa);
    CHECK((sa.sa_handler == SIG_IGN));
}

TEST_CASE("loop: signal handling ends with its loop") {
    {
        PollLoop loop;
        REQUIRE(loop.handle_exit_signals([](int) {}).ok());
    }
    struct sigaction sa {};
    ::sigaction(SIGTERM, nullptr, &sa);
    CHECK((sa.sa_handler == SIG_DFL));
    PollLoop again;
    CHECK(again.handle_exit_signals([](int) {}).ok());
}
