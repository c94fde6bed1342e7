// The client side of the OpenFlow codecs (ofproto/ofp_replies.h): replies
// and asynchronous messages decoded from Open vSwitch's own bytes
// (tests/ofp-print.at) and from our switch-side encoders (ofp_msgs.h) in
// every version, the client's requests decoded back by the switch-side
// decoders, and xvs-ofctl's text of those messages (tools/ofctl_print.h)
// against the text Open vSwitch's test suite expects.
#include <doctest/doctest.h>

#include "support/hex.h"

#include <string>
#include <string_view>

#include "ofproto/meta_flow.h"
#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_msgs.h"
#include "ofproto/ofp_replies.h"
#include "tools/ofctl_print.h"

using namespace xvs::ofproto;

namespace {

using xvs::test::hex;

template <typename T>
const T& value_of(const std::variant<T, OfpError>& v) {
    if (auto* e = std::get_if<OfpError>(&v)) FAIL(ofp_error_name(e->err) << ": " << e->detail);
    return std::get<T>(v);
}

template <typename T>
OfpErr error_of(const std::variant<T, OfpError>& v) {
    REQUIRE(std::holds_alternative<OfpError>(v));
    return std::get<OfpError>(v).err;
}

Match match_of(std::string_view text) {
    Match m;
    std::string err;
    REQUIRE_MESSAGE(match_parse(text, &m, &err), err);
    return m;
}

OfActions actions_of(std::string_view text) {
    std::string err;
    auto a = parse_of_actions(text, &err);
    REQUIRE_MESSAGE(a, err);
    return *a;
}

constexpr uint8_t kVersions[] = {kOfp10, kOfp11, kOfp12, kOfp13, kOfp14, kOfp15};

OfpPortInfo port(uint32_t no, std::string name) {
    OfpPortInfo p;
    p.port_no = no;
    p.name = std::move(name);
    p.hw_addr = {0x50, 0x54, 0x00, 0x00, 0x00, uint8_t(no)};
    p.config = 1;          // PORT_DOWN
    p.state = 1;           // LINK_DOWN
    p.curr = 0x2008;       // 100MB-FD AUTO_NEG
    p.supported = 0x280f;  // 10/100 HD/FD COPPER AUTO_NEG
    p.curr_speed = p.max_speed = 100000;
    return p;
}

void check_port(const OfpPortInfo& a, const OfpPortInfo& b) {
    CHECK(a.port_no == b.port_no);
    CHECK(a.name == b.name);
    CHECK(a.hw_addr == b.hw_addr);
    CHECK(a.config == b.config);
    CHECK(a.state == b.state);
    CHECK(a.curr == b.curr);
    CHECK(a.supported == b.supported);
    CHECK(a.curr_speed == b.curr_speed);
    CHECK(a.max_speed == b.max_speed);
}

}  // namespace

TEST_CASE("message identification names every form as Open vSwitch does") {
    struct Case {
        const char* hex;
        OfpMsgKind kind;
        const char* name;
    };
    const Case cases[] = {
        {"01 06 00 08 00 00 00 01", OfpMsgKind::FeaturesReply, "OFPT_FEATURES_REPLY"},
        {"04 13 00 10 00 00 00 02 00 0d 00 00 00 00 00 00", OfpMsgKind::PortDescReply, "OFPST_PORT_DESC reply"},
        {"01 11 00 18 00 00 00 04 ff ff 00 01 00 00 23 20 00 00 00 00 00 00 00 00", OfpMsgKind::FlowStatsReply,
         "NXST_FLOW reply"},
        {"01 10 00 18 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 01 00 00 00 00", OfpMsgKind::AggregateRequest,
         "NXST_AGGREGATE request"},
        {"01 04 00 10 00 00 00 00 00 00 23 20 00 00 00 1e", OfpMsgKind::PacketIn, "NXT_PACKET_IN2"},
        {"01 13 00 08 00 00 00 00", OfpMsgKind::BarrierReply, "OFPT_BARRIER_REPLY"},
        {"04 15 00 08 00 00 00 00", OfpMsgKind::BarrierReply, "OFPT_BARRIER_REPLY"},
        {"06 0b 00 08 00 00 00 00", OfpMsgKind::FlowRemoved, "OFPT_FLOW_REMOVED"},
        {"07 00 00 08 00 00 00 00", OfpMsgKind::Hello, "OFPT_HELLO"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        auto id = ofp_identify(hex(c.hex));
        REQUIRE(id);
        CHECK(id->kind == c.kind);
        CHECK(std::string(id->name) == c.name);
    }
    auto nx_flow = ofp_identify(hex(cases[2].hex));
    CHECK(nx_flow->form == OfpForm::Nx);
    CHECK(nx_flow->hdr_len == 24);
    CHECK(nx_flow->mp_flags == 1);
    // Unknown types, vendors, subtypes and versions are not guessed at.
    CHECK_FALSE(ofp_identify(hex("01 63 00 08 00 00 00 00")));
    CHECK_FALSE(ofp_identify(hex("01 04 00 10 00 00 00 00 00 00 99 99 00 00 00 01")));
    CHECK_FALSE(ofp_identify(hex("07 06 00 08 00 00 00 00")));
    CHECK_FALSE(ofp_identify(hex("01 06 00")));
}

TEST_CASE("features replies: Open vSwitch's bytes and our encoder in every version") {
    // tests/ofp-print.at "OFPT_FEATURES_REPLY - OF1.0".
    Bytes msg =
        hex("01 06 00 e0 00 00 00 01 00 00 50 54 00 00 00 01 00 00 01 00 02 00 00 00 00 00 00 87 00 00 0f ff "
            "ff fe 50 54 00 00 00 01 62 72 30 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 01 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03 50 54 00 00 00 01 65 74 68 30 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 08 00 00 02 8f 00 00 02 8f 00 00 00 00 "
            "00 02 50 54 00 00 00 03 65 74 68 32 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            "00 00 02 08 00 00 02 8f 00 00 02 8f 00 00 00 00 00 01 50 54 00 00 00 02 65 74 68 31 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 08 00 00 02 8f 00 00 02 8f 00 00 00 00");
    auto r = value_of(decode_features_reply(msg));
    CHECK(r.features.datapath_id == 0x0000505400000001);
    CHECK(r.features.n_tables == 2);
    CHECK(r.features.n_buffers == 256);
    CHECK(r.features.capabilities == 0x87);
    CHECK(r.actions10 == 0xfff);
    CHECK(r.has_ports);
    REQUIRE(r.features.ports.size() == 4);
    CHECK(r.features.ports[0].port_no == kOfppLocal);
    CHECK(r.features.ports[0].name == "br0");
    CHECK(r.features.ports[1].name == "eth0");
    CHECK(r.features.ports[1].curr == 0x2008);  // 1.0's AUTO_NEG (bit 9) in 1.1 numbering (bit 13)
    CHECK(r.features.ports[1].curr_speed == 100000);
    CHECK(xvs::ofctl::ofp_to_string(msg, 1) ==
          "OFPT_FEATURES_REPLY (xid=0x1): dpid:0000505400000001\n"
          "n_tables:2, n_buffers:256\n"
          "capabilities: FLOW_STATS TABLE_STATS PORT_STATS ARP_MATCH_IP\n"
          "actions: output enqueue set_vlan_vid set_vlan_pcp strip_vlan mod_dl_src mod_dl_dst mod_nw_src "
          "mod_nw_dst mod_nw_tos mod_tp_src mod_tp_dst\n"
          " 1(eth1): addr:50:54:00:00:00:02\n"
          "     config:     0\n"
          "     state:      0\n"
          "     current:    100MB-FD AUTO_NEG\n"
          "     advertised: 10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     supported:  10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     speed: 100 Mbps now, 100 Mbps max\n"
          " 2(eth2): addr:50:54:00:00:00:03\n"
          "     config:     0\n"
          "     state:      0\n"
          "     current:    100MB-FD AUTO_NEG\n"
          "     advertised: 10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     supported:  10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     speed: 100 Mbps now, 100 Mbps max\n"
          " 3(eth0): addr:50:54:00:00:00:01\n"
          "     config:     0\n"
          "     state:      0\n"
          "     current:    100MB-FD AUTO_NEG\n"
          "     advertised: 10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     supported:  10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     speed: 100 Mbps now, 100 Mbps max\n"
          " LOCAL(br0): addr:50:54:00:00:00:01\n"
          "     config:     PORT_DOWN\n"
          "     state:      LINK_DOWN\n"
          "     speed: 0 Mbps now, 0 Mbps max\n");

    for (uint8_t v : kVersions) {
        CAPTURE(int(v));
        OfpFeatures f;
        f.datapath_id = 0x123456789a;
        f.n_buffers = 0;
        f.n_tables = 254;
        f.auxiliary_id = v >= kOfp13 ? 3 : 0;
        f.capabilities = 0x47;  // FLOW, TABLE, PORT, QUEUE stats
        f.ports = {port(1, "p1"), port(kOfppLocal, "br0")};
        auto d = value_of(decode_features_reply(encode_features_reply(v, 7, f)));
        CHECK(d.features.datapath_id == f.datapath_id);
        CHECK(d.features.n_tables == 254);
        CHECK(d.features.auxiliary_id == f.auxiliary_id);
        CHECK(d.features.capabilities == 0x47);
        if (v < kOfp13) {
            REQUIRE(d.features.ports.size() == 2);
            check_port(d.features.ports[0], f.ports[0]);
            check_port(d.features.ports[1], f.ports[1]);
        } else {
            CHECK(d.features.ports.empty());
            CHECK_FALSE(d.has_ports);
        }
    }
}

TEST_CASE("switch config, port descriptions and port status round trip") {
    for (uint8_t v : kVersions) {
        CAPTURE(int(v));
        OfpSwitchConfig c;
        c.flags = 2;
        c.miss_send_len = 0;
        auto d = value_of(decode_get_config_reply(encode_get_config_reply(v, 1, c)));
        CHECK(d.flags == 2);
        CHECK(d.miss_send_len == 0);

        std::vector<OfpPortInfo> ports{port(3, "eth0"), port(kOfppLocal, "br0")};
        Bytes req = encode_port_desc_request(v, 0xffffffff, 9);
        CHECK(value_of(decode_port_stats_request(req)) == 0xffffffff);
        auto replies = encode_port_desc_reply(req, ports);
        REQUIRE(replies.size() == 1);
        auto id = ofp_identify(replies[0]);
        REQUIRE(id);
        CHECK(id->xid == 9);
        auto got = value_of(decode_port_desc_reply(replies[0]));
        REQUIRE(got.size() == 2);
        check_port(got[0], ports[0]);
        check_port(got[1], ports[1]);

        auto ps = value_of(decode_port_status(encode_port_status(v, 2, ports[0])));
        CHECK(ps.reason == 2);
        check_port(ps.desc, ports[0]);
    }
    // tests/ofp-print.at "OFPST_PORT_DESC reply - OF1.4".
    Bytes msg =
        hex("05 13 00 58 00 00 00 02 00 0d 00 00 00 00 00 00 00 00 00 03 00 48 00 00 50 54 00 00 00 01 00 00 "
            "65 74 68 30 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 20 00 00 00 00 "
            "00 00 20 08 00 00 28 0f 00 00 28 0f 00 00 00 00 00 01 86 a0 00 01 86 a0");
    CHECK(xvs::ofctl::ofp_to_string(msg, 1) ==
          "OFPST_PORT_DESC reply (OF1.4) (xid=0x2):\n"
          " 3(eth0): addr:50:54:00:00:00:01\n"
          "     config:     0\n"
          "     state:      0\n"
          "     current:    100MB-FD AUTO_NEG\n"
          "     advertised: 10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     supported:  10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     speed: 100 Mbps now, 100 Mbps max\n");
    // tests/ofp-print.at "OFPT_PORT_STATUS - OF1.0".
    Bytes status =
        hex("01 0c 00 40 00 00 00 00 02 00 00 00 00 00 00 00 00 03 50 54 00 00 00 01 65 74 68 30 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 01 00 00 02 08 00 00 02 8f 00 00 02 8f 00 00 00 00");
    CHECK(xvs::ofctl::ofp_to_string(status, 2) ==
          "OFPT_PORT_STATUS (xid=0x0): MOD: 3(eth0): addr:50:54:00:00:00:01\n"
          "     config:     PORT_DOWN\n"
          "     state:      LINK_DOWN\n"
          "     current:    100MB-FD AUTO_NEG\n"
          "     advertised: 10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     supported:  10MB-HD 10MB-FD 100MB-HD 100MB-FD COPPER AUTO_NEG\n"
          "     speed: 100 Mbps now, 100 Mbps max\n");
    // A reason OpenFlow does not define.
    Bytes bad = status;
    bad[8] = 7;
    CHECK(error_of(decode_port_status(bad)) == OfpErr::NXBRC_BAD_REASON);
}

TEST_CASE("flow statistics: Open vSwitch's 1.0 and 1.5 replies") {
    // tests/ofp-print.at "OFPST_FLOW reply - OF1.0".
    Bytes msg =
        hex("01 11 01 e4 00 00 00 04 00 01 00 00 00 60 00 00 00 00 00 00 00 03 50 54 00 00 00 05 50 54 00 00 "
            "00 06 ff ff 00 00 08 06 00 02 00 00 c0 a8 00 01 c0 a8 00 02 00 00 00 00 00 00 00 04 0b eb c2 00 "
            "ff ff 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 "
            "00 00 00 3c 00 00 00 08 00 01 00 00 00 60 00 00 00 00 00 00 00 01 50 54 00 00 00 06 50 54 00 00 "
            "00 05 ff ff 00 00 08 00 00 01 00 00 c0 a8 00 02 c0 a8 00 01 00 00 00 00 00 00 00 08 35 a4 e9 00 "
            "ff ff 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0d 00 00 00 00 "
            "00 00 04 fa 00 00 00 08 00 03 00 00 00 60 00 00 00 00 00 00 00 01 50 54 00 00 00 06 50 54 00 00 "
            "00 05 ff ff 00 00 08 06 00 01 00 00 c0 a8 00 02 c0 a8 00 01 00 00 00 00 00 00 00 04 10 b0 76 00 "
            "ff ff 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 "
            "00 00 00 3c 00 00 00 08 00 03 00 00 00 60 00 00 00 00 00 01 00 03 50 54 00 00 00 05 50 54 00 00 "
            "00 06 ff ff 00 00 08 00 00 01 00 00 c0 a8 00 01 c0 a8 00 02 00 08 00 00 00 00 00 09 05 b8 d8 00 "
            "80 00 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0d 00 00 00 00 "
            "00 00 04 fa 00 00 00 08 00 01 00 00 00 58 02 00 00 3f ff ff 00 00 00 00 00 00 00 00 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            "80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            "00 00 00 00 00 00 00 00");
    auto flows = value_of(decode_flow_stats_reply(msg));
    REQUIRE(flows.size() == 5);
    CHECK(flows[0].stats.duration_sec == 4);
    CHECK(flows[0].stats.duration_nsec == 200000000);
    CHECK(flows[0].stats.priority == 65535);
    CHECK(flows[0].stats.idle_timeout == 5);
    CHECK(flows[1].stats.packet_count == 13);
    CHECK(flows[1].stats.byte_count == 1274);
    CHECK(flows[4].stats.table_id == 2);
    CHECK(flows[4].stats.actions.empty());
    CHECK_FALSE(flows[0].idle_age);
    CHECK(xvs::ofctl::format_flow_stats(flows[4], true) ==
          "cookie=0x0, duration=0s, table=2, n_packets=0, n_bytes=0, actions=drop");
    CHECK(xvs::ofctl::format_flow_stats(flows[1], false) ==
          "idle_timeout=5, priority=65535,icmp,in_port=1,vlan_tci=0x0000,dl_src=50:54:00:00:00:06,"
          "dl_dst=50:54:00:00:00:05,nw_src=192.168.0.2,nw_dst=192.168.0.1,nw_tos=0,icmp_type=0,icmp_code=0 "
          "actions=output:3");

    // tests/ofp-print.at "OFPST_FLOW reply - OF1.5": OXS statistics with idle time.
    Bytes msg15 =
        hex("06 13 01 00 00 00 00 04 00 01 00 00 00 00 00 00 00 78 00 00 00 00 80 00 00 00 00 00 00 05 00 00 "
            "00 00 00 00 00 00 00 00 00 01 00 0c 80 00 00 04 00 00 00 02 00 00 00 00 00 00 00 34 80 02 00 08 "
            "00 00 00 c4 0b 06 e0 40 80 02 02 08 00 00 00 c4 00 00 00 00 80 02 08 08 00 00 00 00 00 00 00 02 "
            "80 02 0a 08 00 00 00 00 00 00 00 80 00 00 00 00 00 04 00 18 00 00 00 00 00 00 00 10 ff ff ff fa "
            "00 00 00 00 00 00 00 00 00 78 00 00 00 00 0f a0 00 00 00 00 00 05 00 00 00 00 00 00 00 00 00 00 "
            "00 01 00 0c 80 00 00 04 00 00 00 03 00 00 00 00 00 00 00 34 80 02 00 08 00 00 00 b3 25 40 be 40 "
            "80 02 02 08 00 00 00 b3 00 00 00 00 80 02 08 08 00 00 00 00 00 00 00 02 80 02 0a 08 00 00 00 00 "
            "00 00 00 80 00 00 00 00 00 04 00 18 00 00 00 00 00 00 00 10 ff ff ff fa 00 00 00 00 00 00 00 00");
    CHECK(xvs::ofctl::ofp_to_string(msg15, 1) ==
          "OFPST_FLOW reply (OF1.5) (xid=0x4):\n"
          " cookie=0x0, duration=196.185s, table=0, n_packets=2, n_bytes=128, send_flow_rem reset_counts "
          "idle_age=196, in_port=2 actions=NORMAL\n"
          " cookie=0x0, duration=179.625s, table=0, n_packets=2, n_bytes=128, send_flow_rem reset_counts "
          "idle_age=179, priority=4000,in_port=3 actions=NORMAL\n");
}

TEST_CASE("flow statistics round trip through the switch's encoder, every form") {
    OfpFlowStats a;
    a.match = match_of("tcp,in_port=1,nw_src=10.0.0.0/8,tp_dst=80");
    a.priority = 100;
    a.cookie = 0xdeadbeef;
    a.table_id = 3;
    a.duration_sec = 12;
    a.duration_nsec = 500000000;
    a.idle_timeout = 30;
    a.hard_timeout = 60;
    a.flags = kFfSendFlowRem;
    a.importance = 7;
    a.idle_age = 4;
    a.hard_age = 9;
    a.packet_count = 5;
    a.byte_count = 500;
    a.actions = actions_of("output:2,output:3");
    OfpFlowStats b;
    b.match = match_of("ipv6,ipv6_src=2001:db8::1");
    b.priority = 0;
    b.actions = actions_of("NORMAL");
    for (uint8_t v : kVersions) {
        for (bool nxm : {false, true}) {
            if (nxm && v != kOfp10) continue;
            if (v == kOfp10 && !nxm) continue;  // 1.0's match has no IPv6
            CAPTURE(int(v));
            CAPTURE(nxm);
            OfpFlowStatsRequest req;
            req.table_id = 0xff;
            Bytes request = encode_flow_stats_request(v, nxm, req, 42);
            auto back = value_of(decode_flow_stats_request(request));
            CHECK(back.table_id == 0xff);
            CHECK_FALSE(back.aggregate);
            // OpenFlow 1.1's fixed match has no IPv6.
            auto replies = encode_flow_stats_reply(
                request, v == kOfp11 ? std::vector<OfpFlowStats>{a, a} : std::vector<OfpFlowStats>{a, b});
            REQUIRE(replies.size() == 1);
            CHECK(ofp_identify(replies[0])->xid == 42);
            auto flows = value_of(decode_flow_stats_reply(replies[0]));
            REQUIRE(flows.size() == 2);
            const auto& f = flows[0].stats;
            CHECK(f.match == a.match);
            CHECK(f.priority == 100);
            CHECK(f.cookie == 0xdeadbeef);
            CHECK(f.table_id == 3);
            CHECK(f.duration_sec == 12);
            CHECK(f.idle_timeout == 30);
            CHECK(f.hard_timeout == 60);
            CHECK(f.packet_count == 5);
            CHECK(f.byte_count == 500);
            CHECK(f.actions == a.actions);
            CHECK(f.flags == (v >= kOfp13 ? kFfSendFlowRem : 0));
            CHECK(f.importance == (v >= kOfp14 ? 7 : 0));
            CHECK(bool(flows[0].idle_age) == (nxm || v == kOfp15));
            if (nxm) CHECK(*flows[0].hard_age == 9);
            if (flows[0].idle_age) CHECK(*flows[0].idle_age == 4);
            if (v != kOfp11) {
                CHECK(flows[1].stats.match == b.match);
                CHECK(flows[1].stats.actions == b.actions);
            }
        }
    }
}

TEST_CASE("aggregate statistics") {
    // tests/ofp-print.at "OFPST_AGGREGATE reply - OF1.0" and "- OF1.5".
    auto a10 =
        value_of(decode_aggregate_reply(hex("01 11 00 24 00 00 00 04 00 02 00 00 00 00 00 00 "
                                            "00 00 01 82 00 00 00 00 00 00 93 78 00 00 00 04 00 00 00 00")));
    CHECK(a10.packet_count == 386);
    CHECK(a10.byte_count == 37752);
    CHECK(a10.flow_count == 4);
    Bytes m15 =
        hex("06 13 00 38 00 00 00 04 00 02 00 00 00 00 00 00 00 00 00 24 80 02 06 04 00 00 00 03 80 02 08 08 "
            "00 00 00 00 00 00 00 79 80 02 0a 08 00 00 00 00 00 00 4b 4f 00 00 00 00");
    CHECK(xvs::ofctl::ofp_to_string(m15, 1) ==
          "OFPST_AGGREGATE reply (OF1.5) (xid=0x4): packet_count=121 byte_count=19279 flow_count=3\n");
    for (uint8_t v : kVersions) {
        for (bool nxm : {false, true}) {
            if (nxm && v != kOfp10) continue;
            CAPTURE(int(v));
            OfpFlowStatsRequest req;
            req.aggregate = true;
            req.table_id = 7;
            req.match = match_of("ip");
            Bytes request = encode_flow_stats_request(v, nxm, req, 5);
            auto back = value_of(decode_flow_stats_request(request));
            CHECK(back.aggregate);
            CHECK(back.table_id == 7);
            CHECK(back.match == req.match);
            auto replies = encode_aggregate_reply(request, 10, 2000, 3);
            REQUIRE(replies.size() == 1);
            auto a = value_of(decode_aggregate_reply(replies[0]));
            CHECK(a.packet_count == 10);
            CHECK(a.byte_count == 2000);
            CHECK(a.flow_count == 3);
        }
    }
}

TEST_CASE("table and port statistics") {
    // tests/ofp-print.at "OFPST_TABLE reply - OF1.0".
    Bytes t10 =
        hex("01 11 00 4c 00 00 00 01 00 03 00 00 00 00 00 00 63 6c 61 73 73 69 66 69 65 72 00 00 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 3f ff ff 00 10 00 00 00 00 00 0b 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 00");
    CHECK(xvs::ofctl::ofp_to_string(t10, 1) ==
          "OFPST_TABLE reply (xid=0x1):\n"
          "  table 0 (\"classifier\"):\n"
          "    active=11, lookup=0, matched=0\n"
          "    max_entries=1048576\n"
          "    matching:\n"
          "      exact match or wildcard: in_port eth_{src,dst,type} vlan_{vid,pcp} ip_{src,dst} nw_{proto,tos} "
          "tcp_{src,dst}\n");
    for (uint8_t v : kVersions) {
        CAPTURE(int(v));
        Bytes request = *encode_empty_request(OfpMsgKind::TableStatsRequest, v, 3);
        CHECK(value_of(decode_type(request)) == OfpType::TableStatsRequest);
        std::vector<OfpTableStats> tables(3);
        for (uint8_t i = 0; i < 3; i++) {
            tables[i].table_id = i;
            tables[i].active_count = i * 10;
            tables[i].lookup_count = 100 + i;
            tables[i].matched_count = 50 + i;
        }
        auto replies = encode_table_stats_reply(request, tables);
        REQUIRE(replies.size() == 1);
        auto got = value_of(decode_table_stats_reply(replies[0]));
        REQUIRE(got.size() == 3);
        for (size_t i = 0; i < 3; i++) {
            CHECK(got[i].stats.table_id == i);
            CHECK(got[i].stats.active_count == tables[i].active_count);
            CHECK(got[i].stats.lookup_count == tables[i].lookup_count);
            CHECK(got[i].stats.matched_count == tables[i].matched_count);
            CHECK(got[i].stats.max_entries == (v <= kOfp12 ? 1000000u : 0u));
        }
    }

    // tests/ofp-print.at "OFPST_PORT reply - OF1.4".
    Bytes p14 =
        hex("05 13 00 88 00 00 00 02 00 04 00 00 00 00 00 00 00 78 00 00 00 00 00 02 00 00 00 01 00 0f 42 40 "
            "00 00 00 00 00 01 95 56 00 00 00 00 00 00 00 88 00 00 00 00 02 5d 08 98 00 00 00 00 00 00 2c f8 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            "00 00 00 28 00 00 00 00 00 00 00 00 00 00 00 fc 00 00 00 00 00 00 00 fd 00 00 00 00 00 00 00 fe "
            "00 00 00 00 00 00 00 ff");
    CHECK(xvs::ofctl::ofp_to_string(p14, 1) ==
          "OFPST_PORT reply (OF1.4) (xid=0x2): 1 ports\n"
          "  port  2: rx pkts=103766, bytes=39651480, drop=0, errs=0, frame=252, over=253, crc=254\n"
          "           tx pkts=136, bytes=11512, drop=0, errs=0, coll=255\n"
          "           duration=1.001s\n");
    for (uint8_t v : kVersions) {
        CAPTURE(int(v));
        Bytes request = encode_port_stats_request(v, 2, 8);
        CHECK(value_of(decode_port_stats_request(request)) == 2);
        OfpPortStats s;
        s.port_no = 2;
        s.rx_packets = 1;
        s.tx_bytes = 2;
        s.collisions = 9;
        s.duration_sec = 3;
        s.duration_nsec = 0;
        auto replies = encode_port_stats_reply(request, {s});
        REQUIRE(replies.size() == 1);
        auto got = value_of(decode_port_stats_reply(replies[0]));
        REQUIRE(got.size() == 1);
        CHECK(got[0].stats.port_no == 2);
        CHECK(got[0].stats.rx_packets == 1);
        CHECK(got[0].stats.tx_bytes == 2);
        CHECK(got[0].stats.rx_crc_err == UINT64_MAX);
        CHECK(got[0].stats.collisions == 9);
        CHECK(got[0].stats.duration_sec == (v >= kOfp13 ? 3u : UINT32_MAX));
    }
}

TEST_CASE("packet-ins of every form") {
    // tests/ofp-print.at "OFPT_PACKET_IN - OF1.0".
    Bytes p10 =
        hex("01 0a 00 4e 00 00 00 00 00 00 01 11 00 3c 00 03 00 00 50 54 00 00 00 06 50 54 00 00 00 05 08 00 "
            "45 00 00 28 bd 12 00 00 40 06 3c 6a c0 a8 00 01 c0 a8 00 02 27 2f 00 00 78 50 cc 5b 57 af 42 1e "
            "50 02 02 00 26 e8 00 00 00 00 00 00 00 00");
    CHECK(xvs::ofctl::ofp_to_string(p10, 2) ==
          "OFPT_PACKET_IN (xid=0x0): total_len=60 in_port=3 (via no_match) data_len=60 buffer=0x00000111\n"
          "tcp,vlan_tci=0x0000,dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:06,nw_src=192.168.0.1,"
          "nw_dst=192.168.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=10031,tp_dst=0,tcp_flags=syn "
          "tcp_csum:26e8\n");
    // tests/ofp-print.at "NX_PACKET_IN2" (its packet is cut, and buffered).
    Bytes p2 =
        hex("01 04 0098 00000000 00002320 0000001e 0000 0034 82 82 82 82 82 82 80 81 81 81 81 81 81 00 00 50 "
            "08 00 45 00 00 28 00 00 00 00 00 06 32 05 53 53 53 53 54 54 54 54 00 55 00 56 00 00 00 00 00 00 "
            "00000000 0001 0008 00000040 0002 0008 00000114 0003 0005 07 000000 0004 0010 00000000 fedcba9876543210 "
            "0005 0005 01 000000 0006 0010 80000408 5a5a5a5a5a5a5a5a 0007 0009 0102030405 00000000000000");
    auto m2 = value_of(decode_packet_in(p2)).pin;
    CHECK(m2.total_len == 64);
    CHECK(m2.packet.size() == 48);
    CHECK(m2.buffer_id == 0x114);
    CHECK(m2.table_id == 7);
    CHECK(m2.cookie == 0xfedcba9876543210);
    CHECK(m2.reason == 1);
    CHECK(m2.userdata == Bytes{1, 2, 3, 4, 5});
    CHECK(match_format(m2.metadata) == "metadata=0x5a5a5a5a5a5a5a5a");

    // Our encoder in every version and format.
    OfpPacketIn pin;
    pin.packet = Bytes(p10.begin() + 18, p10.end());
    pin.reason = 1;
    pin.table_id = 4;
    pin.cookie = 0x1234;
    pin.metadata = match_of("in_port=2,reg3=5");
    pin.userdata = {9, 8};
    for (uint8_t v : kVersions) {
        for (PacketInFormat fmt : {PacketInFormat::Standard, PacketInFormat::Nxt, PacketInFormat::Nxt2}) {
            CAPTURE(int(v));
            CAPTURE(int(fmt));
            auto m = value_of(decode_packet_in(encode_packet_in(v, fmt, pin, 0))).pin;
            CHECK(m.packet == pin.packet);
            CHECK(m.total_len == pin.packet.size());
            CHECK(m.buffer_id == UINT32_MAX);
            CHECK(m.reason == 1);
            bool has_table = fmt != PacketInFormat::Standard || v >= kOfp11;
            CHECK(m.table_id == (has_table ? 4 : 0));
            bool has_cookie = fmt != PacketInFormat::Standard || v >= kOfp13;
            CHECK(m.cookie == (has_cookie ? 0x1234u : UINT64_MAX));
            bool full_metadata = fmt != PacketInFormat::Standard || v >= kOfp12;
            CHECK(match_format(m.metadata) == (full_metadata ? "reg3=0x5,in_port=2" : "in_port=2"));
            CHECK(m.userdata == (fmt == PacketInFormat::Nxt2 ? Bytes{9, 8} : Bytes{}));
        }
    }
}

TEST_CASE("flow removed of every version") {
    // tests/ofp-print.at "OFPT_FLOW_REMOVED - OF1.0" and "- OF1.5".
    Bytes r10 =
        hex("01 0b 00 58 00 00 00 00 00 00 00 00 00 03 50 54 00 00 00 05 50 54 00 00 00 06 ff ff 00 00 08 06 "
            "00 02 00 00 c0 a8 00 01 c0 a8 00 02 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00 00 05 "
            "30 e0 35 00 00 05 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 3c");
    auto f10 = value_of(decode_flow_removed(r10));
    CHECK(f10.priority == 65535);
    CHECK(f10.table_id == 255);
    CHECK(f10.duration_sec == 5);
    CHECK(f10.duration_nsec == 820000000);
    CHECK(f10.idle_timeout == 5);
    CHECK(f10.packet_count == 1);
    CHECK(f10.byte_count == 60);
    Bytes r15 =
        hex("06 0b 00 80 00 00 00 02 01 00 00 00 11 00 22 00 00 00 00 00 00 00 00 01 00 01 00 2d 80 00 00 04 "
            "00 00 00 02 80 00 06 06 52 54 00 c3 00 89 80 00 0a 02 08 00 80 00 10 01 00 80 00 04 08 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 34 80 02 00 08 00 00 00 98 29 e6 ed c0 80 02 02 08 00 00 00 98 "
            "00 00 00 00 80 02 08 08 00 00 00 00 00 00 00 02 80 02 0a 08 00 00 00 00 00 00 00 80 00 00 00 00");
    auto f15 = value_of(decode_flow_removed(r15));
    CHECK(f15.table_id == 1);
    CHECK(f15.cookie == 1);
    CHECK(f15.duration_sec == 152);
    CHECK(f15.duration_nsec == 703000000);
    CHECK(f15.idle_timeout == 4352);
    CHECK(f15.hard_timeout == 8704);
    CHECK(f15.packet_count == 2);
    CHECK(f15.byte_count == 128);

    OfpFlowRemoved fr;
    fr.match = match_of("udp,tp_dst=53");
    fr.priority = 20;
    fr.cookie = 0x55;
    fr.reason = 2;
    fr.table_id = 6;
    fr.duration_sec = 3;
    fr.duration_nsec = 1000;
    fr.idle_timeout = 10;
    fr.hard_timeout = 20;
    fr.packet_count = 4;
    fr.byte_count = 400;
    for (uint8_t v : kVersions) {
        for (bool nxm : {false, true}) {
            CAPTURE(int(v));
            CAPTURE(nxm);
            auto d = value_of(decode_flow_removed(encode_flow_removed(v, nxm, fr, 0)));
            CHECK(d.match == fr.match);
            CHECK(d.priority == 20);
            CHECK(d.cookie == 0x55);
            CHECK(d.reason == 2);
            CHECK(d.table_id == (v == kOfp10 && !nxm ? 255 : 6));
            CHECK(d.duration_sec == 3);
            CHECK(d.duration_nsec == 1000);
            CHECK(d.idle_timeout == 10);
            CHECK(d.hard_timeout == (nxm || v == kOfp10 ? 0 : 20));
            CHECK(d.packet_count == 4);
            CHECK(d.byte_count == 400);
        }
    }
}

TEST_CASE("client requests the switch-side decoders take") {
    CHECK(value_of(decode_nx_u32_control(encode_nx_set_flow_format(2, 1))) == 2);
    CHECK(value_of(decode_nx_u32_control(encode_nx_flow_mod_table_id(true, 1))) == 1);
    for (uint8_t v : kVersions) {
        CAPTURE(int(v));
        CHECK(value_of(decode_nx_u32_control(encode_nx_set_packet_in_format(v, PacketInFormat::Nxt2, 1))) == 2);
        OfpSwitchConfig c;
        c.flags = 1;
        c.miss_send_len = 65535;
        auto back = value_of(decode_set_config(encode_set_config(v, c, 1)));
        CHECK(back.flags == 1);
        CHECK(back.miss_send_len == 65535);
        for (auto kind : {OfpMsgKind::FeaturesRequest, OfpMsgKind::GetConfigRequest, OfpMsgKind::BarrierRequest,
                          OfpMsgKind::DescRequest, OfpMsgKind::TableStatsRequest, OfpMsgKind::EchoRequest}) {
            auto msg = encode_empty_request(kind, v, 77);
            REQUIRE(msg);
            auto id = ofp_identify(*msg);
            REQUIRE(id);
            CHECK(id->kind == kind);
            CHECK(id->xid == 77);
            CHECK(std::holds_alternative<OfpType>(decode_type(*msg)));
        }
        // Cookie selections and a 1.1+ out_group go through.
        OfpFlowStatsRequest req;
        req.match = match_of("tcp,tp_src=22");
        req.table_id = 2;
        req.out_port = 4;
        req.cookie = 0x10;
        req.cookie_mask = 0xff;
        for (bool nxm : {false, true}) {
            if (v == kOfp10 && !nxm) continue;  // 1.0's match has no cookie
            if (nxm && v != kOfp10) continue;
            auto back = value_of(decode_flow_stats_request(encode_flow_stats_request(v, nxm, req, 3)));
            CHECK(back.match == req.match);
            CHECK(back.table_id == 2);
            CHECK(back.out_port == 4);
            CHECK(back.cookie == 0x10);
            CHECK(back.cookie_mask == 0xff);
        }
    }
}

TEST_CASE("errors print with the request they answer") {
    OfpFlowMod fm;
    fm.match = match_of("tcp");
    fm.priority = 5;
    fm.table_id = 6;
    fm.flags = kFfCheckOverlap;
    Bytes request = encode_flow_mod(kOfp15, false, fm, 6);
    Bytes err = encode_error(kOfp15, OfpErr::OFPFMFC_OVERLAP, request, 6);
    CHECK(xvs::ofctl::ofp_to_string(err, 2) ==
          "OFPT_ERROR (OF1.5) (xid=0x6): OFPFMFC_OVERLAP\n"
          "OFPT_FLOW_MOD (OF1.5) (xid=0x6): ADD table:6 priority=5,tcp check_overlap actions=drop\n");
    // A message no decoder takes: the name, the error, the bytes.
    CHECK(xvs::ofctl::ofp_to_string(hex("01 63 00 08 00 00 00 05"), 1) ==
          "***decode error: OFPBRC_BAD_TYPE***\n"
          "00000000  01 63 00 08 00 00 00 05-                        |.c......        |\n");
}

TEST_CASE("NXT_PACKET_IN with registers and a VLAN-tagged packet") {
    // tests/ofp-print.at "NXT_PACKET_IN".
    Bytes msg =
        hex("01 04 00 ba 00 00 00 00 00 00 23 20 00 00 00 11 ff ff ff ff 00 40 01 07 00 00 00 00 00 00 00 09 "
            "00 4e 00 00 00 00 00 00 00 00 00 02 00 01 00 01 20 08 00 00 00 00 00 00 00 06 00 01 00 04 00 00 "
            "00 01 00 01 02 04 00 00 00 02 00 01 04 04 00 00 00 03 00 01 06 04 00 00 00 04 00 01 08 04 00 00 "
            "00 05 80 00 05 10 5a 5a 5a 5a 5a 5a 5a 5a ff ff ff ff ff ff ff ff 00 00 00 00 82 82 82 82 82 82 "
            "80 81 81 81 81 81 81 00 00 50 08 00 45 00 00 28 00 00 00 00 00 06 32 05 53 53 53 53 54 54 54 54 "
            "00 55 00 56 00 00 00 00 00 00 00 00 50 02 00 00 31 6d 00 00 00 00 00 00 00 00");
    CHECK(xvs::ofctl::ofp_to_string(msg, 2) ==
          "NXT_PACKET_IN (xid=0x0): table_id=7 cookie=0x9 total_len=64 reg0=0x1,reg1=0x2,reg2=0x3,reg3=0x4,"
          "reg4=0x5,tun_id=0x6,metadata=0x5a5a5a5a5a5a5a5a,in_port=1 (via action) data_len=64 (unbuffered)\n"
          "tcp,dl_vlan=80,dl_vlan_pcp=0,vlan_tci1=0x0000,dl_src=80:81:81:81:81:81,dl_dst=82:82:82:82:82:82,"
          "nw_src=83.83.83.83,nw_dst=84.84.84.84,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=85,tp_dst=86,"
          "tcp_flags=syn tcp_csum:316d\n");
}

TEST_CASE("OpenFlow 1.2 table statistics describe the tables' features") {
    // tests/ofp-print.at "OFPST_TABLE reply - OF1.2", first three tables.
    auto entry = [](uint8_t id, std::string name, uint32_t active, uint64_t lookup, uint64_t matched) {
        Bytes e{id, 0, 0, 0, 0, 0, 0, 0};
        name.resize(32, '\0');
        e.insert(e.end(), name.begin(), name.end());
        Bytes mid =
            hex("00 00 00 0f ff ff ff ff 00 00 00 0f ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 0f ff ff ff ff "
                "00 00 00 0f ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07 00 00 00 00 "
                "00 0f 42 40");
        e.insert(e.end(), mid.begin(), mid.end());
        for (int i = 3; i >= 0; i--) e.push_back(uint8_t(active >> (8 * i)));
        for (int i = 7; i >= 0; i--) e.push_back(uint8_t(lookup >> (8 * i)));
        for (int i = 7; i >= 0; i--) e.push_back(uint8_t(matched >> (8 * i)));
        return e;
    };
    Bytes msg = hex("03 13 00 00 00 00 00 02 00 03 00 00 00 00 00 00");
    for (const Bytes& e :
         {entry(0, "classifier", 1, 74614, 106024), entry(1, "table1", 0, 0, 0), entry(2, "table2", 0, 0, 0)}) {
        msg.insert(msg.end(), e.begin(), e.end());
    }
    msg[2] = uint8_t(msg.size() >> 8);
    msg[3] = uint8_t(msg.size());
    const std::string fields =
        " metadata in_port_oxm eth_{src,dst,type} vlan_{vid,pcp} mpls_{label,tc} ip_{src,dst} ipv6_{src,dst,label} "
        "nw_proto ip_dscp nw_ecn arp_{op,spa,tpa,sha,tha} tcp_{src,dst} udp_{src,dst} sctp_{src,dst} icmp_{type,code} "
        "icmpv6_{type,code} nd_{target,sll,tll}\n";
    CHECK(xvs::ofctl::ofp_to_string(msg, 1) ==
          "OFPST_TABLE reply (OF1.2) (xid=0x2):\n"
          "  table 0 (\"classifier\"):\n"
          "    active=1, lookup=74614, matched=106024\n"
          "    config=controller\n"
          "    max_entries=1000000\n"
          "    instructions (table miss and others):\n"
          "      instructions: write_metadata goto_table\n"
          "      Write-Actions and Apply-Actions features:\n"
          "        supported on Set-Field:" +
              fields +
              "    matching:\n"
              "      exact match or wildcard:" +
              fields +
              "\n"
              "  table 1 (\"table1\"):\n"
              "    active=0, lookup=0, matched=0\n"
              "    (same features)\n"
              "\n"
              "  table 2 (\"table2\"): ditto\n");
}
