// util/netdev: rtnetlink helpers against the real kernel.
//
// Needs root: every case starts in a network namespace of its own
// (unshare(CLONE_NEWNET) again per case), so devices never reach the host,
// cases cannot see each other's devices, and this program may run in
// parallel with anything. Without root main() prints SKIPPED and exits 77
// (ctest: skipped), or fails when CI=true, where root is expected.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "util/fd.h"
#include "util/netdev.h"
#include "util/poll_loop.h"

namespace {

using namespace std::chrono_literals;
using xvs::netdev::LinkInfo;
using xvs::netdev::LinkMonitor;
using Mac = std::array<uint8_t, 6>;

void write_sysctl(const std::string& path, const std::string& value) {
    std::ofstream f(path);
    f << value;  // best effort: a kernel without IPv6 has no such file
}

// A fresh, empty network namespace for the calling case (the previous one
// is freed with its devices once nothing refers to it). IPv6 is off so the
// kernel sends nothing by itself on the devices a case brings up, which
// keeps packet counters exact.
void enter_private_netns() {
    REQUIRE_MESSAGE(::unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): " << std::strerror(errno));
    write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
}

// Polls `done` until it holds or a generous deadline passes (so a broken
// feature fails rather than hangs; nothing here measures time).
bool wait_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

LinkInfo must_get(const std::string& name) {
    auto r = xvs::netdev::get_link(name);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.message()));
    return *r;
}

void require_ok(const xvs::Status& st) {
    REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.message()));
}

// Sends `count` minimal Ethernet frames (60 bytes, broadcast, a local
// experimental EtherType) out of `ifindex` through AF_PACKET.
void send_frames(int ifindex, const Mac& src, int count) {
    xvs::UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    REQUIRE(fd.valid());
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = ifindex;
    to.sll_halen = ETH_ALEN;
    std::memset(to.sll_addr, 0xff, ETH_ALEN);
    std::vector<uint8_t> frame(60, 0);
    std::memset(frame.data(), 0xff, ETH_ALEN);
    std::memcpy(frame.data() + ETH_ALEN, src.data(), ETH_ALEN);
    frame[12] = 0x88;  // ETH_P_802_EX1
    frame[13] = 0xb5;
    for (int i = 0; i < count; i++)
        REQUIRE(::sendto(fd.get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
                static_cast<ssize_t>(frame.size()));
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Events a monitor reported, collected through a PollLoop as the daemon will.
struct MonitorLog {
    std::vector<LinkMonitor::Event> events;

    bool has(const std::string& name, bool deleted) const {
        return std::any_of(events.begin(), events.end(),
                           [&](const auto& e) { return e.name == name && e.deleted == deleted; });
    }
    int resyncs() const {
        return static_cast<int>(std::count_if(events.begin(), events.end(), [](const auto& e) { return !e.ifindex; }));
    }
    const LinkMonitor::Event* find(const std::string& name, bool deleted) const {
        for (const auto& e : events)
            if (e.name == name && e.deleted == deleted) return &e;
        return nullptr;
    }
};

// Runs `loop` until `done` holds (false after the deadline).
bool run_until(xvs::PollLoop& loop, const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        loop.run_once(50ms);
    }
    return true;
}

}  // namespace

TEST_CASE("create_veth makes a pair whose ends point at each other") {
    enter_private_netns();
    require_ok(xvs::netdev::create_veth("xa0", "xb0"));
    LinkInfo a = must_get("xa0");
    LinkInfo b = must_get("xb0");
    CHECK(a.name == "xa0");
    CHECK(b.name == "xb0");
    CHECK(a.kind == "veth");
    CHECK(b.kind == "veth");
    CHECK(a.ifindex > 0);
    CHECK(b.ifindex > 0);
    CHECK(a.ifindex != b.ifindex);
    CHECK(a.link_ifindex == b.ifindex);
    CHECK(b.link_ifindex == a.ifindex);
    CHECK(a.mtu == 1500);
    CHECK_FALSE(a.admin_up);
    CHECK_FALSE(a.carrier);
    CHECK(a.mac != Mac{});  // veth gets a random address
    CHECK(a.mac != b.mac);

    auto by_index = xvs::netdev::get_link(b.ifindex);
    REQUIRE(by_index.ok());
    CHECK(by_index->name == "xb0");
    CHECK(by_index->mac == b.mac);

    // A device that is not a veth: no kind, no link.
    LinkInfo lo = must_get("lo");
    CHECK(lo.kind == "");
    CHECK(lo.link_ifindex == 0);
    CHECK(lo.ifindex == 1);

    auto all = xvs::netdev::dump_links();
    REQUIRE(all.ok());
    std::vector<std::string> names;
    for (const auto& l : *all) names.push_back(l.name);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"lo", "xa0", "xb0"});
    for (const auto& l : xvs::netdev::list_links())
        if (l.name == "xa0") CHECK(l.link_ifindex == b.ifindex);
    CHECK(xvs::netdev::list_links().size() == 3);
}

TEST_CASE("set_up: admin state and the pair's carrier") {
    enter_private_netns();
    require_ok(xvs::netdev::create_veth("xa0", "xb0"));

    require_ok(xvs::netdev::set_up("xa0", true));
    LinkInfo a = must_get("xa0");
    CHECK(a.admin_up);
    CHECK_FALSE(a.carrier);  // a veth has carrier only while its peer is up too
    CHECK_FALSE(must_get("xb0").admin_up);

    require_ok(xvs::netdev::set_up("xb0", true));
    CHECK(wait_until([] { return must_get("xa0").carrier && must_get("xb0").carrier; }));

    require_ok(xvs::netdev::set_up("xa0", false));
    CHECK_FALSE(must_get("xa0").admin_up);
    CHECK(must_get("xb0").admin_up);
    CHECK(wait_until([] { return !must_get("xb0").carrier; }));

    // Setting the state it already has is fine.
    require_ok(xvs::netdev::set_up("xa0", false));
}

TEST_CASE("set_mac and set_mtu read back") {
    enter_private_netns();
    require_ok(xvs::netdev::create_veth("xa0", "xb0"));

    const Mac mac{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    require_ok(xvs::netdev::set_mac("xa0", mac));
    CHECK(must_get("xa0").mac == mac);
    CHECK(must_get("xb0").mac != mac);

    require_ok(xvs::netdev::set_mtu("xb0", 1400));
    CHECK(must_get("xb0").mtu == 1400);
    CHECK(must_get("xa0").mtu == 1500);
    require_ok(xvs::netdev::set_mtu("xb0", 9000));
    CHECK(must_get("xb0").mtu == 9000);

    // What the kernel refuses comes back with the device and the reason.
    auto big = xvs::netdev::set_mtu("xb0", 70000);
    REQUIRE_FALSE(big.ok());
    CHECK(contains(big.message(), "cannot set MTU of xb0 to 70000: Invalid argument"));
    CHECK(must_get("xb0").mtu == 9000);

    auto multicast = xvs::netdev::set_mac("xa0", Mac{0x01, 0, 0x5e, 0, 0, 1});
    REQUIRE_FALSE(multicast.ok());
    CHECK(contains(multicast.message(), "cannot set MAC of xa0 to 01:00:5e:00:00:01: "));
    CHECK(must_get("xa0").mac == mac);
}

TEST_CASE("stats count the frames sent through the pair") {
    enter_private_netns();
    require_ok(xvs::netdev::create_veth("xa0", "xb0"));
    require_ok(xvs::netdev::set_up("xa0", true));
    require_ok(xvs::netdev::set_up("xb0", true));
    REQUIRE(wait_until([] { return must_get("xa0").carrier; }));

    const LinkInfo a0 = must_get("xa0");
    const LinkInfo b0 = must_get("xb0");
    send_frames(a0.ifindex, a0.mac, 3);
    REQUIRE(wait_until([&] { return must_get("xb0").rx_packets >= b0.rx_packets + 3; }));

    const LinkInfo a1 = must_get("xa0");
    const LinkInfo b1 = must_get("xb0");
    CHECK(b1.rx_packets - b0.rx_packets == 3);
    CHECK(b1.rx_bytes - b0.rx_bytes == 3 * 60);
    CHECK(a1.tx_packets - a0.tx_packets == 3);
    CHECK(a1.tx_bytes - a0.tx_bytes == 3 * 60);
    CHECK(a1.rx_packets == a0.rx_packets);
    CHECK(b1.tx_packets == b0.tx_packets);

    // The dump carries the same counters.
    for (const auto& l : xvs::netdev::list_links())
        if (l.name == "xb0") CHECK(l.rx_packets == b1.rx_packets);
}

TEST_CASE("LinkMonitor reports creation, changes and deletion through a PollLoop") {
    enter_private_netns();
    auto mon = LinkMonitor::open();
    REQUIRE_MESSAGE(mon.ok(), (mon.ok() ? "" : mon.message()));

    xvs::PollLoop loop;
    MonitorLog log;
    auto watch = loop.watch_fd((*mon)->fd(), POLLIN, [&](short) {
        (*mon)->drain([&](const LinkMonitor::Event& e) { log.events.push_back(e); });
    });

    require_ok(xvs::netdev::create_veth("xa0", "xb0"));
    REQUIRE(run_until(loop, [&] { return log.has("xa0", false) && log.has("xb0", false); }));
    CHECK(log.find("xa0", false)->ifindex == must_get("xa0").ifindex);
    CHECK(log.find("xb0", false)->ifindex == must_get("xb0").ifindex);
    CHECK(log.resyncs() == 0);
    CHECK_FALSE(log.has("xa0", true));

    log.events.clear();
    require_ok(xvs::netdev::set_up("xa0", true));
    REQUIRE(run_until(loop, [&] { return log.has("xa0", false); }));

    const int a_index = must_get("xa0").ifindex;
    const int b_index = must_get("xb0").ifindex;
    log.events.clear();
    require_ok(xvs::netdev::delete_link("xa0"));
    REQUIRE(run_until(loop, [&] { return log.has("xa0", true) && log.has("xb0", true); }));
    CHECK(log.find("xa0", true)->ifindex == a_index);
    CHECK(log.find("xb0", true)->ifindex == b_index);
    CHECK(log.resyncs() == 0);

    // Nothing pending: drain returns at once without events.
    log.events.clear();
    (*mon)->drain([&](const LinkMonitor::Event& e) { log.events.push_back(e); });
    CHECK(log.events.empty());
}

TEST_CASE("LinkMonitor reports an overflow as one resync event and keeps working") {
    enter_private_netns();
    auto mon = LinkMonitor::open();
    REQUIRE(mon.ok());
    // The smallest receive buffer the kernel allows: a few notifications
    // fill it.
    int tiny = 1;
    REQUIRE(::setsockopt((*mon)->fd(), SOL_SOCKET, SO_RCVBUFFORCE, &tiny, sizeof tiny) == 0);
    for (int i = 0; i < 8; i++)
        require_ok(xvs::netdev::create_veth("xa" + std::to_string(i), "xb" + std::to_string(i)));

    MonitorLog log;
    (*mon)->drain([&](const LinkMonitor::Event& e) { log.events.push_back(e); });
    CHECK(log.resyncs() == 1);
    CHECK(log.events.size() < 16);  // some were lost, and reported as such

    int big = 1 << 20;
    REQUIRE(::setsockopt((*mon)->fd(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) == 0);
    log.events.clear();
    require_ok(xvs::netdev::create_veth("xc0", "xd0"));
    pollfd p{(*mon)->fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    REQUIRE(wait_until([&] {
        (*mon)->drain([&](const LinkMonitor::Event& e) { log.events.push_back(e); });
        return log.has("xc0", false) && log.has("xd0", false);
    }));
    CHECK(log.resyncs() == 0);
}

TEST_CASE("delete_link removes both ends of a veth pair") {
    enter_private_netns();
    require_ok(xvs::netdev::create_veth("xa0", "xb0"));
    require_ok(xvs::netdev::delete_link("xb0"));
    CHECK_FALSE(xvs::netdev::get_link("xa0").ok());
    CHECK_FALSE(xvs::netdev::get_link("xb0").ok());
    CHECK(xvs::netdev::list_links().size() == 1);  // lo
    // The names are free again.
    require_ok(xvs::netdev::create_veth("xb0", "xa0"));
}

TEST_CASE("errors name the device and say why") {
    enter_private_netns();
    using xvs::netdev::get_link;

    auto missing = get_link("xvs-missing");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.message() == "cannot get device xvs-missing: No such device");

    auto missing_index = get_link(9999);
    REQUIRE_FALSE(missing_index.ok());
    CHECK(missing_index.message() == "cannot get device with ifindex 9999: No such device");

    auto del = xvs::netdev::delete_link("xvs-missing");
    REQUIRE_FALSE(del.ok());
    CHECK(del.message() == "cannot delete device xvs-missing: No such device");

    auto up = xvs::netdev::set_up("xvs-missing", true);
    REQUIRE_FALSE(up.ok());
    CHECK(up.message() == "cannot set xvs-missing up: No such device");

    auto mac = xvs::netdev::set_mac("xvs-missing", Mac{0x02, 0, 0, 0, 0, 1});
    REQUIRE_FALSE(mac.ok());
    CHECK(mac.message() == "cannot set MAC of xvs-missing to 02:00:00:00:00:01: No such device");

    auto mtu = xvs::netdev::set_mtu("xvs-missing", 1400);
    REQUIRE_FALSE(mtu.ok());
    CHECK(mtu.message() == "cannot set MTU of xvs-missing to 1400: No such device");

    require_ok(xvs::netdev::create_veth("br0", "xvsp1"));
    auto dup = xvs::netdev::create_veth("br0", "xvsp1");
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.message() == "cannot create veth br0/xvsp1: File exists");
    // The peer's name taken by an existing device.
    auto dup_peer = xvs::netdev::create_veth("xvsp2", "br0");
    REQUIRE_FALSE(dup_peer.ok());
    CHECK(contains(dup_peer.message(), "cannot create veth xvsp2/br0: File exists"));
    CHECK_FALSE(get_link("xvsp2").ok());

    auto long_name = xvs::netdev::create_veth("a-name-that-is-too-long", "xvsp3");
    REQUIRE_FALSE(long_name.ok());
    CHECK(contains(long_name.message(), "a-name-that-is-too-long"));
    CHECK(contains(long_name.message(), "longer than 15 bytes"));
    auto empty = get_link("");
    REQUIRE_FALSE(empty.ok());
    CHECK(contains(empty.message(), "invalid device name"));
}

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string why;
    if (::geteuid() != 0) {
        why = "not root";
    } else if (::unshare(CLONE_NEWNET) != 0) {
        why = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
    }
    if (!why.empty()) {
        const char* ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") {
            std::fprintf(stderr, "FAILED: the netdev tests need root and network namespaces (%s); CI=true\n",
                         why.c_str());
            return 1;
        }
        std::printf("SKIPPED: the netdev tests need root and network namespaces (%s)\n", why.c_str());
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
