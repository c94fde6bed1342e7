// Revalidation after flow table changes: the switch re-translates only the
// megaflows a change can affect (those that looked up the changed table and
// whose packets could match the changed rule, or that reached the table
// with an edited flow), and those megaflows then follow the new table.
#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "compiler/packet_compose.h"
#include "ofproto/flow_table.h"
#include "ofproto/nx_match.h"
#include "ofproto/switch.h"
#include "tests/unit/ofp_test_util.h"

using namespace xvs::ofproto;
using xvs::test::parse;

namespace {

struct Rig {
    DummyDpif* d = nullptr;
    std::unique_ptr<Switch> sw;
    Pipeline* p = nullptr;

    Rig() {
        auto dp = make_dummy_dpif("xvs-reval-test");
        d = dp.get();
        sw = std::make_unique<Switch>(std::move(dp), Switch::Options{.kernel_devices = false});
        SwitchConfig cfg;
        BridgeConfig br{.name = "br0", .normal_flow = false};
        for (OfPort i : {1, 2, 3}) {
            std::string name = "p" + std::to_string(i);
            br.ports.push_back(
                PortConfig{.name = name, .ifaces = {IfaceConfig{.name = name, .type = "dummy", .ofport_request = i}}});
        }
        cfg.bridges.push_back(br);
        sw->reconfigure(cfg);
        p = sw->pipeline("br0");
        REQUIRE(p);
    }

    void add(uint8_t table, int priority, std::string_view match, std::string_view actions) {
        OfpFlowMod fm;
        fm.table_id = table;
        fm.priority = priority;
        std::string err;
        INFO(match, ": ", err);
        REQUIRE(match_parse(match, &fm.match, &err));
        fm.actions = parse(actions);
        REQUIRE(!apply_flow_mod(*p, fm, kOfp13, Clock::now()).error);
    }

    // A TCP packet to port 'dst' received on p1; returns the port it left by.
    std::string send(uint16_t dst) {
        xvs_flow_key k{};
        uint8_t s[6] = {0x02, 0, 0, 0, 0, 1}, t[6] = {0x02, 0, 0, 0, 0, 2};
        std::memcpy(k.eth_src, s, 6);
        std::memcpy(k.eth_dst, t, 6);
        k.eth_type = htons(0x0800);
        k.nw_src[0] = htonl(0x0a000001);
        k.nw_dst[0] = htonl(0x0a000002);
        k.nw_proto = 6;
        k.nw_ttl = 64;
        k.tp_src = htons(1000);
        k.tp_dst = htons(dst);
        auto frame = xvs::compiler::compose_frame(k);
        REQUIRE(frame);
        REQUIRE(d->receive("p1", *frame));
        sw->handle_upcalls();
        std::string out;
        for (const char* port : {"p1", "p2", "p3"}) {
            auto tx = d->take_tx(port);
            REQUIRE(tx);
            for (size_t i = 0; i < tx->size(); i++) out += port;
        }
        return out;
    }
};

}  // namespace

TEST_CASE("a flow table change re-translates only the megaflows it can affect") {
    Rig r;
    r.add(0, 10, "tcp,tp_dst=80", "output:2");
    r.add(0, 30, "tcp,tp_dst=82", "mod_tp_dst:90,resubmit(,1)");
    r.add(0, 1, "", "output:3");
    r.add(1, 1, "", "output:2");
    r.sw->revalidate_if_needed();
    CHECK(r.send(80) == "p2");
    CHECK(r.send(81) == "p3");
    CHECK(r.send(82) == "p2");
    REQUIRE(r.sw->n_ukeys() == 3);
    // Each went through the megaflow just installed, not another upcall.
    uint64_t upcalls = r.sw->stats().upcalls;
    CHECK(r.send(80) == "p2");
    CHECK(r.sw->stats().upcalls == upcalls);

    // Only the megaflow of tp_dst=81 can match the new rule.
    uint64_t revals = r.sw->stats().revalidations;
    r.add(0, 20, "tcp,tp_dst=81", "output:2,output:3");
    r.sw->revalidate_if_needed();
    CHECK(r.sw->stats().revalidations == revals + 1);
    CHECK(r.sw->stats().last_reval_checked == 1);
    CHECK(r.send(81) == "p2p3");
    CHECK(r.send(80) == "p2");
    CHECK(r.sw->stats().upcalls == upcalls);

    // A rule no megaflow's packets can match changes none.
    r.add(0, 20, "udp", "output:2");
    r.sw->revalidate_if_needed();
    CHECK(r.sw->stats().last_reval_checked == 0);

    // Table 1 sees the tp_dst=82 packets after mod_tp_dst: a rule there on
    // the edited value must reach that megaflow although its key says 82.
    r.add(1, 5, "tcp,tp_dst=90", "output:3");
    r.sw->revalidate_if_needed();
    CHECK(r.sw->stats().last_reval_checked == 1);
    CHECK(r.send(82) == "p3");

    // Deleting a rule reaches the megaflows that hit it.
    OfpFlowMod del;
    del.command = FlowModCommand::DeleteStrict;
    del.table_id = 0;
    del.priority = 20;
    std::string err;
    REQUIRE(match_parse("tcp,tp_dst=81", &del.match, &err));
    REQUIRE(!apply_flow_mod(*r.p, del, kOfp13, Clock::now()).error);
    r.sw->revalidate_if_needed();
    CHECK(r.sw->stats().last_reval_checked == 1);
    CHECK(r.send(81) == "p3");
    CHECK(r.sw->stats().upcalls == upcalls);
}

TEST_CASE("changes the log cannot name rule by rule re-translate every megaflow") {
    Rig r;
    r.add(0, 10, "tcp,tp_dst=80", "output:2");
    r.add(0, 1, "", "output:3");
    r.sw->revalidate_if_needed();
    CHECK(r.send(80) == "p2");
    CHECK(r.send(81) == "p3");
    REQUIRE(r.sw->n_ukeys() == 2);
    // More changes than the log keeps: all of them.
    for (int i = 0; i <= static_cast<int>(Pipeline::kMaxChanges); i++)
        r.add(2, 10, "udp,tp_dst=" + std::to_string(1000 + i), "drop");
    r.sw->revalidate_if_needed();
    CHECK(r.sw->stats().last_reval_checked == 2);
    // A group table change: all of them too.
    r.p->modified();
    r.sw->revalidate_if_needed();
    CHECK(r.sw->stats().last_reval_checked == 2);
}

TEST_CASE("a megaflow revalidated away first credits its rules with what it passed since the last dump") {
    Rig r;
    r.add(0, 10, "tcp,tp_dst=80", "output:2");
    r.sw->revalidate_if_needed();
    for (int i = 0; i < 3; i++) CHECK(r.send(80) == "p2");  // one upcall, two through the megaflow
    REQUIRE(r.sw->n_ukeys() == 1);
    // A rule that needs tp_src: the megaflow cannot stay (its mask is too wide).
    r.add(0, 20, "tcp,tp_dst=80,tp_src=2000", "output:3");
    r.sw->revalidate_if_needed();
    CHECK(r.sw->n_ukeys() == 0);
    auto flows = r.sw->dump_of_flows("br0");
    REQUIRE(flows);
    INFO(*flows);
    CHECK(flows->find("n_packets=3,") != std::string::npos);
}
