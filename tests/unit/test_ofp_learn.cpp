// learn and fin_timeout: the wire forms (NXAST_LEARN, NXAST_LEARN2,
// NXAST_FIN_TIMEOUT), ovs-ofctl's text, the consistency check, and what
// they do: the flow a learn action adds, refreshes and limits, the flows
// delete_learned takes away, and translation's side-effect reports.
//
// The texts and bytes below are what Debian's ovs-ofctl 3.1 prints and
// sends for the input text (`ovs-ofctl parse-flow 'actions=...'`, and the
// actions of the OpenFlow 1.0 flow mod `ovs-ofctl add-flow` sent).
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "compiler/packet_compose.h"
#include "ofproto/flow_table.h"
#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"
#include "tests/unit/ofp_test_util.h"
#include "ofproto/switch.h"
#include "ofproto/xlate.h"

using namespace xvs::ofproto;

namespace {

using Bytes = std::vector<uint8_t>;

using xvs::test::hex;

std::string to_hex(const Bytes& b) {
    std::string s;
    for (uint8_t x : b) s += fmt::format("{:02x}", x);
    return s;
}

using xvs::test::parse;
using xvs::test::parse_error;

std::string pull_error(const Bytes& b, uint8_t version) {
    OfActions a;
    auto e = ofpacts_pull(b, version, &a);
    return e ? ofp_error_name(e->err) : "";
}

struct Case {
    const char* in;    // what was given to ovs-ofctl
    const char* text;  // what it prints
    const char* hex;   // the action it sends
};

// clang-format off
const Case kCases[] = {
    {"learn(table=1,hard_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[])",
     "learn(table=1,hard_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[])",
     "ffff00580000232000100000003c800000000000000000000000010000000000000c000008020000000008020000003000000406000000000206000008100000000200000001000400001010000000020000000000000000"},
    {"learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
     "learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
     "ffff003800002320001000000000800000000000000000000000010000000000003000000406000000000206000010100000000200000000"},
    {"learn(eth_dst=eth_src)", "learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])",
     "ffff00300000232000100000000080000000000000000000000001000000000000300000040600000000020600000000"},
    {"learn(eth_type=0x800,ip_dst=10.0.0.1,output:in_port)",
     "learn(table=1,eth_type=0x800,ip_dst=10.0.0.1,output:NXM_OF_IN_PORT[])",
     "ffff0040000023200010000000008000000000000000000000000100000000002010080000000602000020200a00000100001004000010100000000200000000"},
    {"learn(table=2,idle_timeout=10,fin_idle_timeout=5,fin_hard_timeout=7,priority=100,cookie=0x123,send_flow_rem,delete_learned,eth_type=0x800,nw_proto=6,tcp_dst=80,NXM_OF_IP_SRC[]=NXM_OF_IP_DST[])",
     "learn(table=2,idle_timeout=10,fin_idle_timeout=5,fin_hard_timeout=7,priority=100,send_flow_rem,delete_learned,cookie=0x123,eth_type=0x800,nw_proto=6,tcp_dst=80,NXM_OF_IP_SRC[]=NXM_OF_IP_DST[])",
     "ffff0050000023200010000a0000006400000000000001230003020000050007201008000000060200002008000600000c01000020100050000014020000002000001004000000000e04000000000000"},
    {"learn(limit=10,result_dst=reg0[5],eth_dst=eth_src)",
     "learn(table=1,limit=10,result_dst=NXM_NX_REG0[5],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])",
     "ffff004000002320002d000000008000000000000000000000040100000000000000000a00050000000100040030000004060000000002060000000000000000"},
    {"learn(load:0x5->NXM_NX_REG1[4..7],load:0xaabbccddeeff->eth_dst,eth_src)",
     "learn(table=1,load:0x5->NXM_NX_REG1[4..7],load:0xaabbccddeeff->NXM_OF_ETH_DST[],NXM_OF_ETH_SRC[])",
     "ffff004800002320001000000000800000000000000000000000010000000000280400050001020400042830aabbccddeeff00000206000000300000040600000000040600000000"},
    {"learn(NXM_OF_VLAN_TCI[0..11]=0x123)", "learn(table=1,NXM_OF_VLAN_TCI[0..11]=0x123)",
     "ffff003000002320001000000000800000000000000000000000010000000000200c0123000008020000000000000000"},
    {"learn(in_port=5,in_port=LOCAL)", "learn(table=1,in_port=5,in_port=LOCAL)",
     "ffff003800002320001000000000800000000000000000000000010000000000201000050000000200002010fffe00000002000000000000"},
    {"learn(reg1=0x1234,reg2[0..7]=reg3[8..15])", "learn(table=1,reg1=0x1234,NXM_NX_REG2[0..7]=NXM_NX_REG3[8..15])",
     "ffff0040000023200010000000008000000000000000000000000100000000002020000012340001020400000008000106040008000104040000000000000000"},
    {"learn(eth_type=0x86dd,ipv6_src=2001:db8::1,NXM_NX_IPV6_DST[])",
     "learn(table=1,eth_type=0x86dd,ipv6_src=2001:db8::1,NXM_NX_IPV6_DST[])",
     "ffff005000002320001000000000800000000000000000000000010000000000201086dd000006020000208020010db80000000000000000000000010001261000000080000128100000000128100000"},
    {"learn(table=0,priority=0,metadata=0x5,load:NXM_NX_REG0[]->NXM_NX_REG1[],output:NXM_NX_REG2[0..15])",
     "learn(table=0,priority=0,metadata=0x5,load:NXM_NX_REG0[]->NXM_NX_REG1[],output:NXM_NX_REG2[0..15])",
     "ffff00480000232000100000000000000000000000000000000000000000000020400000000000000005800004080000082000010004000000010204000010100001040400000000"},
    {"learn(table=3,hard_timeout=5,cookie=0xffffffffffffffff,limit=3,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])",
     "learn(table=3,hard_timeout=5,cookie=0xffffffffffffffff,limit=3,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])",
     "ffff003800002320002d000000058000ffffffffffffffff0000030000000000000000030000000000300000040600000000020600000000"},
    {"learn(NXM_OF_ETH_SRC[0..7]=0xab,tun_id=0x1234567890,NXM_NX_TUN_ID[0..31]=NXM_NX_REG6[])",
     "learn(table=1,NXM_OF_ETH_SRC[0..7]=0xab,tun_id=0x1234567890,NXM_NX_TUN_ID[0..31]=NXM_NX_REG6[])",
     "ffff004800002320001000000000800000000000000000000000010000000000200800ab00000406000020400000001234567890000120080000002000010c040000000120080000"},
    {"fin_timeout(idle_timeout=3,hard_timeout=9),fin_timeout(hard_timeout=2),fin_timeout()",
     "fin_timeout(idle_timeout=3,hard_timeout=9),fin_timeout(hard_timeout=2),fin_timeout()",
     "ffff0010000023200013000300090000ffff0010000023200013000000020000ffff0010000023200013000000000000"},
};
// clang-format on

}  // namespace

TEST_CASE("learn and fin_timeout: text and bytes as ovs-ofctl gives them, in every version") {
    for (const Case& c : kCases) {
        INFO(std::string(c.in));
        OfActions a = parse(c.in);
        CHECK(format_of_actions(a) == c.text);
        // A Nicira extension: the same bytes in every version.
        for (uint8_t v : {kOfp10, kOfp11, kOfp12, kOfp13, kOfp14, kOfp15}) {
            INFO("version ", int(v));
            Bytes out;
            ofpacts_put(out, a, v);
            CHECK(to_hex(out) == c.hex);
            OfActions back;
            auto e = ofpacts_pull(hex(c.hex), v, &back);
            REQUIRE(!e);
            CHECK(format_of_actions(back) == c.text);
            Bytes again;
            ofpacts_put(again, back, v);
            CHECK(to_hex(again) == c.hex);
        }
        // The printed text reads back as the same actions.
        CHECK(format_of_actions(parse(c.text)) == c.text);
    }
}

TEST_CASE("learn2 without limit or result_dst stays learn2; 1.3 carries learn in apply_actions") {
    // ofp-actions.at: NXAST_LEARN2 with neither.
    Bytes b = hex(
        "ffff 0050 00002320 002d 0000 0000 0000 0000000000000000 0000 02 00 0000 0000 00000000 0000 0000 "
        "000c 00000802 0000 00000802 0000 0030 00000406 0000 00000206 0000 1010 00000002 0000 00000000");
    OfActions a;
    REQUIRE(!ofpacts_pull(b, kOfp10, &a));
    CHECK(format_of_actions(a) ==
          "learn(table=2,priority=0,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])");
    Bytes out;
    ofpacts_put(out, a, kOfp10);
    CHECK(to_hex(out) == to_hex(b));
    Bytes inst;
    ofpacts_put_instructions(inst, a, kOfp13);
    CHECK(to_hex(inst) == "00040058" "00000000" + to_hex(b));
}

TEST_CASE("learn decode errors are Open vSwitch's") {
    // learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]), and its learn2 form
    // with limit=10,result_dst=NXM_NX_REG0[5], each spoiled one way.
    const Bytes base = hex(kCases[2].hex);
    const Bytes base2 = hex(kCases[5].hex);
    auto with = [](Bytes b, size_t ofs, std::initializer_list<uint8_t> bytes) {
        for (uint8_t x : bytes) b[ofs++] = x;
        return b;
    };
    struct Bad {
        const char* error;
        Bytes bytes;
        const char* what;
    };
    Bytes truncated(base.begin(), base.begin() + 40);
    truncated[3] = 40;
    Bytes padded = base;  // 8 more bytes: a zero spec header ends the specs, then must come zeros
    padded.resize(56);
    padded[3] = 56;
    padded[55] = 1;
    Bytes too_short(base.begin(), base.begin() + 24);
    too_short[3] = 24;
    for (const Bad& b : {
             Bad{"OFPBAC_BAD_ARGUMENT", with(base, 27, {1}), "nonzero pad"},
             Bad{"OFPBAC_BAD_ARGUMENT", with(base, 26, {0xff}), "table 255"},
             Bad{"OFPBAC_BAD_ARGUMENT", with(base, 24, {0, 4}), "NX_LEARN_F_WRITE_RESULT in NXAST_LEARN"},
             Bad{"OFPBAC_BAD_ARGUMENT", with(base, 24, {0x80, 0}), "an unknown flag"},
             Bad{"OFPBAC_BAD_ARGUMENT", with(base, 32, {0x30, 0x30}), "immediate source, output destination"},
             Bad{"OFPBAC_BAD_ARGUMENT", with(base, 32, {0x18, 0x30}), "destination type 3"},
             Bad{"OFPBAC_BAD_SET_TYPE", with(base, 34, {0, 0, 0xff, 0x06}), "unknown source field"},
             Bad{"OFPBAC_BAD_ARGUMENT", padded, "bytes after the last spec"},
             Bad{"OFPBAC_BAD_LEN", with(base, 47, {1}), "a second spec header with nothing after it"},
             Bad{"OFPBAC_BAD_LEN", truncated, "a spec running past the end"},
             Bad{"OFPBAC_BAD_LEN", too_short, "shorter than NXAST_LEARN"},
             Bad{"NXBAC_MUST_BE_ZERO", with(base2, 39, {1}), "learn2 pad"},
             Bad{"OFPBAC_BAD_ARGUMENT", with(base2, 24, {0, 0}), "a result offset without result_dst"},
             Bad{"OFPBAC_BAD_SET_ARGUMENT", with(base2, 40, {0, 0, 0x06, 0x02}), "read-only result_dst (eth_type)"},
             Bad{"OFPBMC_BAD_FIELD", with(base2, 40, {0, 0, 0xfe, 0x04}), "unknown result_dst"},
         }) {
        INFO(std::string(b.what));
        CHECK(pull_error(b.bytes, kOfp10) == b.error);
        CHECK(pull_error(b.bytes, kOfp13) == b.error);
    }
}

TEST_CASE("learn is not an action-set action (write_actions), as in Open vSwitch") {
    Bytes inst = hex("00030038 00000000");
    Bytes learn = hex(kCases[2].hex);
    inst.insert(inst.end(), learn.begin(), learn.end());
    OfActions a;
    auto e = ofpacts_pull_instructions(inst, kOfp13, &a);
    REQUIRE(e);
    CHECK(ofp_error_name(e->err) == std::string("OFPBAC_BAD_TYPE"));
    inst[1] = 4;  // apply_actions
    REQUIRE(!ofpacts_pull_instructions(inst, kOfp13, &a));
    CHECK(format_of_actions(a) == kCases[2].text);
}

TEST_CASE("learn text errors are ovs-ofctl's") {
    CHECK(parse_error("learn(foo)") == "foo: unknown keyword foo");
    CHECK(parse_error("learn(table=255)") == "table=255: table id 255 not valid for `learn' action");
    CHECK(parse_error("learn(table=x)") == "unknown table \"x\"");
    CHECK(parse_error("learn(load:1x->foo)") == "load: garbage before `->' in `1x->foo'");
    CHECK(parse_error("learn(eth_type[5]=xyzzy)") ==
          "eth_type[5]=xyzzy: eth_type[5] value xyzzy cannot be parsed as a subfield (xyzzy: unknown field `xyzzy') "
          "or an immediate value (eth_type[5]=xyzzy: cannot parse integer value)");
    CHECK(parse_error("learn(eth_type[0]=eth_type[1..2])") ==
          "eth_type[0]=eth_type[1..2]: bit widths of eth_type[0] (2) and eth_type[1..2] (1) differ");
    CHECK(parse_error("learn(load:1234->eth_dst[0..5])") == "1234->eth_dst[0..5]: value does not fit into 6 bits");
    CHECK(parse_error("learn(result_dst=tcp_flags)") == "tcp_flags is read-only");
    CHECK(parse_error("learn(result_dst=eth_dst)") == "result_dst in 'learn' action must be a single bit");
    CHECK(parse_error("learn(load:->)") == "load: missing source before `->' in `->'");
    CHECK(parse_error("learn(load:x)") == "load: missing `->' in `x'");
    CHECK(parse_error("learn(NXM_OF_VLAN_TCI[0..11]=0x1234)") ==
          "NXM_OF_VLAN_TCI[0..11]=0x1234: NXM_OF_VLAN_TCI[0..11] value 0x1234 cannot be parsed as a subfield "
          "(0x1234: unknown field `0x1234') or an immediate value (NXM_OF_VLAN_TCI[0..11]=0x1234: value 0x1234 "
          "does not fit into 12 bits)");
    CHECK(parse_error("learn(ip_dst=10.0.0.0/8)") ==
          "ip_dst=10.0.0.0/8: ip_dst value 10.0.0.0/8 cannot be parsed as a subfield (10.0.0.0/8: unknown field "
          "`10.0.0.0/8') or an immediate value (10.0.0.0/8: wildcards not allowed here)");
    CHECK(parse_error("learn(load:reg0[0..3]->reg1[])") ==
          "reg0[0..3]->reg1[]: source field is 4 bits wide but destination is 32 bits wide");
    CHECK(parse_error("learn(output:reg9[40])") ==
          "reg9[40]: starting bit 40 is not valid because field is only 32 bits wide");
    CHECK(parse_error("learn(eth_src=eth_dst[0..7])") ==
          "eth_src=eth_dst[0..7]: bit widths of eth_src (8) and eth_dst[0..7] (48) differ");
    CHECK(parse_error("learn(load:0->NXM_NX_REG4[],dl_vlan=7)") ==
          "load:0->NXM_NX_REG4[],dl_vlan=7: experimenter OXM field 'dl_vlan' not supported");
    CHECK(parse_error("fin_timeout(foo=1)") == "invalid key 'foo' in 'fin_timeout' argument");
}

// ---- The consistency check ---------------------------------------------------

namespace {

Match match_of(std::string_view text) {
    std::string err;
    Match m;
    INFO(text, ": ", err);
    REQUIRE(match_parse(text, &m, &err));
    return m;
}

std::string check_error(std::string_view actions, std::string_view match, uint8_t version = kOfp13) {
    auto e = check_actions(parse(actions), match_of(match), version);
    return e ? ofp_error_name(e->err) : "";
}

}  // namespace

TEST_CASE("learn's check: sources against the match, destinations against the flow being built") {
    // ovs-ofctl parse-flow refuses these with OFPBAC_MATCH_INCONSISTENT.
    CHECK(check_error("learn(NXM_OF_IP_DST[])", "") == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("learn(NXM_OF_IP_DST[])", "ip") == "OFPBAC_MATCH_INCONSISTENT");  // the learned flow lacks ip
    CHECK(check_error("learn(eth_type=0x800,NXM_OF_IP_DST[])", "ip").empty());
    // The learned flow's ip_dst needs eth_type first, given by an earlier spec.
    CHECK(check_error("learn(ip_dst=10.0.0.1)", "") == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("learn(eth_type=0x800,ip_dst=10.0.0.1)", "").empty());
    CHECK(check_error("learn(eth_type=0x800,tcp_dst=80)", "") == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("learn(eth_type=0x800,nw_proto=6,tcp_dst=80,NXM_OF_IP_SRC[]=NXM_OF_IP_DST[])", "ip").empty());
    // A load into a read-only field, widths past a field's end.
    CHECK(check_error("learn(load:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[])", "").empty());
    // What the wire can say and the text cannot: 48 bits into 16-bit in_port.
    ActLearn wide;
    wide.specs.push_back(LearnSpec{.src = LearnSpec::Src::Field,
                                   .dst = LearnSpec::Dst::Load,
                                   .n_bits = 48,
                                   .src_field = {&mf_field(MfId::EthSrc), 0, 48},
                                   .dst_field = {&mf_field(MfId::InPort), 0, 48}});
    auto e = check_actions({wide}, Match{}, kOfp10);
    REQUIRE(e);
    CHECK(ofp_error_name(e->err) == std::string("OFPBAC_BAD_SET_LEN"));
    // fin_timeout needs TCP, in 1.1+ only.
    CHECK(check_error("fin_timeout(idle_timeout=1)", "") == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("fin_timeout(idle_timeout=1)", "", kOfp10).empty());
    CHECK(check_error("fin_timeout(idle_timeout=1)", "tcp").empty());
}

// ---- What learn does ---------------------------------------------------------

namespace {

struct Bridge {
    Pipeline pipeline;
    MacLearning mac;
    XBridge br;
    XlateWorld world;

    Bridge() {
        br.name = "br0";
        br.pipeline = &pipeline;
        br.mac = &mac;
        world.bridges[br.name] = &br;
        for (OfPort no : {1, 2, 3}) {
            XPort p;
            p.ofport = no;
            p.dp_port = 10u + no;
            p.name = "p" + std::to_string(no);
            br.ports[no] = p;
        }
    }
    void flow(uint8_t table, std::string_view match, std::string_view actions, int priority = 0x8000) {
        OfpFlowMod fm;
        fm.table_id = table;
        fm.match = match_of(match);
        fm.priority = priority;
        fm.actions = parse(actions);
        REQUIRE(!apply_flow_mod(pipeline, fm, kOfp13, Clock::now()).error);
    }
    XlateOut run(const Flow& f, bool may_learn = true) {
        XlateIn in;
        in.world = &world;
        in.bridge = &br;
        in.flow = f;
        in.may_learn = may_learn;
        return xlate(in);
    }
    // The rules of a table as "priority match actions" lines.
    std::vector<std::string> dump(uint8_t table) {
        std::vector<std::string> out;
        pipeline.for_each(table, [&](OfRule& r) {
            out.push_back(fmt::format("{}{} {}", r.cookie ? fmt::format("cookie={:#x} ", r.cookie) : "",
                                      match_format(r.match, r.priority), format_of_actions(r.actions)));
        });
        std::sort(out.begin(), out.end());
        return out;
    }
};

Flow packet(OfPort in_port, uint8_t src, uint8_t dst, uint16_t tcp_flags = 0) {
    Flow f;
    f.in_port = in_port;
    f.pkt.in_port = 10u + in_port;
    uint8_t s[6] = {0x02, 0, 0, 0, 0, src}, d[6] = {0x02, 0, 0, 0, 0, dst};
    std::memcpy(f.pkt.eth_src, s, 6);
    std::memcpy(f.pkt.eth_dst, d, 6);
    f.pkt.eth_type = htons(0x0800);
    f.pkt.nw_src[0] = htonl(0x0a000000u | src);
    f.pkt.nw_dst[0] = htonl(0x0a000000u | dst);
    f.pkt.nw_proto = 6;
    f.pkt.tp_src = htons(1000);
    f.pkt.tp_dst = htons(80);
    f.pkt.tcp_flags = htons(tcp_flags);
    return f;
}

void apply(Bridge& b, const XlateOut& o, Clock::time_point now = Clock::now()) {
    for (const auto& lf : o.learned_flows) CHECK(!apply_learned_flow(b.pipeline, lf.fm, lf.limit, now).error);
}

}  // namespace

TEST_CASE("learn builds the flow from the packet; the megaflow pins what it read") {
    Bridge b;
    b.flow(0, "",
           "learn(table=1,hard_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],"
           "load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[]),resubmit(,1)");
    b.flow(1, "", "FLOOD", 0);
    XlateOut o = b.run(packet(2, 0xa, 0xb));
    REQUIRE(o.learned_flows.size() == 1);
    const OfpFlowMod& fm = o.learned_flows[0].fm;
    CHECK(fm.table_id == 1);
    CHECK(fm.hard_timeout == 60);
    CHECK(fm.priority == 0x8000);
    CHECK(match_format(fm.match, fm.priority) == "vlan_tci=0x0000/0x0fff,dl_dst=02:00:00:00:00:0a");
    CHECK(format_of_actions(fm.actions) == "load:0x2->NXM_NX_REG0[0..15],output:2");
    // The packet itself is flooded: the learned flow is for later packets.
    CHECK(o.actions.size() == 2);
    // Every bit learn read is in the megaflow: eth_src, the VID, in_port.
    xvs_flow_key m = megaflow_mask(o);
    CHECK(m.eth_src[5] == 0xff);
    CHECK(ntohs(m.vlan_tci) == 0x0fff);
    // Nothing is added by translation itself.
    CHECK(b.pipeline.n_rules(1) == 1);
    apply(b, o);
    CHECK(b.dump(1) == std::vector<std::string>{
                           "priority=0 FLOOD",
                           "vlan_tci=0x0000/0x0fff,dl_dst=02:00:00:00:00:0a load:0x2->NXM_NX_REG0[0..15],output:2"});
    // Traffic to the learned address now takes the learned flow.
    XlateOut back = b.run(packet(3, 0xb, 0xa));
    CHECK(back.actions.size() == 1);
}

TEST_CASE("revalidation reports the learned flow but it is the switch that applies it") {
    Bridge b;
    b.flow(0, "", "learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])");
    XlateOut o = b.run(packet(1, 5, 6), false);
    CHECK(o.learned_flows.size() == 1);  // recorded for the megaflow (refreshes)
    CHECK(b.pipeline.n_rules(1) == 0);   // and nothing added
}

TEST_CASE("learning again refreshes; a changed flow replaces; limit and result_dst count flows") {
    Bridge b;
    b.flow(0, "", "learn(table=1,hard_timeout=10,limit=2,result_dst=reg0[0],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]),"
                  "resubmit(,2)");
    b.flow(2, "reg0=1", "output:3");
    b.flow(2, "reg0=0", "drop");
    auto t0 = Clock::now();
    XlateOut o1 = b.run(packet(1, 1, 9));
    CHECK(o1.actions.size() == 1);  // reg0[0] = 1: learned
    apply(b, o1, t0);
    OfRule* r = nullptr;
    b.pipeline.for_each(1, [&](OfRule& x) { r = &x; });
    REQUIRE(r);
    uint64_t id = r->id;
    uint64_t version = b.pipeline.version();
    // The same flow again: the rule stays (same id), its hard timeout restarts.
    auto t1 = t0 + std::chrono::seconds(5);
    apply(b, b.run(packet(2, 1, 9)), t1);
    REQUIRE(b.pipeline.by_id(id));
    CHECK(b.pipeline.by_id(id)->modified == t1);
    CHECK(b.pipeline.version() == version);
    // A second address fits the limit, a third does not (and says so in reg0).
    apply(b, b.run(packet(1, 2, 9)));
    CHECK(b.pipeline.n_rules(1) == 2);
    XlateOut o3 = b.run(packet(1, 3, 9));
    CHECK(o3.learned_flows.empty());
    CHECK(o3.actions.empty());  // reg0[0] = 0: dropped
    // Applied anyway (the table filled up since), the limit holds.
    XlateOut o4 = b.run(packet(1, 4, 9), false);
    CHECK(o4.learned_flows.empty());
}

TEST_CASE("learned flows: fin timeouts become a fin_timeout action; output only to usable ports") {
    Bridge b;
    b.flow(0, "tcp",
           "learn(table=1,idle_timeout=30,fin_idle_timeout=1,fin_hard_timeout=2,send_flow_rem,cookie=0x7,priority=9,"
           "eth_type=0x800,nw_proto=6,NXM_OF_IP_SRC[]=NXM_OF_IP_DST[],output:NXM_NX_REG0[0..15],"
           "output:NXM_OF_IN_PORT[])");
    Flow f = packet(2, 1, 9);
    f.regs[0] = 0xfffd;  // CONTROLLER: not a port learn outputs to
    XlateOut o = b.run(f);
    REQUIRE(o.learned_flows.size() == 1);
    const OfpFlowMod& fm = o.learned_flows[0].fm;
    CHECK(match_format(fm.match, fm.priority) == "priority=9,tcp,nw_src=10.0.0.9");
    CHECK(format_of_actions(fm.actions) == "fin_timeout(idle_timeout=1,hard_timeout=2),output:2");
    CHECK(fm.cookie == 0x7);
    CHECK(fm.idle_timeout == 30);
    CHECK(fm.flags == kFfSendFlowRem);
    // The megaflow pins the packet field the flow was built from.
    CHECK(megaflow_mask(o).nw_dst[0] == 0xffffffffu);
}

TEST_CASE("fin_timeout: translation reports the rule; FIN or RST lowers its timeouts") {
    Bridge b;
    b.flow(0, "tcp", "fin_timeout(idle_timeout=3,hard_timeout=9),output:1");
    OfRule* r = nullptr;
    b.pipeline.for_each(0, [&](OfRule& x) { r = &x; });
    REQUIRE(r);
    r->idle_timeout = 60;  // no hard timeout: it gets one
    XlateOut o = b.run(packet(2, 1, 9, 0x001));
    REQUIRE(o.fin_timeouts.size() == 1);
    CHECK(o.fin_timeouts[0].rule == r->id);
    reduce_rule_timeouts(*r, o.fin_timeouts[0].idle_timeout, o.fin_timeouts[0].hard_timeout);
    CHECK(r->idle_timeout == 3);
    CHECK(r->hard_timeout == 9);
    reduce_rule_timeouts(*r, 5, 0);  // never raised, 0 leaves it
    CHECK(r->idle_timeout == 3);
    CHECK(r->hard_timeout == 9);
}

TEST_CASE("delete_learned: the learned flows go with the last rule holding the learn action") {
    Bridge b;
    const char* learner = "learn(table=1,cookie=0x5,delete_learned,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])";
    b.flow(0, "in_port=1", learner);
    b.flow(0, "in_port=2", learner);
    b.flow(1, "", "drop", 0);  // cookie 0: not a learned flow
    apply(b, b.run(packet(1, 1, 9)));
    apply(b, b.run(packet(2, 2, 9)));
    CHECK(b.pipeline.n_rules(1) == 3);
    auto del = [&](std::string_view match) {
        OfpFlowMod fm;
        fm.command = FlowModCommand::DeleteStrict;
        fm.table_id = 0;
        fm.match = match_of(match);
        FlowModOutcome out = apply_flow_mod(b.pipeline, fm, kOfp13, Clock::now());
        CHECK(!out.error);
        return out;
    };
    del("in_port=1");
    CHECK(b.pipeline.n_rules(1) == 3);  // the other learner still has it
    // A modify that drops the learn action counts as losing it too.
    OfpFlowMod mod;
    mod.command = FlowModCommand::ModifyStrict;
    mod.table_id = 0;
    mod.match = match_of("in_port=2");
    mod.actions = parse("drop");
    CHECK(apply_flow_mod(b.pipeline, mod, kOfp13, Clock::now()).changed);
    CHECK(b.dump(1) == std::vector<std::string>{"priority=0 drop"});

    // Expiry of the learner does the same, and send_flow_rem flows are reported.
    b.flow(0, "in_port=3", "learn(table=2,cookie=0x6,delete_learned,send_flow_rem,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])");
    apply(b, b.run(packet(3, 3, 9)));
    CHECK(b.pipeline.n_rules(2) == 1);
    b.pipeline.for_each(0, [&](OfRule& x) { x.hard_timeout = 1; });
    bool changed = false;
    auto removed = expire_rules(b.pipeline, Clock::now() + std::chrono::seconds(5), &changed);
    CHECK(changed);
    CHECK(b.pipeline.n_rules(2) == 0);
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].table_id == 2);
    CHECK(removed[0].reason == 2);  // OFPRR_DELETE
}

TEST_CASE("the switch adds learned flows after upcalls, not on revalidation; traffic through the megaflow refreshes them") {
    auto dp = make_dummy_dpif("xvs-learn-test");
    DummyDpif* d = dp.get();
    Switch sw(std::move(dp), Switch::Options{.kernel_devices = false});
    SwitchConfig cfg;
    BridgeConfig br{.name = "br0", .normal_flow = false};
    for (OfPort i : {1, 2, 3}) {
        std::string name = "p" + std::to_string(i);
        br.ports.push_back(PortConfig{.name = name, .ifaces = {IfaceConfig{.name = name, .type = "dummy", .ofport_request = i}}});
    }
    cfg.bridges.push_back(br);
    sw.reconfigure(cfg);
    Pipeline* p = sw.pipeline("br0");
    REQUIRE(p);
    auto add = [&](uint8_t table, int priority, std::string_view actions) {
        OfpFlowMod fm;
        fm.table_id = table;
        fm.priority = priority;
        fm.actions = parse(actions);
        REQUIRE(!apply_flow_mod(*p, fm, kOfp13, Clock::now()).error);
    };
    add(0, 0x8000, "learn(table=1,hard_timeout=2,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)");
    add(1, 0, "FLOOD");
    sw.revalidate_if_needed();

    auto frame = xvs::compiler::compose_frame(packet(1, 1, 9).pkt);
    REQUIRE(frame);
    REQUIRE(d->receive("p1", *frame));
    sw.handle_upcalls();
    REQUIRE(p->n_rules(1) == 2);
    CHECK(d->take_tx("p2")->size() == 1);  // flooded: the learned flow is for traffic to 02:00:00:00:00:01
    // That megaflow went (table 1 now looks at eth_dst, which it did not
    // match); the next packet installs one that does, and learns again.
    CHECK(sw.n_ukeys() == 0);
    REQUIRE(d->receive("p1", *frame));
    sw.handle_upcalls();
    CHECK(sw.n_ukeys() == 1);
    CHECK(p->n_rules(1) == 2);

    // Two seconds without traffic: the hard timeout takes it; revalidating
    // the megaflow (the pipeline changed) does not learn it again.
    auto later = Clock::now() + std::chrono::seconds(3);
    sw.run(later);
    CHECK(p->n_rules(1) == 1);
    CHECK(sw.n_ukeys() == 1);
    // A packet through the megaflow (no upcall): its statistics bring the
    // learned flow back, as fresh.
    REQUIRE(d->receive("p1", *frame));
    sw.handle_upcalls();
    CHECK(p->n_rules(1) == 1);
    sw.run(later + std::chrono::milliseconds(100));
    CHECK(p->n_rules(1) == 2);
    sw.run(later + std::chrono::seconds(1));
    CHECK(p->n_rules(1) == 2);
}
