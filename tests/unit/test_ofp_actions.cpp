// OpenFlow actions on the wire and in ovs-ofctl's text: the vectors of Open
// vSwitch's tests/ofp-actions.at (the bytes of each action in each version
// and the text ovs-ofctl prints for them), round trips text -> actions ->
// wire (every version) -> actions -> text, the form each version gives an
// action, every error, and the consistency check against a match.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "ofproto/ofp_actions.h"
#include "tests/unit/ofp_test_util.h"

using namespace xvs::ofproto;

namespace {

using Bytes = std::vector<uint8_t>;

using xvs::test::hex;

std::string to_hex(const Bytes& b) {
    std::string s;
    for (size_t i = 0; i < b.size(); i++) s += fmt::format("{}{:02x}", i && i % 4 == 0 ? " " : "", b[i]);
    return s;
}

const char* vname(uint8_t v) {
    static const char* names[] = {"?", "OF1.0", "OF1.1", "OF1.2", "OF1.3", "OF1.4", "OF1.5"};
    return v < 7 ? names[v] : "?";
}

using xvs::test::parse;
using xvs::test::parse_error;

Bytes put(const OfActions& a, uint8_t version, bool instructions = false, const Match* m = nullptr) {
    Bytes out;
    if (instructions)
        ofpacts_put_instructions(out, a, version, m);
    else
        ofpacts_put(out, a, version, m);
    return out;
}

OfActions pull(const Bytes& b, uint8_t version, bool instructions = false) {
    OfActions a;
    auto e = instructions ? ofpacts_pull_instructions(b, version, &a) : ofpacts_pull(b, version, &a);
    INFO(vname(version), " ", to_hex(b), ": ", e ? ofp_error_name(e->err) : "", " ", e ? e->detail : "");
    REQUIRE(!e);
    return a;
}

// The error decoding 'b' gives, by name ("" when it decodes).
std::string pull_error(const Bytes& b, uint8_t version, bool instructions = false) {
    OfActions a;
    auto e = instructions ? ofpacts_pull_instructions(b, version, &a) : ofpacts_pull(b, version, &a);
    if (e) CHECK(a.empty());
    return e ? ofp_error_name(e->err) : "";
}

// The text ovs-ofctl would print for 'text' sent to us and dumped back in 'version'.
std::string via_wire(std::string_view text, uint8_t version, const Match* m = nullptr) {
    return format_of_actions(pull(put(parse(text), version, true, m), version, true));
}

// One line of tests/ofp-actions.at: the text ovs-ofctl prints for the
// bytes, and whether our encoding gives the bytes back exactly.
struct Vector {
    const char* text;
    const char* hex;
    bool same_bytes = true;
};

void check_vectors(uint8_t version, std::initializer_list<Vector> vectors, bool instructions = false) {
    for (const auto& v : vectors) {
        INFO(vname(version), " ", v.text);
        Bytes b = hex(v.hex);
        OfActions acts = pull(b, version, instructions);
        CHECK(format_of_actions(acts) == v.text);
        if (v.same_bytes) CHECK(to_hex(put(acts, version, instructions)) == to_hex(b));
        // The text reads back as the same actions (max_len of a plain
        // output is not in the text, so compare texts).
        CHECK(format_of_actions(parse(v.text, instructions)) == v.text);
    }
}

struct BadVector {
    const char* error;
    const char* hex;
};

void check_bad(uint8_t version, std::initializer_list<BadVector> vectors, bool instructions = false) {
    for (const auto& v : vectors) {
        INFO(vname(version), " ", v.hex);
        CHECK(pull_error(hex(v.hex), version, instructions) == v.error);
    }
}

}  // namespace

// ---- Open vSwitch's vectors -----------------------------------------------------

TEST_CASE("OpenFlow 1.0 action vectors (ofp-actions.at)") {
    check_vectors(
        kOfp10,
        {
            {"LOCAL", "0000 0008 fffe 04d2"},
            {"CONTROLLER:1234", "0000 0008 fffd 04d2"},
            {"mod_vlan_vid:9", "0001 0008 0009 0000"},
            {"mod_vlan_pcp:6", "0002 0008 06 000000"},
            {"strip_vlan", "0003 0008 00000000"},
            {"mod_dl_src:00:11:22:33:44:55", "0004 0010 001122334455 000000000000"},
            {"mod_dl_dst:10:20:30:40:50:60", "0005 0010 102030405060 000000000000"},
            {"mod_nw_src:1.2.3.4", "0006 0008 01020304"},
            {"mod_nw_dst:192.168.0.1", "0007 0008 c0a80001"},
            {"mod_nw_tos:48", "0008 0008 30 000000"},
            {"mod_tp_src:80", "0009 0008 0050 0000"},
            {"mod_tp_dst:443", "000a 0008 01bb 0000"},
            {"enqueue:10:55", "000b 0010 000a 000000000000 00000037"},
            {"resubmit:5", "ffff 0010 00002320 0001 0005 00000000"},
            {"set_queue:2309737729", "ffff 0010 00002320 0004 0000 89abcd01"},
            {"pop_queue", "ffff 0010 00002320 0005 000000000000"},
            {"move:NXM_OF_IN_PORT[]->NXM_OF_VLAN_TCI[]", "ffff 0018 00002320 0006 0010 0000 0000 00000002 00000802"},
            {"load:0xf009->NXM_OF_VLAN_TCI[]", "ffff 0018 00002320 0007 000f 00000802 000000000000f009"},
            {"note:11.e9.9a.ad.67.f3", "ffff 0010 00002320 0008 11e99aad67f3"},
            {"resubmit(10,5)", "ffff 0010 00002320 000e 000a 05 000000"},
            {"output:NXM_NX_REG1[5..10]", "ffff 0018 00002320 000f 0145 00010204 ffff 000000000000"},
            {"exit", "ffff 0010 00002320 0011 000000000000"},
            {"clone(mod_vlan_vid:5,output:10)",
             "ffff 0020 00002320 002a 000000000000 0001 0008 0005 0000 0000 0008 000a 0000"},
            {"dec_ttl", "ffff 0010 00002320 0012 000000000000"},
            {"controller(reason=invalid_ttl,max_len=1234,id=5678)", "ffff 0010 00002320 0014 04d2 162e 02 00"},
            {"controller(reason=invalid_ttl,max_len=1234,id=5678,userdata=01.02.03.04.05,pause)",
             "ffff 0040 00002320 0025 000000000000 0000 0008 04d2 0000 0001 0008 162e 0000 0002 0005 02 000000 "
             "0003 0009 0102030405 00000000000000 0004 0004 00000000"},
            {"dec_ttl(32768,12345,90,765,1024)",
             "ffff 0020 00002320 0015 000500000000 80003039005A02fd 0400000000000000"},
            {"group:5", "ffff 0010 00002320 0028 0000 00000005"},
            {"conjunction(3,2/5)", "ffff 0010 00002320 0022 01 05 00000003"},
            {"multipath(eth_src,50,modulo_n,1,0,NXM_NX_REG0[])",
             "ffff 0020 00002320 000a 0000 0032 0000 0000 0000 0000 0000 0000 001f 00010004"},
            {"multipath(symmetric_l3l4+udp,1024,iter_hash,5000,5000,NXM_NX_REG0[0..12])",
             "ffff 0020 00002320 000a 0003 0400 0000 0003 1387 00001388 0000 000c 00010004"},
            {"conjunction(4294967295,64/64),note:aa.bb.cc.dd.ee.ff",
             "ffff 0010 00002320 0022 3f 40 ffffffff ffff 0010 00002320 0008 aabbccddeeff"},
            {"sample(probability=12345,collector_set_id=23456,obs_domain_id=34567,obs_point_id=45678)",
             "ffff 0018 00002320 001d 3039 00005BA0 00008707 0000B26E"},
            {"sample(probability=12345,collector_set_id=23456,obs_domain_id=34567,obs_point_id=45678,"
             "sampling_port=56789)",
             "ffff 0020 00002320 0026 3039 00005BA0 00008707 0000B26E DDD50000 00000000"},
            {"sample(probability=12345,collector_set_id=23456,obs_domain_id=34567,obs_point_id=45678,"
             "sampling_port=56789,egress)",
             "ffff 0020 00002320 0029 3039 00005BA0 00008707 0000B26E DDD50200 00000000"},
        });
}

TEST_CASE("OpenFlow 1.0 bad actions (ofp-actions.at)") {
    check_bad(kOfp10,
              {
                  // write_metadata is an instruction, not allowed in an action list.
                  {"OFPBIC_UNSUP_INST", "ffff 0020 00002320 0016 000000000000 fedcba9876543210 ffffffffffffffff"},
                  {"OFPBIC_UNSUP_INST", "ffff 0020 00002320 0016 000000000000 fedcba9876543210 ffff0000ffff0000"},
                  // Length beyond the buffer, wrong fixed length, not a multiple of 8.
                  {"OFPBAC_BAD_LEN", "0000 00f0 00000000"},
                  {"OFPBAC_BAD_LEN", "0000 0010 fffe ffff 0000000000000000"},
                  {"OFPBAC_BAD_LEN", "ffff 0011 00002320 0015 0001 00000000 0000000000000000"},
                  {"OFPBAC_BAD_OUT_PORT", "0000 0008 ffff 0000"},
                  // Nonzero pad of NXAST_CONTROLLER2 (Open vSwitch says NXBRC_MUST_BE_ZERO).
                  {"NXBAC_MUST_BE_ZERO", "ffff 0018 00002320 0025 0000 0005 0000 1122334455 000005"},
                  {"NXBAC_MUST_BE_ZERO", "ffff 0018 00002320 0025 0000 0005 5000 1122334455 000000"},
              });
}

TEST_CASE("OpenFlow 1.0 instructions: write_metadata as an extension (ofp-actions.at)") {
    check_vectors(kOfp10,
                  {
                      {"LOCAL", "0000 0008 fffe 04d2"},
                      {"mod_dl_src:00:11:22:33:44:55", "0004 0010 001122334455 000000000000"},
                      {"write_metadata:0xfedcba9876543210",
                       "ffff 0020 00002320 0016 000000000000 fedcba9876543210 ffffffffffffffff"},
                      {"write_metadata:0xfedcba9876543210/0xffff0000ffff0000",
                       "ffff 0020 00002320 0016 000000000000 fedcba9876543210 ffff0000ffff0000"},
                  },
                  true);
}

TEST_CASE("OpenFlow 1.1 action vectors (ofp-actions.at)") {
    check_vectors(
        kOfp11,
        {
            {"LOCAL", "0000 0010 fffffffe 04d2 000000000000"},
            {"CONTROLLER:1234", "0000 0010 fffffffd 04d2 000000000000"},
            {"set_vlan_vid:9", "0001 0008 0009 0000"},
            {"set_vlan_pcp:6", "0002 0008 06 000000"},
            {"mod_dl_src:00:11:22:33:44:55", "0003 0010 001122334455 000000000000"},
            {"mod_dl_dst:10:20:30:40:50:60", "0004 0010 102030405060 000000000000"},
            {"mod_nw_src:1.2.3.4", "0005 0008 01020304"},
            {"mod_nw_dst:192.168.0.1", "0006 0008 c0a80001"},
            {"mod_nw_tos:48", "0007 0008 30 000000"},
            {"mod_nw_ecn:2", "0008 0008 02 000000"},
            {"mod_tp_src:80", "0009 0008 0050 0000"},
            {"mod_tp_dst:443", "000a 0008 01bb 0000"},
            {"pop_vlan", "0012 0008 00000000"},
            {"set_queue:2309737729", "0015 0008 89abcd01"},
            {"push_vlan:0x8100", "0011 0008 8100 0000"},
            {"resubmit:5", "ffff 0010 00002320 0001 0005 00000000"},
            {"pop_queue", "ffff 0010 00002320 0005 000000000000"},
            {"move:NXM_OF_IN_PORT[]->NXM_OF_VLAN_TCI[]", "ffff 0018 00002320 0006 0010 0000 0000 00000002 00000802"},
            {"load:0xf009->NXM_OF_VLAN_TCI[]", "ffff 0018 00002320 0007 000f 00000802 000000000000f009"},
            {"note:11.e9.9a.ad.67.f3", "ffff 0010 00002320 0008 11e99aad67f3"},
            {"resubmit(10,5)", "ffff 0010 00002320 000e 000a 05 000000"},
            {"output:NXM_NX_REG1[5..10]", "ffff 0018 00002320 000f 0145 00010204 ffff 000000000000"},
            {"exit", "ffff 0010 00002320 0011 000000000000"},
            {"dec_ttl", "0018 0008 00000000"},
            {"controller(reason=invalid_ttl,max_len=1234,id=5678)", "ffff 0010 00002320 0014 04d2 162e 02 00"},
            {"dec_ttl(32768,12345,90,765,1024)",
             "ffff 0020 00002320 0015 000500000000 80003039005A02fd 0400000000000000"},
        });
    check_bad(kOfp11,
              {
                  {"OFPBIC_UNSUP_INST", "ffff 0020 00002320 0016 000000000000 fedcba9876543210 ffffffffffffffff"},
                  {"OFPBAC_BAD_OUT_PORT", "0000 0010 ffffffff 0000 000000000000"},
              });
}

TEST_CASE("OpenFlow 1.1 instruction vectors (ofp-actions.at)") {
    check_vectors(kOfp11,
                  {
                      {"LOCAL", "0004 0018 00000000 0000 0010 fffffffe 04d2 000000000000"},
                      {"goto_table:1", "0001 0008 01 000000"},
                      {"write_metadata:0xfedcba9876543210", "0002 0018 00000000 fedcba9876543210 ffffffffffffffff"},
                      {"write_metadata:0xfedcba9876543210/0xff00ff00ff00ff00",
                       "0002 0018 00000000 fedcba9876543210 ff00ff00ff00ff00"},
                      {"clear_actions", "0005 0008 00000000"},
                  },
                  true);
    // Accepted, but given back differently: padding is ignored and
    // dropped, empty instructions disappear, the extension write_metadata
    // becomes the instruction, instructions come back in their order.
    struct Canon {
        const char* text;
        const char* in;
        const char* out;
    };
    for (const Canon& c : {
             Canon{"drop", "0004 0008 00000001", ""},
             Canon{"drop", "0004 0008 00000000", ""},
             Canon{"goto_table:1", "0001 0008 01 000001", "0001 0008 01 000000"},
             Canon{"write_metadata:0xfedcba9876543210",
                   "0004 0028 00000000 ffff 0020 00002320 0016 000000000000 fedcba9876543210 ffffffffffffffff",
                   "0002 0018 00000000 fedcba9876543210 ffffffffffffffff"},
             Canon{"write_metadata:0xfedcba9876543210,goto_table:1",
                   "0001 0008 01 000000 0002 0018 00000000 fedcba9876543210 ffffffffffffffff",
                   "0002 0018 00000000 fedcba9876543210 ffffffffffffffff 0001 0008 01 000000"},
             Canon{"write_actions(drop)", "0003 0008 00000001", ""},
             Canon{"write_actions(drop)", "0003 0008 00000000", ""},
             Canon{"clear_actions", "0005 0008 00000001", "0005 0008 00000000"},
             Canon{"clear_actions", "0005 0008 01 000000", "0005 0008 00000000"},
         }) {
        INFO(c.in);
        OfActions a = pull(hex(c.in), kOfp11, true);
        CHECK(format_of_actions(a) == c.text);
        CHECK(to_hex(put(a, kOfp11, true)) == to_hex(hex(c.out)));
    }
    check_bad(kOfp11,
              {
                  {"OFPBIC_DUP_INST", "0004 0008 00000000 0004 0008 00000000"},
                  {"OFPBIC_BAD_LEN", "0004 0009 01 00000000"},
                  {"OFPBIC_BAD_LEN", "0001 0010 01 000000 0000000000000000"},
                  {"OFPBIC_BAD_LEN", "0002 0010 00000000 fedcba9876543210"},
                  {"OFPBIC_BAD_LEN", "0002 0020 00000000 fedcba9876543210 ffffffffffffffff 0000000000000000"},
                  {"OFPBIC_DUP_INST",
                   "0002 0018 00000000 fedcba9876543210 ff00ff00ff00ff00 0002 0018 00000000 fedcba9876543210 "
                   "ff00ff00ff00ff00"},
                  {"OFPBIC_BAD_LEN", "0005 0010 00000000 0000000000000000"},
                  {"OFPBIC_BAD_EXPERIMENTER", "ffff 0008 01 000000"},
                  {"OFPBIC_UNKNOWN_INST", "0000 0008 01 000000"},
              },
              true);
    // goto_table back to the flow's own table (the test's "2,0001 0008 01 000000").
    OfActions a = pull(hex("0001 0008 01 000000"), kOfp11, true);
    auto e = check_actions(a, Match{}, kOfp11, kOfppMax, 2);
    REQUIRE(e);
    CHECK(e->err == OfpErr::OFPBIC_BAD_TABLE_ID);
}

TEST_CASE("OpenFlow 1.2-1.5 action vectors (ofp-actions.at)") {
    check_vectors(kOfp12, {{"LOCAL", "0000 0010 fffffffe 04d2 000000000000"}});
    // A masked set_field needs 1.5.
    check_bad(kOfp12, {{"OFPBAC_BAD_SET_MASK", "0019 0018 8000090c 000000001234 00000000ffff 00000000"}});
    check_vectors(kOfp13, {
                              {"LOCAL", "0000 0010 fffffffe 04d2 000000000000"},
                              {"move:NXM_OF_IN_PORT[]->NXM_OF_VLAN_TCI[]",
                               "ffff 0018 00002320 0006 0010 0000 0000 00000002 00000802"},
                              // The ONF extension form of copy_field: we answer with NXAST_REG_MOVE.
                              {"move:NXM_OF_IN_PORT[]->NXM_OF_VLAN_TCI[]",
                               "ffff 0020 4f4e4600 0c80 0000 0010 0000 0000 0000 00000002 00000802 00000000", false},
                          });
    check_bad(kOfp13, {
                          // OpenFlow 1.3.4 conformance tests 430.500 and 430.510.
                          {"OFPBAC_BAD_SET_TYPE", "0019 0008 8000fe00 000000100000 000100000000 00000000"},
                          {"OFPBAC_BAD_SET_LEN", "0019 0010 80000807 000102030405 000000000010 00000001"},
                      });
    check_vectors(kOfp15, {
                              {"LOCAL", "0000 0010 fffffffe 04d2 000000000000"},
                              {"move:NXM_OF_IN_PORT[]->NXM_OF_VLAN_TCI[]",
                               "001c 0018 0010 0000 0000 0000 00000002 00000802 00000000"},
                              {"set_field:00:00:00:00:12:34/00:00:00:00:ff:ff->eth_src",
                               "0019 0018 8000090c 000000001234 00000000ffff 00000000"},
                              {"meter:5", "001d 0008 00000005"},
                          });
}

// ---- What each version makes of an action (the rest of ofp-actions.at) ----

TEST_CASE("enqueue becomes set_queue, output, pop_queue after OpenFlow 1.0") {
    CHECK(via_wire("enqueue(123,456)", kOfp10) == "enqueue:123:456");
    CHECK(via_wire("enqueue:123:456", kOfp13) == "set_queue:456,output:123,pop_queue");
    CHECK(to_hex(put(parse("enqueue:123:456"), kOfp13)) ==
          to_hex(hex("0015 0008 000001c8 0000 0010 0000007b ffff 000000000000 ffff 0010 00002320 0005 000000000000")));
}

TEST_CASE("mod_nw_ttl is an NXAST_REG_LOAD in OpenFlow 1.0") {
    Match ip;
    ip.flow.pkt.eth_type = htons(0x0800), ip.mask.pkt.eth_type = 0xffff;
    CHECK(via_wire("mod_nw_ttl:123", kOfp10, &ip) == "load:0x7b->NXM_NX_IP_TTL[]");
    CHECK(via_wire("mod_nw_ttl:123", kOfp11, &ip) == "mod_nw_ttl:123");
    CHECK(via_wire("set_nw_ttl:123", kOfp13, &ip) == "mod_nw_ttl:123");
}

TEST_CASE("mod_nw_ecn in each version") {
    CHECK(via_wire("mod_nw_ecn:2", kOfp10) == "load:0x2->NXM_NX_IP_ECN[]");
    CHECK(via_wire("mod_nw_ecn:2", kOfp11) == "mod_nw_ecn:2");
    CHECK(via_wire("mod_nw_ecn:2", kOfp12) == "set_field:2->nw_ecn");
    // set_field of 1.2+ goes to 1.1 as the 1.1 action.
    CHECK(via_wire("set_field:2->ip_ecn", kOfp11) == "mod_nw_ecn:2");
    CHECK(via_wire("set_field:2->ip_ecn", kOfp10) == "load:0x2->NXM_NX_IP_ECN[]");
}

TEST_CASE("set_field becomes the OpenFlow 1.0/1.1 action it maps to") {
    CHECK(via_wire("set_field:00:11:22:33:44:55->eth_src", kOfp10) == "mod_dl_src:00:11:22:33:44:55");
    CHECK(via_wire("set_field:1.2.3.4->ip_dst", kOfp11) == "mod_nw_dst:1.2.3.4");
    CHECK(via_wire("set_field:10->ip_dscp", kOfp10) == "mod_nw_tos:40");
    CHECK(via_wire("set_field:80->tcp_src", kOfp10) == "mod_tp_src:80");
    CHECK(via_wire("set_field:4101->vlan_vid", kOfp10) == "mod_vlan_vid:5");
    CHECK(via_wire("set_field:4101->vlan_vid", kOfp11) == "set_vlan_vid:5");
    CHECK(via_wire("set_field:3->vlan_pcp", kOfp11) == "set_vlan_pcp:3");
    CHECK(via_wire("set_field:0x1234->reg0", kOfp11) == "load:0x1234->NXM_NX_REG0[]");
    // vlan_tci: CFI set writes VID and PCP, clear removes the tag.
    CHECK(via_wire("set_field:0x3005->vlan_tci", kOfp10) == "mod_vlan_vid:5,mod_vlan_pcp:1");
    CHECK(via_wire("set_field:0->vlan_tci", kOfp10) == "strip_vlan");
    CHECK(via_wire("set_field:0x3005->vlan_tci", kOfp11) == "push_vlan:0x8100,set_vlan_vid:5,set_vlan_pcp:1");
    CHECK(via_wire("set_field:0->vlan_tci", kOfp11) == "pop_vlan");
    // 1.2-1.4 cannot mask set_field: the bits travel as load.
    CHECK(via_wire("set_field:0x10/0xf0->reg1", kOfp13) == "load:0x1->NXM_NX_REG1[4..7]");
    CHECK(via_wire("set_field:0x10/0xf0->reg1", kOfp15) == "set_field:0x10/0xf0->reg1");
    CHECK(via_wire("set_field:0x10->reg1", kOfp13) == "set_field:0x10->reg1");
}

TEST_CASE("load keeps its form up to 1.4 and is set_field in 1.5") {
    CHECK(via_wire("load:0x7->NXM_NX_REG0[0..2],load:0x1->NXM_NX_REG0[16]", kOfp13) ==
          "load:0x7->NXM_NX_REG0[0..2],load:0x1->NXM_NX_REG0[16]");
    CHECK(via_wire("load:0xf009->NXM_OF_VLAN_TCI[]", kOfp15) == "set_field:0xf009->vlan_tci");
    // More than 64 bits go as several loads, low bits first.
    OfActions a = parse("load:0x1d->NXM_NX_XXREG0[0..63],load:0x2->NXM_NX_XXREG0[64..127]");
    CHECK(format_of_actions(pull(put(a, kOfp10), kOfp10)) ==
          "load:0x1d->NXM_NX_XXREG0[0..63],load:0x2->NXM_NX_XXREG0[64..127]");
    OfActions whole = parse("set_field:0x2000000000000001d->xxreg0");
    CHECK(via_wire("set_field:0x2000000000000001d->xxreg0", kOfp10) ==
          "load:0x1d->NXM_NX_XXREG0[0..63],load:0x2->NXM_NX_XXREG0[64..127]");
    CHECK(to_hex(put(whole, kOfp10)) == to_hex(hex("ffff 0018 00002320 0007 003f 0001de10 000000000000001d "
                                                   "ffff 0018 00002320 0007 103f 0001de10 0000000000000002")));
}

TEST_CASE("move is copy_field in 1.5, with OXM names where the field has one") {
    CHECK(to_hex(put(parse("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]"), kOfp15)) ==
          to_hex(hex("001c 0018 0030 0000 0000 0000 80000806 80000606 00000000")));
    CHECK(to_hex(put(parse("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]"), kOfp13)) ==
          to_hex(hex("ffff 0018 00002320 0006 0030 0000 0000 00000406 00000206")));
    CHECK(via_wire("move:NXM_NX_REG0[0..15]->NXM_OF_TCP_DST[]", kOfp15) == "move:NXM_NX_REG0[0..15]->NXM_OF_TCP_DST[]");
}

TEST_CASE("mod_vlan_vid pushes a tag after 1.0 unless the match has one") {
    CHECK(to_hex(put(parse("mod_vlan_vid:9"), kOfp11)) == to_hex(hex("0011 0008 8100 0000 0001 0008 0009 0000")));
    Match tagged;
    tagged.flow.pkt.vlan_tci = htons(0x1005), tagged.mask.pkt.vlan_tci = htons(0x1fff);
    CHECK(to_hex(put(parse("mod_vlan_vid:9"), kOfp11, false, &tagged)) == to_hex(hex("0001 0008 0009 0000")));
    CHECK(via_wire("mod_vlan_vid:9,mod_vlan_pcp:2", kOfp13) ==
          "push_vlan:0x8100,set_field:4105->vlan_vid,set_field:2->vlan_pcp");
    CHECK(via_wire("mod_vlan_vid:9", kOfp13, &tagged) == "set_field:4105->vlan_vid");
    // A tag pushed before counts, and the 1.0 push is part of mod_vlan_vid.
    CHECK(via_wire("push_vlan:0x8100,mod_vlan_vid:9", kOfp12) == "push_vlan:0x8100,set_field:4105->vlan_vid");
    CHECK(via_wire("push_vlan:0x8100,mod_vlan_vid:9", kOfp10) == "mod_vlan_vid:9");
}

TEST_CASE("mod_tp_src names the L4 field in 1.2+ when the match gives the protocol") {
    Match tcp;
    tcp.flow.pkt.eth_type = htons(0x0800), tcp.mask.pkt.eth_type = 0xffff;
    tcp.flow.pkt.nw_proto = 6, tcp.mask.pkt.nw_proto = 0xff;
    CHECK(to_hex(put(parse("mod_tp_src:80"), kOfp13, false, &tcp)) ==
          to_hex(hex("0019 0010 80001a02 0050 000000000000")));
    CHECK(via_wire("mod_tp_dst:443", kOfp13, &tcp) == "set_field:443->tcp_dst");
    CHECK(via_wire("mod_tp_dst:443", kOfp13) == "mod_tp_dst:443");
    CHECK(via_wire("mod_tp_dst:443", kOfp11, &tcp) == "mod_tp_dst:443");
    Match udp = tcp;
    udp.flow.pkt.nw_proto = 17;
    CHECK(via_wire("mod_tp_src:53", kOfp15, &udp) == "set_field:53->udp_src");
}

TEST_CASE("instructions in 1.0 travel as extensions or not at all") {
    CHECK(to_hex(put(parse("goto_table:3"), kOfp10, true)) == to_hex(hex("ffff 0010 00002320 000e fff8 03 000000")));
    CHECK(via_wire("goto_table:3", kOfp10) == "resubmit(,3)");
    CHECK(via_wire("meter:1,output:1,clear_actions,write_actions(output:2)", kOfp10) == "output:1");
    CHECK(via_wire("meter:1,output:1", kOfp11) == "output:1");
    CHECK(to_hex(put(parse("meter:7,output:1"), kOfp13, true)) ==
          to_hex(hex("0006 0008 00000007 0004 0018 00000000 0000 0010 00000001 0000 000000000000")));
    CHECK(to_hex(put(parse("meter:7,output:1"), kOfp15, true)) ==
          to_hex(hex("0004 0020 00000000 001d 0008 00000007 0000 0010 00000001 0000 000000000000")));
}

TEST_CASE("controller: the simple form is an output to CONTROLLER") {
    CHECK(format_of_actions(parse("controller")) == "CONTROLLER:65535");
    CHECK(format_of_actions(parse("controller:100")) == "CONTROLLER:100");
    CHECK(format_of_actions(parse("output:controller")) == "CONTROLLER:65535");
    CHECK(format_of_actions(parse("controller(max_len=100)")) == "CONTROLLER:100");
    CHECK(to_hex(put(parse("controller:100"), kOfp10)) == to_hex(hex("0000 0008 fffd 0064")));
    CHECK(format_of_actions(parse("controller(reason=no_match)")) == "controller(reason=no_match)");
    CHECK(format_of_actions(parse("controller(id=3,max_len=10)")) == "controller(max_len=10,id=3)");
    CHECK(format_of_actions(parse("controller(pause)")) == "controller(pause)");
    CHECK(to_hex(put(parse("controller(pause)"), kOfp13)) ==
          to_hex(hex("ffff 0018 00002320 0025 000000000000 0004 0004 00000000")));
    for (uint8_t v = kOfp10; v <= kOfp15; v++)
        CHECK(via_wire("controller(reason=action_set,max_len=64,id=1,userdata=aa.bb,pause)", v) ==
              "controller(reason=action_set,max_len=64,id=1,userdata=aa.bb,pause)");
}

// ---- Round trips ------------------------------------------------------------------

TEST_CASE("text -> actions -> wire (every version) -> actions -> text") {
    // Actions every version carries as they are (text unchanged).
    for (const char* text : {
             "output:1",
             "LOCAL",
             "IN_PORT",
             "NORMAL",
             "FLOOD",
             "ALL",
             "output:65279",
             "CONTROLLER:65535",
             "controller(reason=no_match,id=7)",
             "output:NXM_NX_REG0[0..15]",
             "output:NXM_NX_REG3[]",
             "pop_queue",
             "mod_tp_src:1",
             "mod_tp_dst:65535",
             "dec_ttl",
             "dec_ttl(1,2)",
             "dec_ttl(0)",
             "move:NXM_NX_REG0[]->NXM_NX_REG1[]",
             "move:NXM_OF_ETH_SRC[0..15]->NXM_NX_REG2[16..31]",
             "resubmit:3",
             "resubmit(,1)",
             "resubmit(1,2)",
             "resubmit(LOCAL,254)",
             "resubmit:1,resubmit(,0)",
             "group:4294967040",
             "note:aa.bb.cc.dd.ee.ff",
             "note:00.01.02.03.04.05.06.07.08.09.0a.0b.0c.0d",
             "exit",
             "clone(output:1),clone(clone(resubmit(,2)),dec_ttl,output:3),output:4",
             "set_queue:0",
             "drop",
             "output:1,output:2,resubmit(,3)",
             "CONTROLLER:0",
         }) {
        INFO(text);
        CHECK(format_of_actions(parse(text)) == text);
        for (uint8_t v = kOfp10; v <= kOfp15; v++) {
            INFO(vname(v));
            CHECK(via_wire(text, v) == text);
            CHECK(format_of_actions(pull(put(parse(text, false), v), v)) == text);
        }
    }
}

TEST_CASE("round trips that change the spelling, by version") {
    struct Case {
        const char* text;
        const char* by_version[6];  // 1.0 .. 1.5
    };
    for (const Case& c : {
             Case{"strip_vlan", {"strip_vlan", "pop_vlan", "pop_vlan", "pop_vlan", "pop_vlan", "pop_vlan"}},
             Case{"pop_vlan", {"strip_vlan", "pop_vlan", "pop_vlan", "pop_vlan", "pop_vlan", "pop_vlan"}},
             Case{"set_vlan_vid:7",
                  {"mod_vlan_vid:7", "set_vlan_vid:7", "set_field:4103->vlan_vid", "set_field:4103->vlan_vid",
                   "set_field:4103->vlan_vid", "set_field:4103->vlan_vid"}},
             Case{"set_vlan_pcp:7",
                  {"mod_vlan_pcp:7", "set_vlan_pcp:7", "set_field:7->vlan_pcp", "set_field:7->vlan_pcp",
                   "set_field:7->vlan_pcp", "set_field:7->vlan_pcp"}},
             Case{"mod_dl_src:00:11:22:33:44:55",
                  {"mod_dl_src:00:11:22:33:44:55", "mod_dl_src:00:11:22:33:44:55",
                   "set_field:00:11:22:33:44:55->eth_src", "set_field:00:11:22:33:44:55->eth_src",
                   "set_field:00:11:22:33:44:55->eth_src", "set_field:00:11:22:33:44:55->eth_src"}},
             Case{"mod_nw_src:10.0.0.1",
                  {"mod_nw_src:10.0.0.1", "mod_nw_src:10.0.0.1", "set_field:10.0.0.1->ip_src",
                   "set_field:10.0.0.1->ip_src", "set_field:10.0.0.1->ip_src", "set_field:10.0.0.1->ip_src"}},
             Case{"push_vlan:0x88a8",
                  {"drop", "push_vlan:0x88a8", "push_vlan:0x88a8", "push_vlan:0x88a8", "push_vlan:0x88a8",
                   "push_vlan:0x88a8"}},
             Case{"mod_nw_tos:40",
                  {"mod_nw_tos:40", "mod_nw_tos:40", "set_field:10->ip_dscp", "set_field:10->ip_dscp",
                   "set_field:10->ip_dscp", "set_field:10->ip_dscp"}},
             Case{"goto_table:5",
                  {"resubmit(,5)", "goto_table:5", "goto_table:5", "goto_table:5", "goto_table:5", "goto_table:5"}},
             Case{"write_metadata:0x1/0xff",
                  {"write_metadata:0x1/0xff", "write_metadata:0x1/0xff", "write_metadata:0x1/0xff",
                   "write_metadata:0x1/0xff", "write_metadata:0x1/0xff", "write_metadata:0x1/0xff"}},
             Case{"output:1,clear_actions,write_actions(group:1,output:2)",
                  {"output:1", "output:1,clear_actions,write_actions(group:1,output:2)",
                   "output:1,clear_actions,write_actions(group:1,output:2)",
                   "output:1,clear_actions,write_actions(group:1,output:2)",
                   "output:1,clear_actions,write_actions(group:1,output:2)",
                   "output:1,clear_actions,write_actions(group:1,output:2)"}},
             Case{"meter:3,output:1",
                  {"output:1", "output:1", "output:1", "meter:3,output:1", "meter:3,output:1", "meter:3,output:1"}},
         }) {
        INFO(c.text);
        for (uint8_t v = kOfp10; v <= kOfp15; v++) {
            INFO(vname(v));
            CHECK(via_wire(c.text, v) == c.by_version[v - 1]);
        }
    }
}

TEST_CASE("parsing: aliases, shorthands and the canonical text") {
    struct Case {
        const char* in;
        const char* out;
    };
    for (const Case& c : {
             Case{"1", "output:1"},
             Case{"in_port", "IN_PORT"},
             Case{"local,normal,flood,all", "LOCAL,NORMAL,FLOOD,ALL"},
             Case{"OUTPUT:2", "output:2"},
             Case{"output(3)", "output:3"},
             Case{"output:4294967294", "LOCAL"},
             Case{"drop", "drop"},
             Case{"", "drop"},
             Case{"  output:1 , output:2 ", "output:1,output:2"},
             Case{"mod_vlan_vid=5", "mod_vlan_vid:5"},
             Case{"mod_vlan_vid(0x10)", "mod_vlan_vid:16"},
             Case{"set_nw_ttl:9", "mod_nw_ttl:9"},
             Case{"resubmit(,1)", "resubmit(,1)"},
             Case{"resubmit(2)", "resubmit:2"},
             Case{"resubmit(2,255)", "resubmit:2"},
             Case{"enqueue(1,2)", "enqueue:1:2"},
             Case{"enqueue:LOCAL:3", "enqueue:LOCAL:3"},
             Case{"load:5->reg0[0..7]", "load:0x5->NXM_NX_REG0[0..7]"},
             Case{"load:0->NXM_NX_REG0[]", "load:0->NXM_NX_REG0[]"},
             Case{"load:0x1->NXM_NX_REG0[31]", "load:0x1->NXM_NX_REG0[31]"},
             Case{"move:reg0[]->reg1[]", "move:NXM_NX_REG0[]->NXM_NX_REG1[]"},
             Case{"set_field:10.0.0.1->ip_src", "set_field:10.0.0.1->ip_src"},
             Case{"set_field:10.0.0.1->nw_src", "set_field:10.0.0.1->ip_src"},
             Case{"set_field:0x1/0x1->reg0", "set_field:0x1/0x1->reg0"},
             Case{"dec_ttl(1 2)", "dec_ttl(1,2)"},
             Case{"note:aabbcc", "note:aa.bb.cc"},
             Case{"write_metadata:255", "write_metadata:0xff"},
             Case{"write_metadata:0/0", "write_metadata:0/0"},
             Case{"write_actions()", "write_actions(drop)"},
             Case{"controller(userdata=01.02)", "controller(userdata=01.02)"},
             Case{"goto_table:1", "goto_table:1"},
         }) {
        INFO(c.in);
        CHECK(format_of_actions(parse(c.in)) == c.out);
    }
    // Without instructions (packet-out, group buckets) meter still comes first.
    CHECK(format_of_actions(parse("meter:1,output:1", false)) == "meter:1,output:1");
    CHECK(parse_error("output:1,meter:1", false) ==
          "invalid instruction ordering: meter must appear before apply_actions, for OpenFlow 1.1+ compatibility");
}

// ---- Errors -------------------------------------------------------------------------

TEST_CASE("parse errors (ovs-ofctl's messages)") {
    struct Case {
        const char* in;
        const char* error;
    };
    for (const Case& c : {
             Case{"controller(reason=asdf)", "unknown reason \"asdf\""},
             Case{"controller(foo=bar)", "unknown key \"foo\" parsing controller action"},
             Case{"controller(userdata=123x456)", "bad hex digit in `controller' action `userdata'"},
             Case{"controller(max_len=70000)", "invalid max_len \"70000\""},
             Case{"enqueue:123", "\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\""},
             Case{"enqueue:asdf:123", "asdf: enqueue to unknown port"},
             Case{"mod_vlan_vid:6000", "6000: not a valid VLAN VID"},
             Case{"mod_vlan_vid:x", "invalid VLAN VID \"x\""},
             Case{"mod_vlan_pcp:8", "8: not a valid VLAN PCP"},
             Case{"push_vlan(0x1234)", "0x1234: not a valid VLAN ethertype"},
             Case{"mod_nw_tos(1)", "1: not a valid TOS"},
             Case{"mod_nw_ecn(5)", "5: not a valid ECN"},
             Case{"mod_nw_ttl:256", "invalid TTL \"256\""},
             Case{"mod_tp_src:65536", "invalid source port \"65536\""},
             Case{"mod_dl_src:00:11:22", "invalid mac address 00:11:22"},
             Case{"mod_nw_src:1.2.3", "1.2.3: could not convert to IP address"},
             Case{"set_field:1", "1: missing `->'"},
             Case{"set_field:1->", "1->: missing field name following `->'"},
             Case{"set_field:1->x", "x is not a valid OXM field name"},
             Case{"set_field:1->eth_type", "eth_type is read-only"},
             Case{"set_field:0xff->ip_dscp", "0xff is not a valid value for field ip_dscp"},
             Case{"load:xyzzy->eth_src", "xyzzy->eth_src: cannot parse integer value"},
             Case{"load:0xff->eth_src[1..5]", "0xff->eth_src[1..5]: value 00:00:00:00:00:ff does not fit into 5 bits"},
             Case{"move:reg0[0..3]->reg1[0..4]",
                  "reg0[0..3]->reg1[0..4]: source field is 4 bits wide but destination is 5 bits wide"},
             Case{"move:reg0[]", "reg0[]: missing `->' following source"},
             Case{"dec_ttl(,)", "dec_ttl_cnt_ids: expected at least one controller id."},
             Case{"resubmit(asdf)", "asdf: resubmit to unknown port"},
             Case{"resubmit(,asdf)", "asdf: resubmit to unknown table"},
             Case{"resubmit(1,2,xyzzy)", "xyzzy: unknown parameter"},
             Case{"resubmit(in_port,255)", "at least one \"in_port\" or \"table\" must be specified on resubmit"},
             Case{"note:x", "bad hex digit in `note' argument"},
             Case{"goto_table:asdf", "unknown table \"asdf\""},
             Case{"goto_table:256", "unknown table \"256\""},
             Case{"group:x", "invalid numeric format x"},
             Case{"set_queue:", "missing required numeric argument"},
             Case{"output:xyzzy", "xyzzy: output to unknown port"},
             Case{"goto_table:5,goto_table:5",
                  "duplicate goto_table instruction not allowed, for OpenFlow 1.1+ compatibility"},
             Case{"goto_table:5,output:1",
                  "invalid instruction ordering: apply_actions must appear before goto_table, for OpenFlow 1.1+ "
                  "compatibility"},
             Case{"apply_actions", "apply_actions is the default instruction"},
             Case{"xyzzy", "unknown action xyzzy"},
             Case{"drop,3", "\"drop\" must not be accompanied by any other action or instruction"},
             Case{"write_actions(goto_table:1)", "goto_table instruction not allowed here"},
             Case{"write_actions(meter:1)", "write_actions action doesn't support nested action meter"},
             // Open vSwitch has these; we do not yet.
             Case{"set_mpls_label(5)", "action set_mpls_label is not supported yet"},
             Case{"push_mpls:0x8847", "action push_mpls is not supported yet"},
             Case{"set_tunnel:1", "action set_tunnel is not supported yet"},
             Case{"conjunction(1, 1/1)", "conjunction must have at least 2 clauses"},
             Case{"conjunction(1, 1/65)", "conjunction must have at most 64 clauses"},
             Case{"conjunction(1, 0/2)", "clause index must be positive"},
             Case{"conjunction(1, 3/2)", "clause index must be less than or equal to number of clauses"},
             Case{"conjunction(1)", "\"conjunction\" syntax is \"conjunction(id,i/n)\""},
             Case{"conjunction(1,2/3),output:1",
                  "\"conjunction\" actions may be used along with \"note\" but not any other kind of action (such "
                  "as the \"output\" action used here)"},
             Case{"resubmit(,2),conjunction(1,2/3)",
                  "\"conjunction\" actions may be used along with \"note\" but not any other kind of action (such "
                  "as the \"resubmit\" action used here)"},
             Case{"multipath(1,2,3,4)", "1,2,3,4: not enough arguments to multipath action"},
             Case{"multipath(xyzzy,50,modulo_n,1,0,NXM_NX_REG0[])",
                  "xyzzy,50,modulo_n,1,0,NXM_NX_REG0[]: unknown fields `xyzzy'"},
             Case{"multipath(eth_src,50,fubar,1,0,NXM_NX_REG0[])",
                  "eth_src,50,fubar,1,0,NXM_NX_REG0[]: unknown algorithm `fubar'"},
             Case{"multipath(eth_src,50,modulo_n,0,0,NXM_NX_REG0[])",
                  "eth_src,50,modulo_n,0,0,NXM_NX_REG0[]: n_links 0 is not in valid range 1 to 65536"},
             Case{"multipath(eth_src,50,modulo_n,1024,0,NXM_NX_REG0[0..7])",
                  "eth_src,50,modulo_n,1024,0,NXM_NX_REG0[0..7]: 8-bit destination field has 256 possible values, "
                  "less than specified n_links 1024"},
             Case{"bundle(eth_src,0,hrw,ofport,members:4,8)", "action bundle is not supported yet"},
             Case{"goto_table:5,clone()", "invalid instruction ordering: apply_actions must appear before goto_table, "
                                          "for OpenFlow 1.1+ compatibility"},
             Case{"sample(probability=0)", "invalid probability value \"0\""},
             Case{"sample(sampling_port=asdf)", "asdf: unknown port"},
             Case{"sample(foo=bar)", "invalid key \"foo\" in \"sample\" argument"},
             Case{"sample", "non-zero \"probability\" must be specified on sample"},
             Case{"check_pkt_larger(1500)->reg0[0]", "action check_pkt_larger is not supported yet"},
             Case{"ct(commit)", "action ct is not supported yet"},
             Case{"nat", "action nat is not supported yet"},
             Case{"ct_clear", "action ct_clear is not supported yet"},
             Case{"output(port=1,max_len=100)", "action output_trunc is not supported yet"},
             Case{"resubmit(1,2,ct)", "action resubmit(...,ct) is not supported yet"},
             Case{"controller(meter_id=1)", "controller action meter_id is not supported yet"},
         }) {
        INFO(c.in);
        CHECK(parse_error(c.in) == c.error);
    }
    CHECK(parse_error("clear_actions", false) == "clear_actions instruction not allowed here");
    CHECK(parse_error("goto_table:1", false) == "goto_table instruction not allowed here");
    std::string deep;
    for (int i = 0; i < 100; i++) deep += "write_actions(";
    CHECK(parse_error(deep) == "Action nested too deeply");
}

TEST_CASE("wire errors (the errors Open vSwitch sends)") {
    check_bad(
        kOfp10,
        {
            {"OFPBRC_BAD_LEN", "0000 0008 0001"},                                  // list not a multiple of 8
            {"OFPBAC_BAD_TYPE", "000c 0008 00000000"},                             // no such 1.0 action
            {"OFPBAC_BAD_VENDOR", "ffff 0010 12345678 0001 000000000000"},         // unknown vendor
            {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0010 00002320 007f 000000000000"},    // unknown NX subtype
            {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0010 00002320 0002 0000 12345678"},   // set_tunnel: refused
            {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0010 00002320 000c 000a 0014 0000"},  // bundle: refused
            {"OFPBAC_BAD_LEN", "ffff 0008 00002320"},                              // extension header cut short
            {"OFPBAC_BAD_LEN", "0001 0010 0009 0000 00000000 00000000"},           // fixed-size action too long
            {"OFPBAC_BAD_ARGUMENT", "0001 0008 1009 0000"},                        // VID > 4095
            {"OFPBAC_BAD_ARGUMENT", "0002 0008 08 000000"},                        // PCP > 7
            {"OFPBAC_BAD_ARGUMENT", "0008 0008 31 000000"},                        // TOS with ECN bits
            {"OFPBAC_BAD_OUT_PORT", "0000 0008 ff00 0000"},                        // above OFPP_MAX
            {"OFPBAC_BAD_OUT_PORT", "000b 0010 fffd 000000000000 00000001"},       // enqueue to CONTROLLER
            {"OFPBAC_BAD_ARGUMENT", "ffff 0010 00002320 000e 000a 05 000001"},     // resubmit pad
            {"OFPBAC_BAD_ARGUMENT", "ffff 0018 00002320 000f 0145 00010204 ffff 000000000001"},  // output_reg zero
            {"OFPBAC_BAD_SET_TYPE", "ffff 0018 00002320 000f 0145 7fff0004 ffff 000000000000"},  // unknown field
            {"OFPBAC_BAD_SET_LEN", "ffff 0018 00002320 000f 07c5 00010204 ffff 000000000000"},   // bits 31..36 of reg1
            {"OFPBAC_BAD_SET_TYPE", "ffff 0018 00002320 0007 000f 7fff0002 000000000000f009"},   // load: unknown field
            {"OFPBAC_BAD_SET_LEN", "ffff 0018 00002320 0007 040f 00000802 000000000000f009"},    // load beyond vlan_tci
            {"OFPBAC_BAD_ARGUMENT", "ffff 0018 00002320 0007 0007 00000802 0000000000000100"},   // value > 8 bits
            {"OFPBAC_BAD_SET_ARGUMENT",
             "ffff 0018 00002320 0007 000f 00000602 0000000000000800"},                        // eth_type read-only
            {"OFPBMC_BAD_FIELD", "ffff 0018 00002320 0006 0010 0000 0000 7fff0002 00000802"},  // move: unknown src
            {"OFPBMC_BAD_MASK", "ffff 0018 00002320 0006 0010 0000 0000 00010108 00000802"},   // move: masked header
            {"NXBAC_MUST_BE_ZERO", "ffff 0020 00002320 0006 0010 0000 0000 00000002 00000802 00000000 00000001"},
            {"OFPBAC_BAD_SET_ARGUMENT",
             "ffff 0018 00002320 0006 0010 0000 0000 00000002 00000602"},  // move to eth_type
            {"NXBAC_MUST_BE_ZERO", "ffff 0020 00002320 0016 000000000001 fedcba9876543210 ffffffffffffffff"},
            {"NXBAC_MUST_BE_ZERO", "ffff 0018 00002320 0015 0001 00000001 0001000000000000"},    // dec_ttl ids pad
            {"NXBAC_BAD_CONJUNCTION", "ffff 0010 00002320 0022 00 01 00000001"},  // one clause
            {"OFPBAC_BAD_ARGUMENT", "ffff 0018 00002320 001d 0000 00005BA0 00008707 0000B26E"},  // sample: probability 0
            {"OFPBAC_BAD_ARGUMENT",  // sample3: direction 3
             "ffff 0020 00002320 0029 3039 00005BA0 00008707 0000B26E DDD50300 00000000"},
            {"NXBAC_MUST_BE_ZERO",  // sample3: pad
             "ffff 0020 00002320 0029 3039 00005BA0 00008707 0000B26E DDD50000 00000100"},
            {"OFPBAC_BAD_VENDOR_TYPE",  // sample4 (Open vSwitch 3.4) is not known
             "ffff 0028 00002320 0033 3039 00005BA0 00000000 00008707 00000000 0000B26E DDD50000 00000000"},
            {"OFPBAC_BAD_ARGUMENT",  // multipath: fields 7
             "ffff 0020 00002320 000a 0007 0032 0000 0000 0000 0000 0000 0000 001f 00010004"},
            {"OFPBAC_BAD_ARGUMENT",  // multipath: algorithm 4
             "ffff 0020 00002320 000a 0000 0032 0000 0004 0000 0000 0000 0000 001f 00010004"},
            {"OFPBAC_BAD_ARGUMENT",  // multipath: 5 links into 2 bits
             "ffff 0020 00002320 000a 0000 0032 0000 0000 0004 0000 0000 0000 0001 00010004"},
            {"OFPBAC_BAD_SET_ARGUMENT",  // multipath into eth_type
             "ffff 0020 00002320 000a 0000 0032 0000 0000 0000 0000 0000 0000 000f 00000602"},
            {"NXBAC_BAD_CONJUNCTION", "ffff 0010 00002320 0022 00 41 00000001"},  // 65 clauses
            {"NXBAC_BAD_CONJUNCTION", "ffff 0010 00002320 0022 02 02 00000001"},  // clause 3 of 2
            {"NXBAC_BAD_CONJUNCTION",
             "ffff 0010 00002320 0022 00 02 00000001 0000 0008 0001 0000"},  // with an output
            {"OFPBAC_BAD_LEN", "ffff 0010 00002320 0015 0001 00000000"},                         // no room for the id
            {"OFPBAC_BAD_ARGUMENT", "ffff 0018 00002320 0025 000000000000 0005 0008 00000001"},  // controller meter_id
            {"OFPBAC_BAD_ARGUMENT", "ffff 0018 00002320 0025 000000000000 0009 0004 00000000"},  // unknown property
            {"OFPBAC_BAD_LEN", "ffff 0018 00002320 0025 000000000000 0000 0010 04d20000"},       // property too long
        });
    check_bad(kOfp11,
              {
                  {"OFPBAC_BAD_TYPE", "000d 0008 00000005"},                            // set_mpls_label: refused
                  {"OFPBAC_BAD_TYPE", "0013 0008 8847 0000"},                           // push_mpls: refused
                  {"OFPBAC_BAD_TYPE", "0019 0010 80000806 001122334455 0000"},          // no set_field before 1.2
                  {"OFPBAC_BAD_OUT_PORT", "0000 0010 0000ff00 0000 000000000000"},      // in the unmapped range
                  {"OFPBAC_BAD_ARGUMENT", "0011 0008 1234 0000"},                       // push_vlan of a non-VLAN type
                  {"OFPBAC_BAD_ARGUMENT", "0008 0008 04 000000"},                       // ECN > 3
                  {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0010 00002320 0004 0000 00000001"},  // NXAST_SET_QUEUE is 1.0 only
                  {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0010 00002320 0028 0000 00000005"},  // NXAST_GROUP is 1.0 only
              });
    check_bad(
        kOfp13,
        {
            {"OFPBAC_BAD_SET_ARGUMENT", "0019 0010 80000a02 0800 000000000000"},  // eth_type is read-only
            {"OFPBAC_BAD_SET_ARGUMENT", "0019 0010 80000c02 0005 000000000000"},  // vlan_vid without OFPVID_PRESENT
            {"OFPBAC_BAD_SET_ARGUMENT", "0019 0010 80001001 fc 00000000000000"},  // ip_dscp > 63
            {"OFPBAC_BAD_SET_ARGUMENT", "0019 0010 80000004 00000001 00000000"},  // in_port may not be set
            {"OFPBAC_BAD_SET_ARGUMENT", "0019 0010 80000806 001122334455 0001"},  // nonzero after the field
            {"OFPBMC_BAD_LEN", "0019 0008 80000806"},                             // value cut short
            {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0010 4f4e4600 0001 000000000000"},   // unknown ONF action
        });
    check_bad(
        kOfp15,
        {
            {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0018 00002320 0007 000f 00000802 000000000000f009"},  // no reg_load in 1.5
            {"OFPBAC_BAD_VENDOR_TYPE", "ffff 0018 00002320 0006 0010 0000 0000 00000002 00000802"},  // nor reg_move
            {"OFPBMC_BAD_WILDCARDS", "0019 0018 8000090c 000000001234 00000000ff00 00000000"},  // value outside mask
        });
    // Instructions.
    check_bad(
        kOfp13,
        {
            {"OFPBIC_BAD_LEN", "0001 0008 01 000000 0004 0010 00000000"},                    // runs past the end
            {"OFPBIC_BAD_LEN", "0006 0010 00000001 0000000000000000"},                       // meter with a bad length
            {"OFPBAC_BAD_TYPE", "0003 0018 00000000 ffff 0010 00002320 0011 000000000000"},  // exit in an action set
            {"OFPBAC_BAD_OUT_PORT", "0004 0018 00000000 0000 0010 ffffffff 0000 000000000000"},
        },
        true);
    check_bad(kOfp15, {{"OFPBIC_UNKNOWN_INST", "0006 0008 00000001"}}, true);  // meter is an action in 1.5
    // 1.0 "instructions": write_metadata must come after the actions.
    check_bad(kOfp10,
              {{"OFPBAC_UNSUPPORTED_ORDER",
                "ffff 0020 00002320 0016 000000000000 fedcba9876543210 ffffffffffffffff 0000 0008 0001 0000"}},
              true);
}

TEST_CASE("the error detail says which action and where") {
    OfActions a;
    auto e = ofpacts_pull(hex("0000 0008 0001 0000 ffff 0010 00002320 000c 000000000000"), kOfp10, &a);
    REQUIRE(e);
    CHECK(e->err == OfpErr::OFPBAC_BAD_VENDOR_TYPE);
    CHECK(e->detail.find("offset 8") != std::string::npos);
    CHECK(e->detail.find("NXAST_BUNDLE") != std::string::npos);
}

// ---- Consistency with the match ----------------------------------------------------

namespace {

Match match_eth(uint16_t eth_type, uint8_t proto = 0) {
    Match m;
    m.flow.pkt.eth_type = htons(eth_type), m.mask.pkt.eth_type = 0xffff;
    if (proto) m.flow.pkt.nw_proto = proto, m.mask.pkt.nw_proto = 0xff;
    return m;
}

std::string check_error(std::string_view text, const Match& m, uint8_t version, uint8_t table = 255,
                        OfPort max_ports = kOfppMax, uint8_t n_tables = 255) {
    auto e = check_actions(parse(text), m, version, max_ports, table, n_tables);
    return e ? ofp_error_name(e->err) : "";
}

}  // namespace

TEST_CASE("check_actions") {
    Match any;
    Match ip = match_eth(0x0800), tcp = match_eth(0x0800, 6), arp = match_eth(0x0806);

    // Ports.
    CHECK(check_error("output:5", any, kOfp13, 255, 10) == "");
    CHECK(check_error("output:10", any, kOfp13, 255, 10) == "OFPBAC_BAD_OUT_PORT");
    CHECK(check_error("ANY", any, kOfp13) == "OFPBAC_BAD_OUT_PORT");
    CHECK(check_error("enqueue:10:1", any, kOfp10, 255, 10) == "OFPBAC_BAD_OUT_PORT");
    CHECK(check_error("enqueue:LOCAL:1", any, kOfp10, 255, 10) == "");

    // Things the match does not promise: fine in 1.0, inconsistent later.
    for (const char* text : {"mod_nw_src:1.2.3.4", "mod_nw_tos:4", "mod_nw_ecn:1", "mod_nw_ttl:3", "dec_ttl",
                             "mod_tp_src:1", "pop_vlan", "set_vlan_vid:3", "set_vlan_pcp:3"}) {
        INFO(text);
        CHECK(check_error(text, any, kOfp10) == "");
        CHECK(check_error(text, any, kOfp13) == "OFPBAC_MATCH_INCONSISTENT");
    }
    CHECK(check_error("mod_nw_src:1.2.3.4,mod_nw_ttl:3,dec_ttl", ip, kOfp13) == "");
    CHECK(check_error("mod_tp_src:1", ip, kOfp13) == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("mod_tp_src:1", tcp, kOfp13) == "");
    CHECK(check_error("mod_nw_src:1.2.3.4", match_eth(0x86dd), kOfp13) == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("mod_vlan_vid:3,set_vlan_pcp:2,pop_vlan", any, kOfp13) == "");  // mod_ pushes a tag

    // set_field's prerequisites are checked in every version.
    CHECK(check_error("set_field:1.2.3.4->ip_src", any, kOfp10) == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("set_field:1.2.3.4->ip_src", ip, kOfp13) == "");
    CHECK(check_error("set_field:1->arp_op", arp, kOfp13) == "");
    CHECK(check_error("set_field:80->tcp_dst", ip, kOfp13) == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("set_field:4101->vlan_vid", any, kOfp13) == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("push_vlan:0x8100,set_field:4101->vlan_vid,set_field:1->vlan_pcp", any, kOfp13) == "");
    CHECK(check_error("set_field:0x1005->vlan_tci,set_field:4101->vlan_vid", any, kOfp13) == "");
    CHECK(check_error("strip_vlan,set_field:4101->vlan_vid", any, kOfp10) == "OFPBAC_MATCH_INCONSISTENT");

    // At most two tags.
    CHECK(check_error("push_vlan:0x8100,push_vlan:0x8100", any, kOfp13) == "");
    CHECK(check_error("push_vlan:0x8100,push_vlan:0x8100,push_vlan:0x8100", any, kOfp13) == "OFPBAC_BAD_TAG");
    CHECK(check_error("push_vlan:0x88a8,push_vlan:0x8100,pop_vlan,push_vlan:0x8100", any, kOfp13) == "");

    // Subfields: within the field, destinations writable, prerequisites.
    CHECK(check_error("move:NXM_NX_REG0[]->NXM_NX_REG1[]", any, kOfp13) == "");
    CHECK(check_error("move:NXM_OF_IP_SRC[]->NXM_NX_REG1[]", any, kOfp13) == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("move:NXM_OF_IP_SRC[]->NXM_NX_REG1[]", ip, kOfp10) == "");
    CHECK(check_error("move:NXM_NX_REG1[]->NXM_OF_IP_DST[]", ip, kOfp13) == "");
    CHECK(check_error("output:NXM_OF_TCP_SRC[]", ip, kOfp13) == "OFPBAC_MATCH_INCONSISTENT");
    CHECK(check_error("output:NXM_OF_TCP_SRC[]", tcp, kOfp13) == "");
    {
        ActRegMove mv;
        mv.src = {&mf_field(MfId::Reg0), 0, 16};
        mv.dst = {&mf_field(MfId::EthType), 0, 16};
        auto e = check_actions({mv}, any, kOfp13);
        REQUIRE(e);
        CHECK(e->err == OfpErr::OFPBAC_BAD_SET_ARGUMENT);
        mv.dst = {&mf_field(MfId::Reg1), 20, 16};  // bits 20..35 of a 32-bit register
        e = check_actions({mv}, any, kOfp13);
        REQUIRE(e);
        CHECK(e->err == OfpErr::OFPBAC_BAD_SET_LEN);
    }

    // Tables and meters.
    CHECK(check_error("goto_table:3", any, kOfp13, 2) == "");
    CHECK(check_error("goto_table:2", any, kOfp13, 2) == "OFPBIC_BAD_TABLE_ID");
    CHECK(check_error("goto_table:1", any, kOfp13, 2) == "OFPBIC_BAD_TABLE_ID");
    CHECK(check_error("goto_table:5", any, kOfp13, 0, kOfppMax, 5) == "OFPBIC_BAD_TABLE_ID");
    CHECK(check_error("meter:1", any, kOfp13) == "");
    CHECK(check_error("meter:0", any, kOfp13) == "OFPMMFC_INVALID_METER");
    CHECK(check_error("meter:4294967295", any, kOfp13) == "OFPMMFC_INVALID_METER");

    // An action set is checked for hard errors only, and leaves the packet alone.
    CHECK(check_error("write_actions(mod_nw_src:1.2.3.4)", any, kOfp13) == "");
    CHECK(check_error("write_actions(output:10)", any, kOfp13, 255, 10) == "OFPBAC_BAD_OUT_PORT");
    OfActions set_then_vid = parse("write_actions(push_vlan:0x8100)");
    set_then_vid.push_back(parse("set_field:4101->vlan_vid")[0]);  // out of order, but checkable
    auto e = check_actions(set_then_vid, any, kOfp13);
    REQUIRE(e);
    CHECK(e->err == OfpErr::OFPBAC_MATCH_INCONSISTENT);
}
