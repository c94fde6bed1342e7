// Userspace tunnel routing: the router's choice of route and source
// address, its show text and command errors (as Open vSwitch's), and the
// neighbour cache's aging.
#include <doctest/doctest.h>

#include "ofproto/router.h"
#include "ofproto/tnl_neigh.h"
#include "ofproto/tnl_routing.h"

using namespace xvs::ofproto;
using xvs::netdev::AddrInfo;
using xvs::netdev::RouteInfo;

namespace {

Addr16 A(const char* s) {
    auto a = parse_addr(s);
    REQUIRE(a);
    return *a;
}

RouteInfo route(const char* prefix, const char* dev, const char* gw = nullptr, bool local = false) {
    auto p = parse_prefix(prefix);
    REQUIRE(p);
    RouteInfo r;
    r.dst = p->first;
    r.plen = p->second;
    r.ifname = dev;
    r.local = local;
    if (gw) r.gw = A(gw);
    return r;
}

AddrInfo addr(const char* prefix, const char* dev) {
    std::string s = prefix;
    auto slash = s.find('/');
    auto p = parse_prefix(s);
    REQUIRE(p);
    AddrInfo a;
    a.addr = A(s.substr(0, slash).c_str());
    a.plen = p->second;
    a.ifname = dev;
    return a;
}

}  // namespace

TEST_CASE("addresses and prefixes in the 16-byte form") {
    auto p = parse_prefix("10.1.2.3/24");
    REQUIRE(p);
    CHECK(format_addr(p->first) == "10.1.2.0");
    CHECK(p->second == 120);
    CHECK(parse_prefix("10.1.2.3")->second == 128);
    CHECK(parse_prefix("10.1.2.3/255.255.0.0")->second == 112);
    CHECK_FALSE(parse_prefix("10.1.2.3/255.0.255.0"));
    CHECK_FALSE(parse_prefix("10.1.2.3/33"));
    CHECK_FALSE(parse_prefix("bogus"));
    auto v6 = parse_prefix("2001:db8::1/64");
    REQUIRE(v6);
    CHECK(format_addr(v6->first) == "2001:db8::");
    CHECK(v6->second == 64);
}

TEST_CASE("router: longest prefix, local and user routes first, sources from the device's addresses") {
    Router r;
    r.set_kernel({route("0.0.0.0/0", "br0", "192.168.1.254"), route("192.168.1.0/24", "br0"),
                  route("192.168.1.1/32", "br0", nullptr, true), route("10.0.0.0/8", "eth9"),
                  route("2001:db8::/64", "br0")},
                 {addr("192.168.1.1/24", "br0"), addr("2001:db8::1/64", "br0")});
    // eth9 has no address in 10/8: no source, no route (as in Open vSwitch).
    CHECK(r.entries().size() == 4);
    auto l = r.lookup(0, A("8.8.8.8"));
    REQUIRE(l);
    CHECK(l->dev == "br0");
    CHECK(format_addr(l->gw) == "192.168.1.254");
    CHECK(format_addr(l->src) == "192.168.1.1");
    l = r.lookup(0, A("192.168.1.7"));
    REQUIRE(l);
    CHECK(addr_is_zero(l->gw));
    CHECK_FALSE(r.lookup(1, A("192.168.1.7")));  // another packet mark
    CHECK(r.lookup(0, A("2001:db8::9"))->dev == "br0");
    CHECK_FALSE(r.lookup(0, A("2001:db9::9")));
    // A user route beats a more specific kernel one.
    REQUIRE(r.add(0, parse_prefix("192.168.1.0/25")->first, 121, "br0", A("192.168.1.200")).ok());
    CHECK(format_addr(r.lookup(0, A("192.168.1.7"))->gw) == "192.168.1.200");
    CHECK(r.show() ==
          "Route Table:\n"
          "Cached: 192.168.1.1/32 dev br0 SRC 192.168.1.1 local\n"
          "User: 192.168.1.0/25 dev br0 GW 192.168.1.200 SRC 192.168.1.1\n"
          "Cached: 192.168.1.0/24 dev br0 SRC 192.168.1.1\n"
          "Cached: 0.0.0.0/0 dev br0 GW 192.168.1.254 SRC 192.168.1.1\n"
          "Cached: 2001:db8::/64 dev br0 SRC 2001:db8::1\n");  // by priority: mapped IPv4 lengths count 96 more
    // Re-reading the kernel keeps user routes.
    r.set_kernel({route("192.168.1.0/24", "br0")}, {addr("192.168.1.1/24", "br0")});
    CHECK(r.entries().size() == 2);
    CHECK(r.del(0, parse_prefix("192.168.1.0/25")->first, 121));
    CHECK_FALSE(r.del(0, parse_prefix("192.168.1.0/24")->first, 120));  // kernel routes are not for del
    // No address for the route: refused.
    CHECK_FALSE(r.add(0, parse_prefix("172.16.0.0/16")->first, 112, "br0", Addr16{}).ok());
}

TEST_CASE("route and neighbour commands: Open vSwitch's replies and errors") {
    TnlRouting t;
    t.router.set_kernel({route("192.168.1.0/24", "br0")}, {addr("192.168.1.1/24", "br0")});
    CHECK(*t.route_add({"10.0.0.0/8", "br0", "192.168.1.9"}) == "OK");
    CHECK(*t.route_add({"10.1.0.0/16", "br0", "192.168.1.8", "pkt_mark=3"}) == "OK");
    CHECK(t.route_add({"10.0.0.0/8", "br0", "nonsense"}).message() == "Invalid pkt_mark or gateway");
    CHECK(t.route_add({"10.0.0.0/8", "br0", "192.168.1.9", "mark=3"}).message() == "Invalid pkt_mark");
    CHECK(t.route_add({"10.0.0.0/xx", "br0"}).message() == "Invalid parameters");
    CHECK(t.route_add({"172.16.0.0/16", "br0"}).message() == "Error while inserting route.");
    CHECK(*t.route_lookup({"10.2.3.4"}) == "src 192.168.1.1\ngateway 192.168.1.9\ndev br0\n");
    CHECK(*t.route_lookup({"10.1.3.4", "pkt_mark=3"}) == "src 192.168.1.1\ngateway 192.168.1.8\ndev br0\n");
    CHECK(*t.route_lookup({"192.168.1.5"}) == "src 192.168.1.1\ngateway ::\ndev br0\n");
    CHECK(t.route_lookup({"10.0.0.0/8"}).message() == "Invalid parameters");
    CHECK(t.route_lookup({"172.16.0.1"}).message() == "Not found");
    CHECK(*t.route_del({"10.0.0.0/8"}) == "OK");
    CHECK(t.route_del({"10.0.0.0/8"}).message() == "Not found");
    CHECK(t.route_del({"10.1.0.0/16"}).message() == "Not found");  // its mark was 3
    CHECK(*t.route_del({"10.1.0.0/16", "pkt_mark=3"}) == "OK");

    auto now = NeighCache::Clock::now();
    CHECK(*t.neigh_set({"br0", "192.168.1.9", "aa:55:aa:55:00:01"}, now) == "OK");
    CHECK(t.neigh_set({"br0", "192.168.1", "aa:55:aa:55:00:01"}, now).message() == "bad IP address");
    CHECK(t.neigh_set({"br0", "192.168.1.9", "aa:55"}, now).message() == "bad MAC address");
    CHECK(*t.neigh_show(now) ==
          "IP                                            MAC                 Bridge\n"
          "==========================================================================\n"
          "192.168.1.9                                   aa:55:aa:55:00:01   br0\n");
    CHECK(*t.neigh_aging({}) == "900");
    CHECK(*t.neigh_aging({"60"}) == "OK");
    CHECK_FALSE(t.neigh_aging({"0"}).ok());
    CHECK(*t.neigh_flush() == "OK");
    CHECK(t.neigh.size() == 0);
}

TEST_CASE("neighbour cache: entries live their aging past the last use") {
    NeighCache c;
    auto t0 = NeighCache::Clock::now();
    c.set_aging(std::chrono::seconds(10), t0);
    NeighCache::Mac m{2, 0, 0, 0, 0, 1};
    CHECK(c.set("br0", A("10.0.0.1"), m, t0));
    CHECK_FALSE(c.set("br0", A("10.0.0.1"), m, t0));  // nothing new
    CHECK_FALSE(c.lookup("br1", A("10.0.0.1"), t0));  // per bridge
    CHECK(c.lookup("br0", A("10.0.0.1"), t0 + std::chrono::seconds(8)) == m);  // used: lives on
    CHECK(c.lookup("br0", A("10.0.0.1"), t0 + std::chrono::seconds(16)) == m);
    CHECK(c.show(t0 + std::chrono::seconds(40)).find(" STALE") != std::string::npos);
    CHECK_FALSE(c.lookup("br0", A("10.0.0.1"), t0 + std::chrono::seconds(40)));
    c.run(t0 + std::chrono::seconds(40));
    CHECK(c.size() == 0);
    // A shorter aging shortens what entries have left; a kernel deletion
    // removes only what the kernel said.
    c.set("br0", A("10.0.0.1"), m, t0);
    c.set("br0", A("10.0.0.2"), m, t0, true);
    c.set_aging(std::chrono::seconds(2), t0);
    CHECK_FALSE(c.lookup("br0", A("10.0.0.1"), t0 + std::chrono::seconds(3)));
    c.set_aging(std::chrono::seconds(10), t0);
    c.set("br0", A("10.0.0.1"), m, t0);
    c.set("br0", A("10.0.0.2"), m, t0, true);
    c.remove_kernel("br0", A("10.0.0.1"));
    c.remove_kernel("br0", A("10.0.0.2"));
    CHECK(c.lookup("br0", A("10.0.0.1"), t0));
    CHECK_FALSE(c.lookup("br0", A("10.0.0.2"), t0));
    c.remove_bridge("br0");
    CHECK(c.size() == 0);
}

TEST_CASE("router: the source is the device's address with the longest prefix holding the destination") {
    Router r;
    r.set_kernel({route("10.1.1.0/24", "br0"), route("10.0.0.0/8", "br0")},
                 {addr("2001:db8::1/0", "br0"), addr("10.0.0.1/8", "br0"), addr("10.1.1.1/24", "br0")});
    CHECK(format_addr(r.lookup(0, A("10.1.1.9"))->src) == "10.1.1.1");
    CHECK(format_addr(r.lookup(0, A("10.2.0.9"))->src) == "10.0.0.1");
}
