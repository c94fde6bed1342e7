// Group and meter message codecs (ofproto/ofp_groups.h).
//
// Where the expected values come from:
// - tests/ofp-print.at of Open vSwitch: its hex dumps of group mods, group
//   and meter stats replies, and the structures ovs-ofctl prints for them;
// - Debian's ovs-ofctl (3.1): the messages it sent for add-group,
//   mod-group, del-groups, insert-buckets, remove-buckets, add-meter,
//   del-meters, dump-groups, dump-group-stats, meter-stats ... to a fake
//   switch (captured once, kept here as hex), and "ovs-ofctl ofp-print" of
//   our encodings, which printed them without complaint and with the text
//   quoted next to them;
// - the error table: crafted messages, each decoded by "ovs-ofctl
//   ofp-print" (which runs Open vSwitch's decoder) to find the error Open
//   vSwitch gives. Where we refuse what that decoder accepts, the check is
//   one OVS makes later (ofproto, datapath) and the row says so.
#include <doctest/doctest.h>

#include "support/hex.h"

#include <string>
#include <string_view>

#include "ofproto/meta_flow.h"
#include "ofproto/ofp_groups.h"

using namespace xvs::ofproto;

namespace {

using xvs::test::hex;

using xvs::test::to_hex;

template <typename T>
OfpErr error_of(const std::variant<T, OfpError>& v) {
    REQUIRE(std::holds_alternative<OfpError>(v));
    return std::get<OfpError>(v).err;
}

// By value: callers pass the decoder's result, a temporary.
template <typename T>
T value_of(const std::variant<T, OfpError>& v) {
    if (auto* e = std::get_if<OfpError>(&v)) FAIL(ofp_error_name(e->err) << ": " << e->detail);
    return std::get<T>(v);
}

OfpGroupMod group_mod(std::string_view h) {
    return value_of(decode_group_mod(hex(h)));
}
OfpMeterMod meter_mod(std::string_view h) {
    return value_of(decode_meter_mod(hex(h)));
}

// A field mask of 'n' bytes of ones (right-aligned, as MfValue holds it).
MfValue ones(int n) {
    MfValue v;
    for (int i = 16 - n; i < 16; i++) v.b[i] = 0xff;
    return v;
}

const MfField* field(const char* name) {
    const MfField* f = mf_from_name(name);
    REQUIRE(f != nullptr);
    return f;
}

// fields(ip_dst=255.255.255.0,nw_proto,tcp_src)
std::vector<std::pair<const MfField*, MfValue>> hash_fields() {
    MfValue m24;
    m24.b[12] = m24.b[13] = m24.b[14] = 0xff;
    return {{field("ip_dst"), m24}, {field("nw_proto"), ones(1)}, {field("tcp_src"), ones(2)}};
}

OfpBucket bucket(uint32_t id, OfActions actions) {
    OfpBucket b;
    b.bucket_id = id;
    b.actions = std::move(actions);
    return b;
}

// The select group of ofp-print.at's group mod and group desc tests:
// bucket=weight:100,watch_port:1,actions=output:1, then weight 200 with
// port 2 and weight 200 with port 3.
OfpGroupMod ovs_select_group(uint32_t group_id = 0x87654321) {
    OfpGroupMod gm;
    gm.type = GroupType::Select;
    gm.group_id = group_id;
    for (uint32_t i = 0; i < 3; i++) {
        OfpBucket b = bucket(i, {ActOutput{uint16_t(i + 1)}});
        b.weight = i ? 200 : 100;
        b.watch_port = i + 1;
        gm.buckets.push_back(b);
    }
    return gm;
}

// A fast failover group: watch_port:1 -> output:1, watch_group:1 ->
// output:2, watch_port:LOCAL -> IN_PORT.
OfpGroupMod ff_group() {
    OfpGroupMod gm;
    gm.type = GroupType::FastFailover;
    gm.group_id = 4;
    gm.buckets = {bucket(0, {ActOutput{1}}), bucket(1, {ActOutput{2}}), bucket(2, {ActOutput{kOfppInPort}})};
    gm.buckets[0].watch_port = 1;
    gm.buckets[1].watch_group = 1;
    gm.buckets[2].watch_port = kOfppLocal;
    return gm;
}

OfpGroupDesc desc_of(const OfpGroupMod& gm) {
    OfpGroupDesc d;
    d.type = gm.type;
    d.group_id = gm.group_id;
    d.buckets = gm.buckets;
    d.selection_method = gm.selection_method;
    d.selection_method_param = gm.selection_method_param;
    d.selection_method_fields = gm.selection_method_fields;
    return d;
}

}  // namespace

// ---- Group mods: Open vSwitch's vectors --------------------------------------------

TEST_CASE("group mods of ofp-print.at decode to the groups ovs-ofctl prints") {
    OfpGroupMod sel = ovs_select_group();
    OfpGroupMod sel_hash = sel;
    sel_hash.selection_method = "hash";
    sel_hash.selection_method_param = 7;

    SUBCASE("NXT_GROUP_MOD add - OF1.0") {
        // ADD group_id=2271560481,type=select,selection_method=hash,selection_method_param=7,
        // bucket=bucket_id:0,weight:100,watch_port:1,actions=output:1,bucket=bucket_id:1,...
        CHECK(group_mod("01 04 00 a8 00 00 00 02 00 00 23 20 00 00 00 1f 00 00 01 00 87 65 43 21"
                        "00 60 00 00 ff ff ff ff"
                        "00 20 00 08 00 00 00 00 00 00 00 08 00 01 00 00"
                        "00 00 00 08 00 64 00 00 00 01 00 08 00 00 00 01"
                        "00 20 00 08 00 00 00 01 00 00 00 08 00 02 00 00"
                        "00 00 00 08 00 c8 00 00 00 01 00 08 00 00 00 02"
                        "00 20 00 08 00 00 00 02 00 00 00 08 00 03 00 00"
                        "00 00 00 08 00 c8 00 00 00 01 00 08 00 00 00 03"
                        "ff ff 00 28 00 00 15 40 00 00 00 01 00 00 00 00"
                        "68 61 73 68 00 00 00 00 00 00 00 00 00 00 00 00"
                        "00 00 00 00 00 00 00 07") == sel_hash);
    }
    SUBCASE("OFPT_GROUP_MOD - OF1.1: buckets numbered in order") {
        CHECK(group_mod("02 0f 00 70 11 22 33 44 00 00 01 00 87 65 43 21"
                        "00 20 00 64 00 00 00 01 ff ff ff ff 00 00 00 00"
                        "00 00 00 10 00 00 00 01 00 00 00 00 00 00 00 00"
                        "00 20 00 c8 00 00 00 02 ff ff ff ff 00 00 00 00"
                        "00 00 00 10 00 00 00 02 00 00 00 00 00 00 00 00"
                        "00 20 00 c8 00 00 00 03 ff ff ff ff 00 00 00 00"
                        "00 00 00 10 00 00 00 03 00 00 00 00 00 00 00 00") == sel);
    }
    const char* add15 =
        "06 0f 00 b8 11 22 33 44 00 00 01 00 87 65 43 21"
        "00 78 00 00 ff ff ff ff 00 28 00 10 00 00 00 00"
        "00 00 00 10 00 00 00 01 00 00 00 00 00 00 00 00"
        "00 00 00 08 00 64 00 00 00 01 00 08 00 00 00 01"
        "00 28 00 10 00 00 00 01 00 00 00 10 00 00 00 02"
        "00 00 00 00 00 00 00 00 00 00 00 08 00 c8 00 00"
        "00 01 00 08 00 00 00 02 00 28 00 10 00 00 00 02"
        "00 00 00 10 00 00 00 03 00 00 00 00 00 00 00 00"
        "00 00 00 08 00 c8 00 00 00 01 00 08 00 00 00 03";
    SUBCASE("OFPT_GROUP_MOD add - OF1.5") {
        std::string msg = std::string(add15) +
                          "ff ff 00 28 00 00 15 40 00 00 00 01 00 00 00 00"
                          "68 61 73 68 00 00 00 00 00 00 00 00 00 00 00 00"
                          "00 00 00 00 00 00 00 07";
        CHECK(group_mod(msg) == sel_hash);
    }
    SUBCASE("OFPT_GROUP_MOD insert bucket - OF1.5") {
        // INSERT_BUCKET command_bucket_id:first,group_id=2271560481,bucket=bucket_id:0,...
        Bytes msg = hex(add15);
        msg[2] = 0x00, msg[3] = 0x90;                        // the same message without the property,
        msg[9] = 0x03;                                       // command OFPGC15_INSERT_BUCKET,
        msg[20] = msg[21] = msg[22] = 0xff, msg[23] = 0xfd;  // command_bucket_id first
        OfpGroupMod ins = sel;
        ins.command = GroupModCommand::InsertBucket;
        ins.command_bucket_id = kBucketFirst;
        CHECK(value_of(decode_group_mod(msg)) == ins);
    }
    SUBCASE("OFP_REQUESTFORWARD's inner group mods - OF1.4") {
        OfpGroupMod add;  // ADD group_id=1,type=all
        add.group_id = 1;
        CHECK(group_mod("05 0f 00 10 02 00 00 00 00 00 00 00 00 00 00 01") == add);
        OfpGroupMod mod;  // MOD group_id=1,type=select
        mod.command = GroupModCommand::Modify;
        mod.type = GroupType::Select;
        mod.group_id = 1;
        CHECK(group_mod("05 0f 00 10 02 00 00 00 00 01 01 00 00 00 00 01") == mod);
    }
}

// What Debian's ovs-ofctl sent to a fake switch: each decodes, and encodes
// back in its version to the very same bytes (OVS's encoder and ours agree).
TEST_CASE("group and meter mods ovs-ofctl sends: decoded, and encoded back byte for byte") {
    struct Case {
        const char* cmd;
        const char* msg;
    };
    const Case cases[] = {
        // add-group group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,actions=output:2
        {"add-group select -O OpenFlow10",
         "0104005000000002000023200000001f000001000000000100300000ffffffff0018000800000000000000080001"
         "000000000008000a0000001800080000000100000008000200000000000800140000"},
        {"add-group select -O OpenFlow11",
         "020f00500000000200000100000000010020000affffffffffffffff0000000000000010000000010000000000000000"
         "00200014ffffffffffffffff0000000000000010000000020000000000000000"},
        {"add-group select -O OpenFlow12",
         "030f00500000000200000100000000010020000affffffffffffffff0000000000000010000000010000000000000000"
         "00200014ffffffffffffffff0000000000000010000000020000000000000000"},
        {"add-group select -O OpenFlow13",
         "040f00500000000200000100000000010020000affffffffffffffff0000000000000010000000010000000000000000"
         "00200014ffffffffffffffff0000000000000010000000020000000000000000"},
        {"add-group select -O OpenFlow14",
         "050f00500000000200000100000000010020000affffffffffffffff0000000000000010000000010000000000000000"
         "00200014ffffffffffffffff0000000000000010000000020000000000000000"},
        {"add-group select -O OpenFlow15",
         "060f005800000002000001000000000100400000ffffffff002000100000000000000010000000010000000000000000"
         "00000008000a00000020001000000001000000100000000200000000000000000000000800140000"},
        // add-group group_id=2,type=select,selection_method=hash,selection_method_param=7,
        // fields(ip_dst=255.255.255.0,nw_proto,tcp_src),bucket=bucket_id:5,actions=output:1,bucket=actions=output:2
        // (1.0: NXM headers; the second bucket gets id 0, the lowest free one)
        {"add-group hash fields -O OpenFlow10",
         "0104009000000002000023200000001f000001000000000200300000ffffffff00180008000000050000000800010000"
         "0000000800010000001800080000000000000008000200000000000800010000ffff003b0000154d0000000100000000"
         "68617368000000000000000000000000000000000000000700001004ffffff0000000c01ff00001202ffff0000000000"},
        {"add-group hash fields -O OpenFlow15",
         "060f009800000002000001000000000200400000ffffffff002000100000000500000010000000010000000000000000"
         "00000008000100000020001000000000000000100000000200000000000000000000000800010000ffff003b0000154d"
         "000000010000000068617368000000000000000000000000000000000000000780001804ffffff0080001401ff80001a"
         "02ffff0000000000"},
        // add-group group_id=3,type=select,selection_method=dp_hash,bucket=actions=output:1
        {"add-group dp_hash -O OpenFlow10",
         "0104006000000002000023200000001f000001000000000300180000ffffffff00180008000000000000000800010000"
         "0000000800010000ffff00280000154d000000010000000064705f686173680000000000000000000000000000000000"},
        {"add-group dp_hash -O OpenFlow15",
         "060f006000000002000001000000000300200000ffffffff002000100000000000000010000000010000000000000000"
         "0000000800010000ffff00280000154d000000010000000064705f686173680000000000000000000000000000000000"},
        // insert-buckets group_id=1,command_bucket_id=last,bucket=bucket_id:7,actions=output:3
        {"insert-buckets -O OpenFlow10",
         "0104003000000002000023200000001f000300000000000100100000fffffffe00100008000000070000000800030000"},
        {"insert-buckets -O OpenFlow15",
         "060f003000000002000300000000000100180000fffffffe001800100000000700000010000000030000000000000000"},
        // remove-buckets group_id=1,command_bucket_id=7 / remove-buckets group_id=1
        {"remove-buckets -O OpenFlow10", "0104002000000002000023200000001f00050000000000010000000000000007"},
        {"remove-buckets all -O OpenFlow10", "0104002000000002000023200000001f000500000000000100000000ffffffff"},
        {"remove-buckets -O OpenFlow15", "060f00180000000200050000000000010000000000000007"},
        {"remove-buckets all -O OpenFlow15", "060f001800000002000500000000000100000000ffffffff"},
        // add-group group_id=4,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_group:1,actions=output:2
        {"add-group ff -O OpenFlow13",
         "040f00500000000200000300000000040020000000000001ffffffff000000000000001000000001000000000000000000"
         "200000ffffffff000000010000000000000010000000020000000000000000"},
        {"add-group ff -O OpenFlow15",
         "060f005800000002000003000000000400400000ffffffff002000100000000000000010000000010000000000000000"
         "00010008000000010020001000000001000000100000000200000000000000000002000800000001"},
        // add-group group_id=5,type=indirect,bucket=actions=mod_vlan_vid:10,output:3
        {"add-group indirect -O OpenFlow11",
         "020f004000000002000002000000000500300000ffffffffffffffff00000000001100088100000000010008000a0000"
         "00000010000000030000000000000000"},
        // add-group
        // group_id=6,type=all,bucket=actions=set_field:00:11:22:33:44:55->eth_dst,output:1,bucket=actions=output:2
        {"add-group all -O OpenFlow12",
         "030f006000000002000000000000000600300000ffffffffffffffff0000000000190010800006060011223344550000"
         "0000001000000001000000000000000000200000ffffffffffffffff0000000000000010000000020000000000000000"},
        // add-group group_id=8,type=select,bucket=weight:0,actions=output:1
        {"add-group select weight 0 -O OpenFlow15",
         "060f003800000002000001000000000800200000ffffffff002000100000000000000010000000010000000000000000"
         "0000000800000000"},
        // add-group group_id=8,type=all,bucket=actions=output:1,bucket=actions=output:2,bucket=actions=output:3
        {"add-group all -O OpenFlow15",
         "060f006000000002000000000000000800480000ffffffff001800100000000000000010000000010000000000000000"
         "001800100000000100000010000000020000000000000000001800100000000200000010000000030000000000000000"},
        // mod-group [--may-create] group_id=1,type=all,bucket=actions=output:LOCAL
        {"mod-group -O OpenFlow13",
         "040f003000000002000100000000000100200000ffffffffffffffff0000000000000010fffffffe0000000000000000"},
        {"mod-group --may-create -O OpenFlow13",
         "040f003000000002800000000000000100200000ffffffffffffffff0000000000000010fffffffe0000000000000000"},
        // del-groups group_id=1 / del-groups (all) / del-groups group_id=9
        {"del-groups -O OpenFlow13", "040f0010000000020002000000000001"},
        {"del-groups all -O OpenFlow13", "040f00100000000200020000fffffffc"},
        {"del-groups all -O OpenFlow10", "0104002000000002000023200000001f00020000fffffffc00000000ffffffff"},
        {"del-groups -O OpenFlow15", "060f001800000002000200000000000900000000ffffffff"},
        // add-meter meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100,
        //     type=dscp_remark,rate=2000,burst_size=50,prec_level=2
        {"add-meter -O OpenFlow13",
         "041d0030000000020000000d0000000100010010000003e8000000640000000000020010000007d00000003202000000"},
        {"add-meter -O OpenFlow14",
         "051d0030000000020000000d0000000100010010000003e8000000640000000000020010000007d00000003202000000"},
        {"add-meter -O OpenFlow15",
         "061d0030000000020000000d0000000100010010000003e8000000640000000000020010000007d00000003202000000"},
        // add-meter meter=2,pktps,bands=type=drop,rate=10 / mod-meter meter=2,kbps,bands=type=drop,rate=100
        {"add-meter pktps -O OpenFlow13", "041d0020000000020000000200000002000100100000000a0000000000000000"},
        {"mod-meter -O OpenFlow13", "041d002000000002000100010000000200010010000000640000000000000000"},
        // del-meters / del-meters meter=2
        {"del-meters -O OpenFlow13", "041d00100000000200020000ffffffff"},
        {"del-meters meter=2 -O OpenFlow13", "041d0010000000020002000000000002"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.cmd);
        Bytes msg = hex(c.msg);
        OfpHeader h = ofp_header(msg);
        if (msg[1] == 29) {
            const auto& mm = value_of(decode_meter_mod(msg));
            CHECK_BYTES(encode_meter_mod(h.version, mm, h.xid), msg);
        } else {
            const auto& gm = value_of(decode_group_mod(msg));
            CHECK_BYTES(encode_group_mod(h.version, gm, h.xid), msg);
        }
    }

    SUBCASE("what they decode to") {
        OfpGroupMod g = group_mod(cases[6].msg);  // hash fields, 1.0
        CHECK(g.type == GroupType::Select);
        CHECK(g.group_id == 2);
        CHECK(g.selection_method == "hash");
        CHECK(g.selection_method_param == 7);
        CHECK(g.selection_method_fields == hash_fields());
        REQUIRE(g.buckets.size() == 2);
        CHECK(g.buckets[0].bucket_id == 5);
        CHECK(g.buckets[1].bucket_id == 0);
        CHECK(g.buckets[1].weight == 1);  // no weight property: 1 in a select group
        CHECK(g.buckets[1].watch_port == 0xffffffff);
        CHECK(g.buckets[1].actions == OfActions{ActOutput{2}});
        CHECK(group_mod(cases[7].msg) == g);  // the 1.5 form says the same

        OfpGroupMod ins = group_mod(cases[10].msg);
        CHECK(ins.command == GroupModCommand::InsertBucket);
        CHECK(ins.command_bucket_id == kBucketLast);
        REQUIRE(ins.buckets.size() == 1);
        CHECK(ins.buckets[0].bucket_id == 7);
        CHECK(group_mod(cases[11].msg) == ins);

        CHECK(group_mod(cases[12].msg).command_bucket_id == 7);
        CHECK(group_mod(cases[13].msg).command_bucket_id == kBucketAll);

        OfpGroupMod ff = group_mod(cases[16].msg);
        REQUIRE(ff.buckets.size() == 2);
        CHECK(ff.buckets[0].watch_port == 1);
        CHECK(ff.buckets[0].watch_group == kOfpgAny);
        CHECK(ff.buckets[1].watch_port == 0xffffffff);
        CHECK(ff.buckets[1].watch_group == 1);
        CHECK(group_mod(cases[17].msg) == ff);

        CHECK(group_mod(cases[23].msg).buckets[0].actions == OfActions{ActOutput{kOfppLocal}});
        CHECK(group_mod(cases[23].msg).command == GroupModCommand::AddOrModify);
        OfpGroupMod del = group_mod(cases[25].msg);
        CHECK(del.command == GroupModCommand::Delete);
        CHECK(del.group_id == kOfpgAll);

        OfpMeterMod m = meter_mod(cases[28].msg);
        CHECK(m.command == MeterModCommand::Add);
        CHECK(m.flags == (kOfpmfKbps | kOfpmfBurst | kOfpmfStats));
        CHECK(m.meter_id == 1);
        CHECK(m.bands ==
              std::vector<OfpMeterBand>{{MeterBandType::Drop, 1000, 100, 0}, {MeterBandType::DscpRemark, 2000, 50, 2}});
        OfpMeterMod del_all = meter_mod(cases[33].msg);
        CHECK(del_all.command == MeterModCommand::Delete);
        CHECK(del_all.meter_id == kOfpmAll);
    }
}

// ---- Group mods: our encodings, as ovs-ofctl ofp-print reads them -------------------

TEST_CASE("group mod encodings that ovs-ofctl prints as the group") {
    OfpGroupMod sel = ovs_select_group();
    sel.selection_method = "hash";
    sel.selection_method_param = 7;
    sel.selection_method_fields = hash_fields();

    // NXT_GROUP_MOD (xid=0x2):
    //  ADD group_id=2271560481,type=select,selection_method=hash,selection_method_param=7,
    //  fields(ip_dst=255.255.255.0,nw_proto,tcp_src),bucket=bucket_id:0,weight:100,watch_port:1,
    //  actions=output:1,bucket=bucket_id:1,weight:200,watch_port:2,actions=output:2,bucket=bucket_id:2,...
    CHECK_BYTES(encode_group_mod(kOfp10, sel, 2),
                hex("010400c000000002000023200000001f000001008765432100600000ffffffff"
                    "0020000800000000000000080001000000000008006400000001000800000001"
                    "002000080000000100000008000200000000000800c800000001000800000002"
                    "002000080000000200000008000300000000000800c800000001000800000003"
                    "ffff003b0000154d000000010000000068617368000000000000000000000000"
                    "000000000000000700001004ffffff0000000c01ff00001202ffff0000000000"));
    // OFPT_GROUP_MOD (OF1.5) (xid=0x2): the same text.
    CHECK_BYTES(encode_group_mod(kOfp15, sel, 2), hex("060f00d000000002000001008765432100780000ffffffff0028001000000000"
                                                      "0000001000000001000000000000000000000008006400000001000800000001"
                                                      "0028001000000001000000100000000200000000000000000000000800c80000"
                                                      "0001000800000002002800100000000200000010000000030000000000000000"
                                                      "0000000800c800000001000800000003ffff003b0000154d0000000100000000"
                                                      "68617368000000000000000000000000000000000000000780001804ffffff00"
                                                      "80001401ff80001a02ffff0000000000"));
    // 1.1-1.4 cannot carry the selection method: the bytes of ofp-print.at's
    // OFPT_GROUP_MOD - OF1.1 test.
    CHECK_BYTES(encode_group_mod(kOfp11, sel, 0x11223344), hex("02 0f 00 70 11 22 33 44 00 00 01 00 87 65 43 21"
                                                               "00 20 00 64 00 00 00 01 ff ff ff ff 00 00 00 00"
                                                               "00 00 00 10 00 00 00 01 00 00 00 00 00 00 00 00"
                                                               "00 20 00 c8 00 00 00 02 ff ff ff ff 00 00 00 00"
                                                               "00 00 00 10 00 00 00 02 00 00 00 00 00 00 00 00"
                                                               "00 20 00 c8 00 00 00 03 ff ff ff ff 00 00 00 00"
                                                               "00 00 00 10 00 00 00 03 00 00 00 00 00 00 00 00"));

    // OFPT_GROUP_MOD (OF1.1) (xid=0x3):
    //  ADD group_id=4,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_group:1,
    //  actions=output:2,bucket=watch_port:LOCAL,actions=IN_PORT
    CHECK_BYTES(encode_group_mod(kOfp11, ff_group(), 3),
                hex("020f00700000000300000300000000040020000000000001ffffffff00000000"
                    "0000001000000001000000000000000000200000ffffffff0000000100000000"
                    "0000001000000002000000000000000000200000fffffffeffffffff00000000"
                    "00000010fffffff80000000000000000"));

    // OFPT_GROUP_MOD (OF1.2) (xid=0x4):
    //  ADD_OR_MOD group_id=5,type=indirect,bucket=actions=push_vlan:0x8100,set_field:4106->vlan_vid,output:3
    OfpGroupMod ind;
    ind.command = GroupModCommand::AddOrModify;
    ind.type = GroupType::Indirect;
    ind.group_id = 5;
    ind.buckets = {bucket(0, {ActSetVlanVid{10}, ActOutput{3}})};
    CHECK_BYTES(encode_group_mod(kOfp12, ind, 4), hex("030f004800000004800002000000000500380000ffffffffffffffff00000000"
                                                      "00110008810000000019001080000c02100a0000000000000000001000000003"
                                                      "0000000000000000"));

    // OFPT_GROUP_MOD (OF1.5) (xid=0x6):
    //  INSERT_BUCKET command_bucket_id:last,group_id=1,bucket=bucket_id:0,weight:5,actions=output:3
    // (a bucket without an id, above kBucketMax, gets the lowest free one)
    OfpGroupMod ins;
    ins.command = GroupModCommand::InsertBucket;
    ins.type = GroupType::Select;
    ins.group_id = 1;
    ins.command_bucket_id = kBucketLast;
    ins.buckets = {bucket(kBucketAll, {ActOutput{3}})};
    ins.buckets[0].weight = 5;
    CHECK_BYTES(encode_group_mod(kOfp15, ins, 6), hex("060f003800000006000301000000000100200000fffffffe0020001000000000"
                                                      "000000100000000300000000000000000000000800050000"));

    // NXT_GROUP_MOD (xid=0x7): REMOVE_BUCKET command_bucket_id:7,group_id=1
    OfpGroupMod rem;
    rem.command = GroupModCommand::RemoveBucket;
    rem.group_id = 1;
    rem.command_bucket_id = 7;
    CHECK_BYTES(encode_group_mod(kOfp10, rem, 7),
                hex("0104002000000007000023200000001f00050000000000010000000000000007"));
}

TEST_CASE("1.5 bucket ids: kept, or the lowest free one") {
    OfpGroupMod gm;
    gm.type = GroupType::All;
    gm.group_id = 1;
    // Explicit ids 1 and 0 (the latter after the bucket without one):
    // the id-less bucket takes 2. (Open vSwitch would hand it 0 again.)
    gm.buckets = {bucket(1, {ActOutput{1}}), bucket(kBucketAll, {ActOutput{2}}), bucket(0, {ActOutput{3}}),
                  bucket(kBucketAll, {ActOutput{4}})};
    auto back = group_mod(to_hex(encode_group_mod(kOfp15, gm, 1)));
    REQUIRE(back.buckets.size() == 4);
    CHECK(back.buckets[0].bucket_id == 1);
    CHECK(back.buckets[1].bucket_id == 2);
    CHECK(back.buckets[2].bucket_id == 0);
    CHECK(back.buckets[3].bucket_id == 3);
}

// ---- Round trips ---------------------------------------------------------------------

TEST_CASE("group mods round-trip in every version") {
    OfpGroupMod sel = ovs_select_group(7);
    sel.selection_method = "hash";
    sel.selection_method_param = 3;
    sel.selection_method_fields = hash_fields();
    sel.selection_method_fields.push_back({field("eth_src"), ones(6)});
    sel.selection_method_fields.push_back({field("reg3"), ones(4)});
    sel.selection_method_fields.push_back({field("tcp_flags"), ones(2)});

    OfpGroupMod dp = ovs_select_group(8);
    dp.command = GroupModCommand::Modify;
    dp.selection_method = "dp_hash";
    dp.buckets[1].weight = 0;

    OfpGroupMod ind;
    ind.type = GroupType::Indirect;
    ind.group_id = kOfpgMax;
    ind.buckets = {bucket(0, {ActOutput{kOfppNormal}})};

    OfpGroupMod all;
    all.command = GroupModCommand::AddOrModify;
    all.group_id = 9;
    all.buckets = {bucket(0, {ActOutput{1}}), bucket(1, {ActOutput{2}, ActOutput{kOfppLocal}}), bucket(2, {})};

    OfpGroupMod del;
    del.command = GroupModCommand::Delete;
    del.group_id = kOfpgAll;

    OfpGroupMod ff = ff_group();
    ff.buckets[0].watch_port = 0xfeff;  // the highest ordinary port
    ff.buckets[1].watch_group = kOfpgMax;

    for (uint8_t v = kOfp10; v <= kOfp15; v++) {
        CAPTURE(int(v));
        bool has15 = v == kOfp10 || v == kOfp15;  // the forms with bucket ids and properties
        for (OfpGroupMod gm : {sel, dp, ind, all, del, ff}) {
            if (!has15) {
                gm.selection_method.clear();
                gm.selection_method_param = 0;
                gm.selection_method_fields.clear();
            }
            Bytes msg = encode_group_mod(v, gm, 42);
            CHECK(ofp_header(msg).version == v);
            CHECK(ofp_header(msg).length == msg.size());
            CHECK(msg.size() % 8 == 0);
            CHECK(group_mod(to_hex(msg)) == gm);
        }
        // Actions whose form depends on the version (set_field is
        // set_dl_dst before 1.2, strip_vlan in 1.0): the same bytes again.
        OfpGroupMod rich = all;
        rich.buckets[1].actions = {ActSetField{field("eth_dst"), ones(6), ones(6)}, ActPopVlan{}, ActDecTtl{},
                                   ActSetQueue{4}, ActOutput{kOfppInPort}};
        Bytes msg = encode_group_mod(v, rich, 43);
        OfpGroupMod back = group_mod(to_hex(msg));
        CHECK_BYTES(encode_group_mod(v, back, 43), msg);
        CHECK(back.buckets[1].actions.size() >= 4);
    }

    SUBCASE("1.5 ids survive; 1.1-1.4 number buckets in order") {
        OfpGroupMod gm = all;
        gm.buckets[0].bucket_id = 10, gm.buckets[1].bucket_id = 5, gm.buckets[2].bucket_id = kBucketMax;
        CHECK(group_mod(to_hex(encode_group_mod(kOfp15, gm, 1))) == gm);
        CHECK(group_mod(to_hex(encode_group_mod(kOfp10, gm, 1))) == gm);
        OfpGroupMod renumbered = group_mod(to_hex(encode_group_mod(kOfp13, gm, 1)));
        CHECK(renumbered.buckets[0].bucket_id == 0);
        CHECK(renumbered.buckets[1].bucket_id == 1);
        CHECK(renumbered.buckets[2].bucket_id == 2);
    }
}

TEST_CASE("meter mods round-trip in 1.3-1.5, and do not exist before") {
    OfpMeterMod add;
    add.flags = kOfpmfKbps | kOfpmfBurst | kOfpmfStats;
    add.meter_id = kOfpmMax;
    add.bands = {{MeterBandType::Drop, 1000, 100, 0}, {MeterBandType::DscpRemark, 2000, 50, 2}};
    OfpMeterMod mod;
    mod.command = MeterModCommand::Modify;
    mod.flags = kOfpmfPktps;
    mod.meter_id = kOfpmController;
    mod.bands = {{MeterBandType::Drop, 10, 0, 0}};
    OfpMeterMod slow = mod;
    slow.meter_id = kOfpmSlowpath;
    slow.bands.clear();
    OfpMeterMod del;
    del.command = MeterModCommand::Delete;
    del.flags = 0;
    del.meter_id = kOfpmAll;
    for (uint8_t v = kOfp13; v <= kOfp15; v++) {
        for (const auto& mm : {add, mod, slow, del}) {
            Bytes msg = encode_meter_mod(v, mm, 9);
            CHECK(ofp_header(msg).version == v);
            CHECK(meter_mod(to_hex(msg)) == mm);
        }
    }
    for (uint8_t v = kOfp10; v < kOfp13; v++) CHECK(encode_meter_mod(v, add, 1).empty());

    // OFPT_METER_MOD (OF1.3) (xid=0x2): MOD meter=controller pktps bands=
    // type=drop rate=10
    CHECK_BYTES(encode_meter_mod(kOfp13, mod, 2),
                hex("041d00200000000200010002fffffffe000100100000000a0000000000000000"));
    // OFPT_METER_MOD (OF1.3) (xid=0x2): DEL meter=all bands=
    CHECK_BYTES(encode_meter_mod(kOfp13, del, 2), hex("041d00100000000200020000ffffffff"));
    // ofp-print.at's OFPT_METER_MOD request - OF1.3:
    // ADD meter=5 kbps burst stats bands=
    // type=drop rate=1024 burst_size=128
    Bytes ovs =
        hex("04 1d 00 20 00 00 00 02 00 00 00 0d 00 00 00 05"
            "00 01 00 10 00 00 04 00 00 00 00 80 00 00 00 00");
    OfpMeterMod five;
    five.flags = kOfpmfKbps | kOfpmfBurst | kOfpmfStats;
    five.meter_id = 5;
    five.bands = {{MeterBandType::Drop, 1024, 128, 0}};
    CHECK(value_of(decode_meter_mod(ovs)) == five);
    CHECK_BYTES(encode_meter_mod(kOfp13, five, 2), ovs);
    // A delete's flags and bands are ignored, as OVS ignores them.
    CHECK(meter_mod("041d002000000001000200ff00000003ffffffffffffffff0000000000000000").bands.empty());
}

// ---- Errors ---------------------------------------------------------------------------

// Crafted group and meter mods with the error Open vSwitch's decoder gives
// for each ("ovs-ofctl ofp-print" of the message: ***decode error: X***, or
// the mod printed), nullopt for accepted ones. 'later' names where Open
// vSwitch refuses what its decoder accepts, for the rows where we refuse
// it already: "ofproto" (handle_group_mod / handle_meter_mod: reserved
// group and meter ids) or "datapath" (dpif_meter_set: meter flags).
TEST_CASE("group and meter mod errors are Open vSwitch's") {
    struct Case {
        const char* name;
        std::optional<OfpErr> err;
        const char* later;
        const char* msg;
    };
    const Case cases[] = {
        {"g11_ok_select_watch", std::nullopt, "",
         "040f00300000000100000100000000010020000300000001ffffffff0000000000000010000000010000000000000000"},
        {"g11_bad_type", OfpErr::OFPGMFC_BAD_TYPE, "", "040f0010000000010000050000000001"},
        {"g11_bad_command", OfpErr::OFPGMFC_BAD_COMMAND, "", "040f0010000000010004000000000001"},
        {"g11_bad_command_0x8001", OfpErr::OFPGMFC_BAD_COMMAND, "", "040f0010000000018001000000000001"},
        {"g11_indirect_none", OfpErr::OFPGMFC_INVALID_GROUP, "", "040f0010000000010000020000000001"},
        {"g11_indirect_two", OfpErr::OFPGMFC_INVALID_GROUP, "",
         "040f005000000001000002000000000100200000ffffffffffffffff0000000000000010000000010000000000000000"
         "00200000ffffffffffffffff0000000000000010000000020000000000000000"},
        {"g11_indirect_del_ok", std::nullopt, "", "020f0010000000010002020000000001"},
        {"g11_bucket_short", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "040f002000000001000000000000000100080000ffffffffffffffff00000000"},
        {"g11_bucket_long", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "040f003000000001000000000000000100280000ffffffffffffffff0000000000000010000000010000000000000000"},
        {"g11_leftover", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "040f003800000001000000000000000100200000ffffffffffffffff0000000000000010000000010000000000000000"
         "0000000000000000"},
        {"g11_weight_all", OfpErr::OFPGMFC_INVALID_GROUP, "",
         "040f003000000001000000000000000100200005ffffffffffffffff0000000000000010000000010000000000000000"},
        {"g11_watch_all", OfpErr::OFPGMFC_WATCH_UNSUPPORTED, "",
         "040f00300000000100000000000000010020000000000001ffffffff0000000000000010000000010000000000000000"},
        {"g11_watch_group_indirect", OfpErr::OFPGMFC_WATCH_UNSUPPORTED, "",
         "040f003000000001000002000000000100200000ffffffff000000030000000000000010000000010000000000000000"},
        {"g11_ff_no_watch", OfpErr::OFPGMFC_INVALID_GROUP, "",
         "040f003000000001000003000000000100200000ffffffffffffffff0000000000000010000000010000000000000000"},
        {"g11_ff_bad_watch", OfpErr::OFPGMFC_BAD_WATCH, "",
         "040f0030000000010000030000000001002000000000ff00ffffffff0000000000000010000000010000000000000000"},
        {"g11_ff_watch_local", std::nullopt, "",
         "040f003000000001000003000000000100200000fffffffeffffffff0000000000000010000000010000000000000000"},
        {"g13_delete_buckets", OfpErr::OFPGMFC_INVALID_GROUP, "",
         "040f003000000001000200000000000100200000ffffffffffffffff0000000000000010000000010000000000000000"},
        {"g11_delete_buckets_ok", std::nullopt, "",
         "020f003000000001000200000000000100200000ffffffffffffffff0000000000000010000000010000000000000000"},
        {"g11_bad_action", OfpErr::OFPBAC_BAD_TYPE, "",
         "040f002800000001000000000000000100180000ffffffffffffffff000000000063000800000000"},
        {"g11_action_len_odd", OfpErr::OFPBRC_BAD_LEN, "",
         "040f002800000001000000000000000100140000ffffffffffffffff000000000000000000000000"},
        {"g13_add_reserved_id", OfpErr::OFPGMFC_INVALID_GROUP, "ofproto", "040f00100000000100000000fffffffc"},
        {"g13_mod_reserved_id", std::nullopt, "", "040f00100000000100010000ffffffff"},
        {"g13_del_all", std::nullopt, "", "040f00100000000100020000fffffffc"},
        {"g13_add_or_mod", std::nullopt, "",
         "040f003000000001800000000000000700200000ffffffffffffffff0000000000000010000000010000000000000000"},
        {"g13_insert_bucket_cmd", std::nullopt, "", "040f0010000000010003000000000007"},
        {"g15_ok_select", std::nullopt, "",
         "060f005000000001000001000000000100380000ffffffff002000100000000000000010000000010000000000000000"
         "0000000800050000001800100000000100000010000000020000000000000000"},
        {"g15_add_cbid", OfpErr::OFPGMFC_BAD_BUCKET, "", "060f00180000000100000000000000010000000000000000"},
        {"g15_insert_all", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "060f003000000001000300000000000100180000ffffffff001800100000000000000010000000010000000000000000"},
        {"g15_insert_first", std::nullopt, "",
         "060f003000000001000301000000000100180000fffffffd001800100000000000000010000000010000000000000000"},
        {"g15_insert_after5", std::nullopt, "",
         "060f00300000000100030100000000010018000000000005001800100000000900000010000000010000000000000000"},
        {"g15_insert_weight_all", std::nullopt, "",
         "060f003800000001000300000000000100200000fffffffe002000100000000000000010000000010000000000000000"
         "0000000800050000"},
        {"g15_remove_all", std::nullopt, "", "060f001800000001000500000000000100000000ffffffff"},
        {"g15_remove_first", std::nullopt, "", "060f001800000001000500000000000100000000fffffffd"},
        {"g15_remove_buckets", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "060f003000000001000500000000000100180000ffffffff001800100000000000000010000000010000000000000000"},
        {"g15_remove_bad_cbid", OfpErr::OFPGMFC_BAD_BUCKET, "", "060f001800000001000500000000000100000000fffffff0"},
        {"g15_blen_long", OfpErr::OFPBRC_BAD_LEN, "",
         "060f003000000001000000000000000100400000ffffffff001800100000000000000010000000010000000000000000"},
        {"g15_dup_ids", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "060f004800000001000000000000000100300000ffffffff001800100000000300000010000000010000000000000000"
         "001800100000000300000010000000020000000000000000"},
        {"g15_big_id", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "060f003000000001000000000000000100180000ffffffff00180010ffffff0100000010000000010000000000000000"},
        {"g15_alen_long", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "060f003000000001000000000000000100180000ffffffff001800180000000000000010000000010000000000000000"},
        {"g15_bucket_short", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "060f002000000001000000000000000100080000ffffffff0004000000000000"},
        {"g15_bucket_long", OfpErr::OFPGMFC_BAD_BUCKET, "",
         "060f003000000001000000000000000100180000ffffffff002000100000000000000010000000010000000000000000"},
        {"g15_prop_unknown", OfpErr::OFPBPC_BAD_TYPE, "",
         "060f003800000001000000000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "0005000800000000"},
        {"g15_prop_exp", OfpErr::OFPBPC_BAD_EXP_TYPE, "",
         "060f004000000001000000000000000100280000ffffffff002800100000000000000010000000010000000000000000"
         "ffff000c000023200000000100000000"},
        {"g15_weight_short", OfpErr::OFPBPC_BAD_LEN, "",
         "060f003800000001000001000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "0000000505000000"},
        {"g15_weight_long", std::nullopt, "",
         "060f004000000001000001000000000100280000ffffffff002800100000000000000010000000010000000000000000"
         "0000000c000500000000000000000000"},
        {"g15_watch_len", OfpErr::OFPBPC_BAD_LEN, "",
         "060f004000000001000003000000000100280000ffffffff002800100000000000000010000000010000000000000000"
         "0001000c000000000000000000000000"},
        {"g15_watch_bad", OfpErr::OFPGMFC_BAD_WATCH, "",
         "060f003800000001000003000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "000100080000ff00"},
        {"g15_prop_len_bad", OfpErr::OFPBPC_BAD_LEN, "",
         "060f003800000001000000000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "0000000200000000"},
        {"g15_weight_all", OfpErr::OFPGMFC_INVALID_GROUP, "",
         "060f003800000001000000000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "0000000800020000"},
        {"g15_weight0_select", std::nullopt, "",
         "060f003800000001000001000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "0000000800000000"},
        {"g15_ff_watch_group", std::nullopt, "",
         "060f003800000001000003000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "0002000800000007"},
        {"g15_watch_all", OfpErr::OFPGMFC_WATCH_UNSUPPORTED, "",
         "060f003800000001000000000000000100200000ffffffff002000100000000000000010000000010000000000000000"
         "0001000800000001"},
        {"g15_sel_all", OfpErr::OFPBPC_BAD_VALUE, "",
         "060f005800000001000000000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000100000000686173680000000000000000000000000000000000000000"},
        {"g15_sel_badtype", OfpErr::OFPGMFC_BAD_TYPE, "",
         "060f005800000001000009000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000100000000686173680000000000000000000000000000000000000000"},
        {"g15_sel_foo", OfpErr::OFPBPC_BAD_VALUE, "",
         "060f005800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000100000000666f6f000000000000000000000000000000000000000000"},
        {"g15_sel_empty", OfpErr::OFPBPC_BAD_VALUE, "",
         "060f005800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000100000000000000000000000000000000000000000000000000000000"},
        {"g15_sel_noterm", OfpErr::OFPBPC_BAD_VALUE, "",
         "060f005800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000100000000686173686861736868617368686173680000000000000000"},
        {"g15_sel_dphash_fields", OfpErr::OFPBPC_BAD_VALUE, "",
         "060f006000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00300000154d000000010000000064705f68617368000000000000000000000000000000000080001804ffffffff"},
        {"g15_sel_delete", OfpErr::OFPBPC_BAD_VALUE, "",
         "060f004000000001000201000000000100000000ffffffffffff00280000154d00000001000000006861736800000000"
         "00000000000000000000000000000000"},
        {"g15_sel_insert", OfpErr::OFPBPC_BAD_VALUE, "",
         "060f005800000001000301000000000100180000fffffffe001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000100000000686173680000000000000000000000000000000000000000"},
        {"g15_sel_badcmd", OfpErr::OFPGMFC_BAD_COMMAND, "",
         "060f005800000001000901000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000100000000686173680000000000000000000000000000000000000000"},
        {"g15_sel_compat", std::nullopt, "",
         "060f005800000001800001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff002800001540000000010000000064705f686173680000000000000000000000000000000003"},
        {"g15_sel_short", OfpErr::OFPBPC_BAD_LEN, "",
         "060f005000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00200000154d000000010000000068617368000000000000000000000000"},
        {"g15_sel_exptype", OfpErr::OFPBPC_BAD_EXP_TYPE, "",
         "060f005800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00280000154d0000000200000000686173680000000000000000000000000000000000000000"},
        {"g15_gprop_std", OfpErr::OFPBPC_BAD_TYPE, "",
         "060f003800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "0001000800000000"},
        {"g15_gprop_exp0", OfpErr::OFPBPC_BAD_EXPERIMENTER, "",
         "060f004000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff000c000000000000000000000000"},
        {"g15_fields_masked", OfpErr::OFPBMC_BAD_MASK, "",
         "060f006800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00340000154d000000010000000068617368000000000000000000000000000000000000000080001908ffffffff"
         "ffffffff00000000"},
        {"g15_fields_wildcards", OfpErr::OFPBMC_BAD_WILDCARDS, "",
         "060f006800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00340000154d000000010000000068617368000000000000000000000000000000000000000080001908ffffffff"
         "0000000000000000"},
        {"g15_fields_unknown", OfpErr::OFPBMC_BAD_FIELD, "",
         "060f006000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00300000154d000000010000000068617368000000000000000000000000000000000000000080007e04ffffffff"},
        {"g15_fields_badlen", OfpErr::OFPBMC_BAD_FIELD, "",
         "060f006000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff002f0000154d000000010000000068617368000000000000000000000000000000000000000080001803ffffff00"},
        {"g15_fields_dup", OfpErr::OFPBMC_DUP_FIELD, "",
         "060f006800000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00380000154d000000010000000068617368000000000000000000000000000000000000000080001804ffffffff"
         "80001804ffffffff"},
        {"g15_fields_trunc", OfpErr::OFPBMC_BAD_LEN, "",
         "060f006000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff002e0000154d000000010000000068617368000000000000000000000000000000000000000080001804ffff0000"},
        {"g15_fields_badmask", OfpErr::OFPBMC_BAD_MASK, "",
         "060f006000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff002e0000154d000000010000000068617368000000000000000000000000000000000000000080000a02ff000000"},
        {"g15_fields_ok", std::nullopt, "",
         "060f007000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff003a0000154d000000010000000068617368000000000000000000000000000000000000000980001804ffff0000"
         "80000606ffffffffffff000000000000"},
        {"g15_fields_nxm_reg", std::nullopt, "",
         "060f006000000001000001000000000100180000ffffffff001800100000000000000010000000010000000000000000"
         "ffff00300000154d0000000100000000686173680000000000000000000000000000000000000000000100040000ffff"},
        {"g10_ok", std::nullopt, "",
         "0104004000000001000023200000001f000000000000000100200000ffffffff00100008000000000000000800010000"
         "00100008000000010000000800020000"},
        {"g10_bad_action", OfpErr::OFPBAC_BAD_LEN, "",
         "0104003800000001000023200000001f000000000000000100180000ffffffff00180010000000000000001000000001"
         "0000000000000000"},
        {"g15_group_all_3", std::nullopt, "",
         "060f006000000001000000000000000100480000ffffffff001800100000000000000010000000010000000000000000"
         "001800100000000100000010000000020000000000000000001800100000000200000010000000030000000000000000"},
        {"m_ok", std::nullopt, "", "041d002000000001000000050000000500010010000004000000008000000000"},
        {"m_dscp_prec", std::nullopt, "",
         "041d0030000000010001000100000005000200100000000a000000000300000000010010000000140000000009000000"},
        {"m_bad_cmd", OfpErr::OFPMMFC_BAD_COMMAND, "", "041d0010000000010003000100000001"},
        {"m_bad_flags_both", OfpErr::OFPMMFC_BAD_FLAGS, "",
         "041d002000000001000000030000000100010010000000020000000200000000"},
        {"m_flags_none", OfpErr::OFPMMFC_BAD_FLAGS, "datapath",
         "041d002000000001000000000000000100010010000000020000000000000000"},
        {"m_flags_unknown", OfpErr::OFPMMFC_BAD_FLAGS, "datapath",
         "041d002000000001000000110000000100010010000000020000000000000000"},
        {"m_bad_band", OfpErr::OFPMMFC_BAD_BAND, "",
         "041d002000000001000000010000000100050010000000020000000000000000"},
        {"m_band_len", OfpErr::OFPBRC_BAD_LEN, "",
         "041d0028000000010000000100000001000100180000000200000000000000000000000000000000"},
        {"m_leftover", OfpErr::OFPBRC_BAD_LEN, "",
         "041d0028000000010000000100000001000100100000000200000000000000000000000000000000"},
        {"m_id0", OfpErr::OFPMMFC_INVALID_METER, "ofproto",
         "041d002000000001000000010000000000010010000000020000000000000000"},
        {"m_id_all", OfpErr::OFPMMFC_INVALID_METER, "ofproto",
         "041d00200000000100000001ffffffff00010010000000020000000000000000"},
        {"m_id_big", OfpErr::OFPMMFC_INVALID_METER, "ofproto",
         "041d00200000000100010001ffff000100010010000000020000000000000000"},
        {"m_id_slowpath", std::nullopt, "", "041d00200000000100000001fffffffd00010010000000020000000000000000"},
        {"m_id_max", std::nullopt, "", "041d00200000000100000001ffff000000010010000000020000000000000000"},
        {"m_delete_junk", std::nullopt, "", "041d0018000000010002ffffffffffffffffffffffffffff"},
        {"m_delete_id0", std::nullopt, "", "041d0010000000010002000000000000"},
        {"m_no_bands", std::nullopt, "", "041d0010000000010000000100000001"},
        {"m_bad_flags_both_bad_band", OfpErr::OFPMMFC_BAD_FLAGS, "",
         "041d002000000001000000030000000100070010000000020000000000000000"},
        {"m_bad_band_id0", OfpErr::OFPMMFC_BAD_BAND, "",
         "041d002000000001000000010000000000070010000000020000000000000000"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Bytes msg = hex(c.msg);
        std::optional<OfpErr> got;
        std::string detail;
        if (msg[1] == 29) {
            auto res = decode_meter_mod(msg);
            if (auto* e = std::get_if<OfpError>(&res)) got = e->err, detail = e->detail;
        } else {
            auto res = decode_group_mod(msg);
            if (auto* e = std::get_if<OfpError>(&res)) got = e->err, detail = e->detail;
        }
        CAPTURE(detail);
        CHECK(got == c.err);
        if (got) CHECK(!detail.empty());
    }
}

TEST_CASE("group mod errors: framing and message kind") {
    // Shorter than ofp11_group_mod, or not a multiple of 8 beyond it.
    CHECK(error_of(decode_group_mod(hex("040f000c00000001 00000000"))) == OfpErr::OFPBRC_BAD_LEN);
    CHECK(error_of(decode_group_mod(hex("040f001400000001 0000000000000001 00000000"))) == OfpErr::OFPBRC_BAD_LEN);
    // The header claims more than there is.
    CHECK(error_of(decode_group_mod(hex("040f001800000001 0000000000000001"))) == OfpErr::OFPBRC_BAD_LEN);
    // NXT_GROUP_MOD exists only in 1.0; 15 is OFPT_PORT_MOD there.
    CHECK(error_of(decode_group_mod(hex("020400200000000100002320 0000001f 0000000000000001 00000000ffffffff"))) ==
          OfpErr::OFPBRC_BAD_SUBTYPE);
    CHECK(error_of(decode_group_mod(hex("010f0010000000010000000000000001"))) == OfpErr::OFPBRC_BAD_LEN);
    // Not a group mod at all.
    CHECK(error_of(decode_group_mod(hex("041d0010000000010000000100000001"))) == OfpErr::OFPBRC_BAD_TYPE);
    CHECK(error_of(decode_meter_mod(hex("040f0010000000010000000000000001"))) == OfpErr::OFPBRC_BAD_TYPE);
    // Meter mods came with 1.3 (type 29 is unknown before).
    CHECK(error_of(decode_meter_mod(hex("031d0010000000010000000100000001"))) == OfpErr::OFPBRC_BAD_TYPE);
}

TEST_CASE("selection method fields: an experimenter OXM, and what the decoder keeps") {
    // fields=tcp_flags=0xfff as ONFOXM_ET_TCP_FLAGS (experimenter 0x4f4e4600);
    // ovs-ofctl ofp-print: ADD group_id=1,type=select,selection_method=hash,
    // fields=tcp_flags=fin|syn|rst|psh|ack|urg|ece|cwr|ns|[200]|[400]|[800],...
    OfpGroupMod gm = group_mod(
        "060f006800000001000001000000000100180000ffffffff0018001000000000"
        "00000010000000010000000000000000ffff00320000154d0000000100000000"
        "686173680000000000000000000000000000000000000000ffff54064f4e4600"
        "0fff000000000000");
    MfValue mask;
    mask.b[14] = 0x0f, mask.b[15] = 0xff;
    REQUIRE(gm.selection_method_fields.size() == 1);
    CHECK(gm.selection_method_fields[0].first == field("tcp_flags"));
    CHECK(gm.selection_method_fields[0].second == mask);
    CHECK(gm.buckets[0].weight == 1);
}

// ---- Requests --------------------------------------------------------------------------

TEST_CASE("group and meter requests: the id asked about") {
    // ofp-print.at: NXST_GROUP request group_id=ANY, OFPST_GROUP request (OF1.1)
    // group_id=ANY, NXST_GROUP_DESC request group_id=1, OFPST_GROUP_DESC
    // request (OF1.1) group_id=ALL, OFPST_GROUP_DESC request (OF1.5) group_id=1.
    CHECK(value_of(decode_group_request(hex("01 10 00 20 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 07 00 00 00 00"
                                            "ff ff ff ff 00 00 00 00"))) == kOfpgAny);
    CHECK(value_of(decode_group_request(hex("02 12 00 18 00 00 00 02 00 06 00 00 00 00 00 00"
                                            "ff ff ff ff 00 00 00 00"))) == kOfpgAny);
    CHECK(value_of(decode_group_request(hex("01 10 00 20 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 08 00 00 00 00"
                                            "00 00 00 01 00 00 00 00"))) == 1);
    CHECK(value_of(decode_group_request(hex("02 12 00 10 00 00 00 02 00 07 00 00 00 00 00 00"))) == kOfpgAll);
    CHECK(value_of(decode_group_request(hex("06 12 00 18 00 00 00 02 00 07 00 00 00 00 00 00"
                                            "00 00 00 01 00 00 00 00"))) == 1);
    // What ovs-ofctl sends for dump-groups / dump-group-stats [group_id=9].
    CHECK(value_of(decode_group_request(hex("0110002000000002ffff0000000023200000000800000000fffffffc00000000"))) ==
          kOfpgAll);
    CHECK(value_of(decode_group_request(hex("0110002000000002ffff00000000232000000007000000000000000900000000"))) == 9);
    CHECK(value_of(decode_group_request(hex("04120010000000020007000000000000"))) == kOfpgAll);
    CHECK(value_of(decode_group_request(hex("04120018000000020006000000000000fffffffc00000000"))) == kOfpgAll);
    CHECK(value_of(decode_group_request(hex("061200180000000200070000000000000000000900000000"))) == 9);
    CHECK(value_of(decode_group_request(hex("061200180000000200060000000000000000000900000000"))) == 9);

    // ofp-print.at: OFPST_METER request meter=1, OFPST_METER_CONFIG request
    // meter=1; ovs-ofctl's dump-meters and meter-stats for all meters.
    CHECK(value_of(decode_meter_request(hex("041200180000000200090000000000000000000100000000"))) == 1);
    CHECK(value_of(decode_meter_request(hex("0412001800000002000a0000000000000000000100000000"))) == 1);
    CHECK(value_of(decode_meter_request(hex("0412001800000002000a000000000000ffffffff00000000"))) == kOfpmAll);
    CHECK(value_of(decode_meter_request(hex("061200180000000200090000000000000000000300000000"))) == 3);

    // Not such requests, or malformed.
    CHECK(error_of(decode_group_request(hex("0412001000000002000b000000000000"))) == OfpErr::OFPBRC_BAD_TYPE);
    CHECK(error_of(decode_meter_request(hex("04120018000000020006000000000000fffffffc00000000"))) ==
          OfpErr::OFPBRC_BAD_TYPE);
    CHECK(error_of(decode_meter_request(hex("0412001000000002000a000000000000"))) == OfpErr::OFPBRC_BAD_LEN);
    CHECK(error_of(decode_group_request(hex("02120018000000020007000000000000ffffffff00000000"))) ==
          OfpErr::OFPBRC_BAD_LEN);  // 1.1-1.4 desc requests have no body
    CHECK(error_of(decode_meter_request(hex("031200180000000200090000000000000000000100000000"))) ==
          OfpErr::OFPBRC_BAD_STAT);  // no meters in 1.2
}

// ---- Replies ----------------------------------------------------------------------------

namespace {

// The two groups of ofp-print.at's group stats replies.
std::vector<OfpGroupStats> ovs_group_stats() {
    std::vector<OfpGroupStats> gs(2);
    gs[0].group_id = 0x87654321;
    gs[0].ref_count = 4;
    gs[0].packet_count = 0x8888;
    gs[0].byte_count = 0x777777;
    gs[0].duration_sec = 0x12;
    gs[0].duration_nsec = 0x1dcd6500;
    gs[0].bucket_stats = {{0x1111, 0x222222}, {0x1111, 0x222222}, {0x6666, 0x333333}};
    gs[1].group_id = 5;
    gs[1].ref_count = 2;
    gs[1].packet_count = 0x8888;
    gs[1].byte_count = 0x777777;
    gs[1].duration_sec = 0x10;
    gs[1].duration_nsec = 0x1dcd6500;
    gs[1].bucket_stats = {{0x1111, 0x222222}, {0x1111, 0x222222}};
    return gs;
}

Bytes only(const std::vector<Bytes>& msgs) {
    REQUIRE(msgs.size() == 1);
    return msgs[0];
}

}  // namespace

TEST_CASE("group stats replies: ofp-print.at's bytes") {
    auto gs = ovs_group_stats();
    // NXST_GROUP reply (xid=0x4):
    //  group_id=2271560481,duration=18.500s,ref_count=4,packet_count=34952,byte_count=7829367,
    //  bucket0:packet_count=4369,byte_count=2236962,...
    CHECK_BYTES(
        only(encode_group_stats_reply(hex("01 10 00 20 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 07 00 00 00 00"
                                          "ff ff ff ff 00 00 00 00"),
                                      gs)),
        hex("01 11 00 b8 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 07 00 00 00 00"
            "00 58 00 00 87 65 43 21 00 00 00 04 00 00 00 00"
            "00 00 00 00 00 00 88 88 00 00 00 00 00 77 77 77"
            "00 00 00 12 1d cd 65 00"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
            "00 00 00 00 00 00 66 66 00 00 00 00 00 33 33 33"
            "00 48 00 00 00 00 00 05 00 00 00 02 00 00 00 00"
            "00 00 00 00 00 00 88 88 00 00 00 00 00 77 77 77"
            "00 00 00 10 1d cd 65 00"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"));
    // OFPST_GROUP reply (OF1.1): no duration.
    CHECK_BYTES(only(encode_group_stats_reply(hex("02 12 00 18 00 00 00 02 00 06 00 00 00 00 00 00"
                                                  "ff ff ff ff 00 00 00 00"),
                                              gs)),
                hex("02 13 00 a0 00 00 00 02 00 06 00 00 00 00 00 00"
                    "00 50 00 00 87 65 43 21 00 00 00 04 00 00 00 00"
                    "00 00 00 00 00 00 88 88 00 00 00 00 00 77 77 77"
                    "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
                    "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
                    "00 00 00 00 00 00 66 66 00 00 00 00 00 33 33 33"
                    "00 40 00 00 00 00 00 05 00 00 00 02 00 00 00 00"
                    "00 00 00 00 00 00 88 88 00 00 00 00 00 77 77 77"
                    "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
                    "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"));
    Bytes reply13 =
        hex("04 13 00 b0 00 00 00 02 00 06 00 00 00 00 00 00"
            "00 58 00 00 87 65 43 21 00 00 00 04 00 00 00 00"
            "00 00 00 00 00 00 88 88 00 00 00 00 00 77 77 77"
            "00 00 00 12 1d cd 65 00"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
            "00 00 00 00 00 00 66 66 00 00 00 00 00 33 33 33"
            "00 48 00 00 00 00 00 05 00 00 00 02 00 00 00 00"
            "00 00 00 00 00 00 88 88 00 00 00 00 00 77 77 77"
            "00 00 00 10 1d cd 65 00"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22"
            "00 00 00 00 00 00 11 11 00 00 00 00 00 22 22 22");
    CHECK_BYTES(only(encode_group_stats_reply(hex("04120018000000020006000000000000ffffffff00000000"), gs)), reply13);
    // 1.2 has 1.1's layout, 1.4 and 1.5 1.3's.
    CHECK(only(encode_group_stats_reply(hex("03120018000000020006000000000000ffffffff00000000"), gs)).size() == 0xa0);
    for (const char* req :
         {"05120018000000020006000000000000ffffffff00000000", "06120018000000020006000000000000ffffffff00000000"}) {
        Bytes r = only(encode_group_stats_reply(hex(req), gs));
        Bytes expect = reply13;
        expect[0] = r[0];
        CHECK_BYTES(r, expect);
    }
    // No groups: an empty reply.
    CHECK_BYTES(only(encode_group_stats_reply(hex("04120018000000090006000000000000fffffffc00000000"), {})),
                hex("04130010000000090006000000000000"));
}

TEST_CASE("group desc replies") {
    OfpGroupMod sel = ovs_select_group(8192);
    SUBCASE("OFPST_GROUP_DESC reply - OF1.1 (ofp-print.at)") {
        // group_id=8192,type=select,bucket=weight:100,watch_port:1,actions=output:1,...
        CHECK_BYTES(
            only(encode_group_desc_reply(hex("02 12 00 10 00 00 00 02 00 07 00 00 00 00 00 00"), {desc_of(sel)})),
            hex("02 13 00 78 00 00 00 02 00 07 00 00 00 00 00 00"
                "00 68 01 00 00 00 20 00"
                "00 20 00 64 00 00 00 01 ff ff ff ff 00 00 00 00"
                "00 00 00 10 00 00 00 01 00 00 00 00 00 00 00 00"
                "00 20 00 c8 00 00 00 02 ff ff ff ff 00 00 00 00"
                "00 00 00 10 00 00 00 02 00 00 00 00 00 00 00 00"
                "00 20 00 c8 00 00 00 03 ff ff ff ff 00 00 00 00"
                "00 00 00 10 00 00 00 03 00 00 00 00 00 00 00 00"));
    }
    sel.selection_method = "hash";
    sel.selection_method_fields = hash_fields();
    SUBCASE("OFPST_GROUP_DESC reply - OF1.5 (ofp-print.at, Netronome's id as OVS writes it now)") {
        // The fields in the order of that reply: ip_dst, tcp_src, nw_proto.
        std::swap(sel.selection_method_fields[1], sel.selection_method_fields[2]);
        // group_id=8192,type=select,selection_method=hash,fields(ip_dst=255.255.255.0,nw_proto,tcp_src),
        // bucket=bucket_id:0,weight:100,watch_port:1,actions=output:1,...
        CHECK_BYTES(only(encode_group_desc_reply(hex("06 12 00 18 00 00 00 02 00 07 00 00 00 00 00 00"
                                                     "ff ff ff fc 00 00 00 00"),
                                                 {desc_of(sel)})),
                    hex("06 13 00 d8 00 00 00 02 00 07 00 00 00 00 00 00"
                        "00 c8 01 00 00 00 20 00 00 78 00 00 00 00 00 00"
                        "00 28 00 10 00 00 00 00 00 00 00 10 00 00 00 01"
                        "00 00 00 00 00 00 00 00 00 00 00 08 00 64 00 00"
                        "00 01 00 08 00 00 00 01"
                        "00 28 00 10 00 00 00 01 00 00 00 10 00 00 00 02"
                        "00 00 00 00 00 00 00 00 00 00 00 08 00 c8 00 00"
                        "00 01 00 08 00 00 00 02"
                        "00 28 00 10 00 00 00 02 00 00 00 10 00 00 00 03"
                        "00 00 00 00 00 00 00 00 00 00 00 08 00 c8 00 00"
                        "00 01 00 08 00 00 00 03"
                        "ff ff 00 3b 00 00 15 4d 00 00 00 01 00 00 00 00"
                        "68 61 73 68 00 00 00 00 00 00 00 00 00 00 00 00"
                        "00 00 00 00 00 00 00 00"
                        "80 00 18 04 ff ff ff 00 80 00 1a 02 ff ff 80 00"
                        "14 01 ff 00 00 00 00 00"));
    }
    SUBCASE("NXST_GROUP_DESC reply: 1.5's layout, NXM headers as ovs-ofctl -O OpenFlow10 writes them") {
        // The reply of ofp-print.at's NXST_GROUP_DESC test with OVS's
        // current Netronome id and the fields' NXM headers:
        // group_id=8192,type=select,selection_method=hash,fields(ip_dst=255.255.255.0,nw_proto,tcp_src),...
        CHECK_BYTES(only(encode_group_desc_reply(hex("01 10 00 20 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 08"
                                                     "00 00 00 00 00 00 00 01 00 00 00 00"),
                                                 {desc_of(sel)})),
                    hex("01 11 00 c8 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 08 00 00 00 00"
                        "00 b0 01 00 00 00 20 00 00 60 00 00 00 00 00 00"
                        "00 20 00 08 00 00 00 00 00 00 00 08 00 01 00 00"
                        "00 00 00 08 00 64 00 00"
                        "00 01 00 08 00 00 00 01"
                        "00 20 00 08 00 00 00 01 00 00 00 08 00 02 00 00"
                        "00 00 00 08 00 c8 00 00"
                        "00 01 00 08 00 00 00 02"
                        "00 20 00 08 00 00 00 02 00 00 00 08 00 03 00 00"
                        "00 00 00 08 00 c8 00 00"
                        "00 01 00 08 00 00 00 03"
                        "ff ff 00 3b 00 00 15 4d 00 00 00 01 00 00 00 00"
                        "68 61 73 68 00 00 00 00 00 00 00 00 00 00 00 00"
                        "00 00 00 00 00 00 00 00"
                        "00 00 10 04 ff ff ff 00 00 00 0c 01 ff 00 00 12"
                        "02 ff ff 00 00 00 00 00"));
    }
    SUBCASE("two groups per message; a fast failover group's watches") {
        // OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):
        //  group_id=8192,type=select,bucket=weight:100,watch_port:1,actions=output:1,...
        //  group_id=4,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_group:1,
        //  actions=output:2,bucket=watch_port:LOCAL,actions=IN_PORT
        Bytes r =
            only(encode_group_desc_reply(hex("04120010000000020007000000000000"), {desc_of(sel), desc_of(ff_group())}));
        CHECK_BYTES(r, hex("041300e000000002000700000000000000680100000020000020006400000001"
                           "ffffffff0000000000000010000000010000000000000000002000c800000002"
                           "ffffffff0000000000000010000000020000000000000000002000c800000003"
                           "ffffffff00000000000000100000000300000000000000000068030000000004"
                           "0020000000000001ffffffff0000000000000010000000010000000000000000"
                           "00200000ffffffff000000010000000000000010000000020000000000000000"
                           "00200000fffffffeffffffff0000000000000010fffffff80000000000000000"));
    }
}

TEST_CASE("multipart replies are split under 64 KiB, 'more' on all but the last") {
    std::vector<OfpGroupStats> many(2000);
    for (size_t i = 0; i < many.size(); i++) {
        many[i].group_id = uint32_t(i);
        many[i].bucket_stats = {{1, 2}, {3, 4}};
    }
    auto msgs = encode_group_stats_reply(hex("04120018000000050006000000000000fffffffc00000000"), many);
    REQUIRE(msgs.size() == 3);  // 2000 entries of 72 bytes
    size_t entries = 0;
    for (size_t i = 0; i < msgs.size(); i++) {
        OfpHeader h = ofp_header(msgs[i]);
        CHECK(h.length == msgs[i].size());
        CHECK(h.xid == 5);
        CHECK(msgs[i][11] == (i + 1 < msgs.size() ? 1 : 0));
        entries += (msgs[i].size() - 16) / 72;
    }
    CHECK(entries == many.size());
}

TEST_CASE("group features replies: action bitmaps in each version's numbering") {
    OfpGroupFeatures f;
    f.types = 0xf;
    f.capabilities = 0xf;
    f.max_groups[0] = 1, f.max_groups[1] = 2, f.max_groups[2] = 3, f.max_groups[3] = 4;
    // OFPAT11_*: output 0, set_vlan_vid 1, set_vlan_pcp 2, set_dl_src 3,
    // pop_vlan 18.
    f.actions[0] = 1;
    f.actions[1] = 0x7;
    f.actions[2] = 0x7 | 1u << 18;
    f.actions[3] = 0xf | 1u << 18;
    // ofp-print.at's NXST_GROUP_FEATURES reply: actions: output / output
    // set_vlan_vid set_vlan_pcp / ... strip_vlan / ... strip_vlan mod_dl_src.
    CHECK_BYTES(
        encode_group_features_reply(hex("01 10 00 18 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 09 00 00 00 00"), f),
        hex("01 11 00 40 00 00 00 04 ff ff 00 00 00 00 23 20 00 00 00 09 00 00 00 00"
            "00 00 00 0f 00 00 00 0f"
            "00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04"
            "00 00 00 01 00 00 00 07 00 00 00 0f 00 00 00 1f"));
    // ofp-print.at's OFPST_GROUP_FEATURES reply (OF1.2): output / output
    // push_vlan / output strip_vlan push_vlan / ... push_mpls: these bits
    // are the same in 1.1 and 1.2.
    f.actions[1] = 0x00020001, f.actions[2] = 0x00060001, f.actions[3] = 0x000e0001;
    CHECK_BYTES(encode_group_features_reply(hex("03 12 00 10 00 00 00 02 00 08 00 00 00 00 00 00"), f),
                hex("03 13 00 38 00 00 00 02 00 08 00 00 00 00 00 00"
                    "00 00 00 0f 00 00 00 0f"
                    "00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04"
                    "00 00 00 01 00 02 00 01 00 06 00 01 00 0e 00 01"));

    // Every action Open vSwitch has a 1.1 number for (0-10, 13-24), as
    // Open vSwitch reports them: 1.2+ (ovs-ofctl: "output group set_field
    // strip_vlan push_vlan mod_nw_ttl dec_ttl set_mpls_ttl dec_mpls_ttl
    // push_mpls pop_mpls set_queue", ofp-print.at's table features), 1.1
    // unchanged, 1.0's twelve actions (set_queue as enqueue).
    uint32_t all11 = 0x7ff | 0xfffu << 13;
    for (auto& a : f.actions) a = all11;
    auto actions_of = [](const Bytes& reply, size_t hdr) {
        return (uint32_t(reply[hdr + 24]) << 24) | (uint32_t(reply[hdr + 25]) << 16) |
               (uint32_t(reply[hdr + 26]) << 8) | reply[hdr + 27];
    };
    CHECK(actions_of(encode_group_features_reply(hex("04120010000000020008000000000000"), f), 16) == 0x03ff8001);
    CHECK(actions_of(encode_group_features_reply(hex("06120010000000020008000000000000"), f), 16) == 0x03ff8001);
    // NXST_GROUP_FEATURES in 1.1 (vendor multipart: 24-byte header).
    Bytes r11 = encode_group_features_reply(hex("0212001800000002ffff0000000000000000232000000009"), f);
    CHECK(r11.size() == 64);
    CHECK(actions_of(r11, 24) == all11);
    CHECK(actions_of(encode_group_features_reply(hex("0110001800000002ffff0000000023200000000900000000"), f), 24) ==
          0xfff);

    CHECK(encode_group_features_reply(hex("04120010000000020007000000000000"), f).empty());
}

TEST_CASE("meter replies: ofp-print.at's bytes") {
    // OFPST_METER_FEATURES reply (OF1.3): max_meter:65536 max_bands:16
    // max_color:2, band_types: drop dscp_remark, capabilities: kbps pktps burst stats
    OfpMeterFeatures mf{65536, 6, 0xf, 16, 2};
    CHECK_BYTES(encode_meter_features_reply(hex("0412001000000002000b000000000000"), mf),
                hex("04 13 00 20 00 00 00 02 00 0b 00 00 00 00 00 00"
                    "00 01 00 00 00 00 00 06 00 00 00 0F 10 02 00 00"));

    // OFPST_METER_CONFIG reply (OF1.3):
    // meter=1 kbps burst bands=
    // type=drop rate=65536 burst_size=1280
    // type=dscp_remark rate=1048576 burst_size=61440 prec_level=0
    //
    // meter=2 kbps stats bands=
    // type=drop rate=131072
    OfpMeterMod m1, m2;
    m1.flags = kOfpmfKbps | kOfpmfBurst;
    m1.meter_id = 1;
    m1.bands = {{MeterBandType::Drop, 0x10000, 0x500, 0}, {MeterBandType::DscpRemark, 0x100000, 0xf000, 0}};
    m2.flags = kOfpmfKbps | kOfpmfStats;
    m2.meter_id = 2;
    m2.bands = {{MeterBandType::Drop, 0x20000, 0, 0}};
    CHECK_BYTES(only(encode_meter_config_reply(hex("0412001800000002000a000000000000ffffffff00000000"), {m1, m2})),
                hex("04 13 00 50 00 00 00 02 00 0a 00 00 00 00 00 00"
                    "00 28 00 05 00 00 00 01"
                    "00 01 00 10 00 01 00 00 00 00 05 00 00 00 00 00"
                    "00 02 00 10 00 10 00 00 00 00 f0 00 00 00 00 00"
                    "00 18 00 09 00 00 00 02"
                    "00 01 00 10 00 02 00 00 00 00 00 00 00 00 00 00"));

    // OFPST_METER reply (OF1.3):
    // meter:1 flow_count:5 packet_in_count:4096 byte_in_count:143360 duration:394.174990148s bands:
    // 0: packet_count:126 byte_count:13363
    // 1: packet_count:231 byte_count:37934
    //
    // meter:2 flow_count:2 packet_in_count:512 byte_in_count:12288 duration:391.170094148s bands:
    // 0: packet_count:42 byte_count:1075
    std::vector<OfpMeterStats> ms(2);
    ms[0] = {1, 5, 4096, 143360, 394, 174990148, {{126, 13363}, {231, 37934}}};
    ms[1] = {2, 2, 512, 12288, 391, 170094148, {{42, 1075}}};
    CHECK_BYTES(only(encode_meter_stats_reply(hex("04120018000000020009000000000000ffffffff00000000"), ms)),
                hex("04 13 00 90 00 00 00 02 00 09 00 00 00 00 00 00"
                    "00 00 00 01 00 48 00 00 00 00 00 00 00 00 00 05"
                    "00 00 00 00 00 00 10 00 00 00 00 00 00 02 30 00"
                    "00 00 01 8a 0a 6e 23 44"
                    "00 00 00 00 00 00 00 7e 00 00 00 00 00 00 34 33"
                    "00 00 00 00 00 00 00 e7 00 00 00 00 00 00 94 2e"
                    "00 00 00 02 00 38 00 00 00 00 00 00 00 00 00 02"
                    "00 00 00 00 00 00 02 00 00 00 00 00 00 00 30 00"
                    "00 00 01 87 0a 23 6e 44"
                    "00 00 00 00 00 00 00 2a 00 00 00 00 00 00 04 33"));

    // OFPST_METER_CONFIG reply (OF1.5) (xid=0x2):
    // meter=1 kbps burst stats bands=
    // type=drop rate=1000 burst_size=100
    // type=dscp_remark rate=2000 burst_size=50 prec_level=2
    //
    // meter=controller pktps bands=
    // type=drop rate=10
    OfpMeterMod m3 =
        meter_mod("041d0030000000020000000d0000000100010010000003e8000000640000000000020010000007d00000003202000000");
    OfpMeterMod m4 = meter_mod("041d00200000000200010002fffffffe000100100000000a0000000000000000");
    CHECK_BYTES(only(encode_meter_config_reply(hex("0612001800000002000a0000000000000000000100000000"), {m3, m4})),
                hex("0613005000000002000a0000000000000028000d0000000100010010000003e8"
                    "000000640000000000020010000007d0000000320200000000180002fffffffe"
                    "000100100000000a0000000000000000"));
}

TEST_CASE("reply encoders give nothing for other messages") {
    Bytes meter_stats = hex("04120018000000020009000000000000ffffffff00000000");
    Bytes group_stats = hex("04120018000000020006000000000000fffffffc00000000");
    CHECK(encode_group_stats_reply(meter_stats, ovs_group_stats()).empty());
    CHECK(encode_group_desc_reply(group_stats, {}).empty());
    CHECK(encode_group_features_reply(group_stats, {}).empty());
    CHECK(encode_meter_stats_reply(group_stats, {}).empty());
    CHECK(encode_meter_config_reply(meter_stats, {}).empty());
    CHECK(encode_meter_features_reply(meter_stats, {}).empty());
    CHECK(encode_group_stats_reply(hex("0412"), {}).empty());
}
