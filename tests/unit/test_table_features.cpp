// Table features and table desc replies (ofproto/table_features.h): the
// replies taken apart again (message framing, the "more" flag, every table
// present with the eight properties OpenFlow 1.3 requires, as ovs-ofctl
// insists), plus exact bytes of the small properties.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ofproto/table_features.h"

using namespace xvs::ofproto;

namespace {

uint16_t get16(std::span<const uint8_t> b, size_t ofs) {
    return uint16_t(b[ofs] << 8 | b[ofs + 1]);
}
uint32_t get32(std::span<const uint8_t> b, size_t ofs) {
    return uint32_t(get16(b, ofs)) << 16 | get16(b, ofs + 2);
}
uint64_t get64(std::span<const uint8_t> b, size_t ofs) {
    return uint64_t(get32(b, ofs)) << 32 | get32(b, ofs + 4);
}

constexpr uint16_t kMpTableFeatures = 12, kMpTableDesc = 14;
constexpr uint32_t kXid = 0x12345678;

// A 1.1+ multipart request of 'mp_type' with 'body'.
Bytes mp_request(uint8_t version, uint16_t mp_type, Bytes body = {}) {
    uint16_t len = static_cast<uint16_t>(16 + body.size());
    Bytes b(16 + body.size());
    b[0] = version;
    b[1] = 18;  // OFPT_MULTIPART_REQUEST
    b[2] = uint8_t(len >> 8), b[3] = uint8_t(len);
    b[4] = 0x12, b[5] = 0x34, b[6] = 0x56, b[7] = 0x78;  // kXid
    b[8] = uint8_t(mp_type >> 8), b[9] = uint8_t(mp_type);
    std::copy(body.begin(), body.end(), b.begin() + 16);
    return b;
}

// One table's entry, its properties by type (the value after the 4-byte
// property header, unpadded).
struct Table {
    uint8_t table_id = 0;
    uint64_t metadata_match = 0, metadata_write = 0;
    uint32_t config = 0, max_entries = 0;
    std::map<uint16_t, Bytes> props;
    std::span<const uint8_t> whole;
};

// Checks the framing of every message (version, reply type, xid, length,
// multipart type, "more" on all but the last) and returns the entries.
std::vector<Table> decode_features(const std::vector<Bytes>& msgs, uint8_t version) {
    std::vector<Table> tables;
    for (size_t m = 0; m < msgs.size(); m++) {
        std::span<const uint8_t> msg = msgs[m];
        REQUIRE(msg.size() >= 16);
        CHECK(msg[0] == version);
        CHECK(msg[1] == 19);  // OFPT_MULTIPART_REPLY
        CHECK(get16(msg, 2) == msg.size());
        CHECK(get32(msg, 4) == kXid);
        CHECK(get16(msg, 8) == kMpTableFeatures);
        CHECK(get16(msg, 10) == (m + 1 < msgs.size() ? 1 : 0));
        size_t ofs = 16;
        while (ofs < msg.size()) {
            REQUIRE(msg.size() - ofs >= 64);
            uint16_t len = get16(msg, ofs);
            REQUIRE(len >= 64);
            REQUIRE(len % 8 == 0);
            REQUIRE(ofs + len <= msg.size());
            Table t;
            t.whole = msg.subspan(ofs, len);
            t.table_id = msg[ofs + 2];
            CHECK(msg[ofs + 3] == 0);  // 1.5 command REPLACE / pad
            t.metadata_match = get64(msg, ofs + 40);
            t.metadata_write = get64(msg, ofs + 48);
            t.config = get32(msg, ofs + 56);
            t.max_entries = get32(msg, ofs + 60);
            for (size_t p = ofs + 64; p < ofs + len;) {
                REQUIRE(ofs + len - p >= 4);
                uint16_t type = get16(msg, p), plen = get16(msg, p + 2);
                REQUIRE(plen >= 4);
                size_t padded = (plen + 7u) / 8 * 8;
                REQUIRE(p + padded <= ofs + len);
                for (size_t i = p + plen; i < p + padded; i++) CHECK(msg[i] == 0);
                CHECK_MESSAGE(!t.props.count(type), "property " << type << " twice");
                t.props[type] = Bytes(msg.begin() + p + 4, msg.begin() + p + plen);
                p += padded;
            }
            tables.push_back(std::move(t));
            ofs += len;
        }
    }
    return tables;
}

// The 4-byte ids (instructions, actions) of a property value.
std::vector<uint16_t> ids(const Bytes& v) {
    REQUIRE(v.size() % 4 == 0);
    std::vector<uint16_t> out;
    for (size_t i = 0; i < v.size(); i += 4) {
        CHECK(get16(v, i + 2) == 4);
        out.push_back(get16(v, i));
    }
    return out;
}

// The NXM/OXM headers of a field list (experimenter ids folded in as the
// second half of a 64-bit key, 0 otherwise).
std::vector<uint64_t> headers(const Bytes& v) {
    std::vector<uint64_t> out;
    for (size_t i = 0; i < v.size();) {
        REQUIRE(v.size() - i >= 4);
        uint32_t h = get32(v, i);
        if (h >> 16 == 0xffff) {
            REQUIRE(v.size() - i >= 8);
            out.push_back(uint64_t(h) << 32 | get32(v, i + 4));
            i += 8;
        } else {
            out.push_back(uint64_t(h) << 32);
            i += 4;
        }
    }
    return out;
}
bool has_header(const Bytes& v, uint64_t h) {
    auto hs = headers(v);
    return std::find(hs.begin(), hs.end(), h) != hs.end();
}

}  // namespace

TEST_CASE("table features: every table, every required property, split with the more flag") {
    constexpr uint16_t kRequired[] = {0, 2, 4, 6, 8, 10, 12, 14};
    for (uint8_t version : {uint8_t(0x04), uint8_t(0x05), uint8_t(0x06)}) {
        for (unsigned n : {1u, 3u, 254u, 255u}) {
            CAPTURE(int(version));
            CAPTURE(n);
            auto msgs = encode_table_features_reply(mp_request(version, kMpTableFeatures), uint8_t(n));
            REQUIRE(!msgs.empty());
            for (const auto& m : msgs) CHECK(m.size() <= 65535);
            if (n >= 254) CHECK(msgs.size() > 1);  // ~1.5 KB a table does not fit one message
            auto tables = decode_features(msgs, version);
            REQUIRE(tables.size() == n);
            for (unsigned i = 0; i < n; i++) {
                const Table& t = tables[i];
                CAPTURE(i);
                CHECK(t.table_id == i);
                CHECK(t.metadata_match == UINT64_MAX);
                CHECK(t.metadata_write == UINT64_MAX);
                CHECK(t.config == 0);
                CHECK(t.max_entries == 1000000);
                for (uint16_t p : kRequired) CHECK_MESSAGE(t.props.count(p), "missing property " << p);
                REQUIRE(t.props.count(2));
                Bytes next;
                for (unsigned j = i + 1; j < n; j++) next.push_back(uint8_t(j));
                CHECK(t.props.at(2) == next);
                // goto_table only where there is a later table; never meter (6).
                auto insts = ids(t.props.at(0));
                CHECK((std::find(insts.begin(), insts.end(), 1) != insts.end()) == (i + 1 < n));
                CHECK(std::find(insts.begin(), insts.end(), 6) == insts.end());
                CHECK(t.props.at(1) == t.props.at(0));
                // Neither group (22) nor MPLS (19, 20) actions.
                for (uint16_t a : ids(t.props.at(4))) CHECK((a != 22 && a != 19 && a != 20));
                CHECK(t.props.at(4) == t.props.at(6));
                // Wildcards and set-field lists never use the has-mask form.
                for (uint16_t p : {10, 12, 14})
                    for (uint64_t h : headers(t.props.at(p))) CHECK_MESSAGE(!(h >> 32 & 0x100), "masked in " << p);
                CHECK(headers(t.props.at(8)).size() == headers(t.props.at(10)).size());
            }
        }
    }
}

TEST_CASE("table features: match and set-field headers per version") {
    for (uint8_t version : {uint8_t(0x04), uint8_t(0x06)}) {
        CAPTURE(int(version));
        auto msgs = encode_table_features_reply(mp_request(version, kMpTableFeatures), 1);
        auto tables = decode_features(msgs, version);
        REQUIRE(tables.size() == 1);
        const auto& p = tables[0].props;
        // eth_src is maskable: OXM_OF_ETH_SRC_W in MATCH, plain elsewhere.
        CHECK(has_header(p.at(8), uint64_t(0x8000090c) << 32));
        CHECK(has_header(p.at(10), uint64_t(0x80000806) << 32));
        CHECK(has_header(p.at(12), uint64_t(0x80000806) << 32));
        // eth_type is not maskable, and not settable.
        CHECK(has_header(p.at(8), uint64_t(0x80000a02) << 32));
        CHECK(!has_header(p.at(14), uint64_t(0x80000a02) << 32));
        // arp_op is writable in OpenFlow but the datapath cannot rewrite it.
        CHECK(!has_header(p.at(14), uint64_t(0x80002a02) << 32));
        // tun_id as OXM_OF_TUNNEL_ID(_W) from 1.3: matchable and settable.
        CHECK(has_header(p.at(8), uint64_t(0x80004d10) << 32));
        CHECK(has_header(p.at(12), uint64_t(0x80004c08) << 32));
        // reg0 as NXM_NX_REG0(_W) in every version.
        CHECK(has_header(p.at(8), uint64_t(0x00010108) << 32));
        CHECK(has_header(p.at(14), uint64_t(0x00010004) << 32));
        // tcp_flags: ONF's experimenter OXM in 1.3, the standard one in 1.5.
        if (version == 0x04)
            CHECK(has_header(p.at(8), uint64_t(0xffff5508) << 32 | 0x4f4e4600));
        else
            CHECK(has_header(p.at(8), uint64_t(0x80005504) << 32));
        // The text-only views (dl_vlan) have no header: no zero entries.
        CHECK(!has_header(p.at(8), 0));
    }
}

TEST_CASE("table features: exact bytes of the small properties") {
    auto msgs = encode_table_features_reply(mp_request(0x04, kMpTableFeatures), 3);
    REQUIRE(msgs.size() == 1);
    auto tables = decode_features(msgs, 0x04);
    REQUIRE(tables.size() == 3);
    auto w = tables[0].whole;
    // Fixed part: length, table 0, pad, empty name.
    CHECK(get16(w, 0) == w.size());
    CHECK(std::all_of(w.begin() + 2, w.begin() + 40, [](uint8_t b) { return b == 0; }));
    // INSTRUCTIONS: goto_table, write_metadata, write_actions, apply_actions, clear_actions.
    const Bytes inst = {0x00, 0x00, 0x00, 0x18, 0x00, 0x01, 0x00, 0x04, 0x00, 0x02, 0x00, 0x04,
                        0x00, 0x03, 0x00, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x05, 0x00, 0x04};
    CHECK(Bytes(w.begin() + 64, w.begin() + 64 + inst.size()) == inst);
    // INSTRUCTIONS_MISS, then NEXT_TABLES {1, 2} padded to 8.
    const Bytes next = {0x00, 0x02, 0x00, 0x06, 0x01, 0x02, 0x00, 0x00};
    CHECK(Bytes(w.begin() + 64 + 48, w.begin() + 64 + 56) == next);
    // WRITE_ACTIONS: output, push_vlan, pop_vlan, set_queue, set_nw_ttl, dec_nw_ttl, set_field.
    const Bytes acts = {0x00, 0x04, 0x00, 0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x11, 0x00, 0x04, 0x00, 0x12, 0x00, 0x04,
                        0x00, 0x15, 0x00, 0x04, 0x00, 0x17, 0x00, 0x04, 0x00, 0x18, 0x00, 0x04, 0x00, 0x19, 0x00, 0x04};
    CHECK(Bytes(w.begin() + 64 + 56, w.begin() + 64 + 56 + acts.size()) == acts);
    // The last table: four instructions (20 bytes, padded to 24) and an
    // empty NEXT_TABLES, padded from 4 to 8 bytes.
    auto last = tables[2].whole;
    const Bytes last_inst = {0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x04, 0x00, 0x03, 0x00, 0x04,
                             0x00, 0x04, 0x00, 0x04, 0x00, 0x05, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
    CHECK(Bytes(last.begin() + 64, last.begin() + 64 + 24) == last_inst);
    const Bytes empty_next = {0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
    CHECK(Bytes(last.begin() + 64 + 48, last.begin() + 64 + 56) == empty_next);
}

TEST_CASE("table features: a set request, and other messages") {
    auto set = mp_request(0x04, kMpTableFeatures, Bytes(64, 0));
    CHECK(table_features_request_is_set(set));
    CHECK(encode_table_features_reply(set, 3).empty());
    auto get = mp_request(0x04, kMpTableFeatures);
    CHECK(!table_features_request_is_set(get));
    // Not a table features request: table stats, or OpenFlow 1.2 (no such multipart).
    CHECK(encode_table_features_reply(mp_request(0x04, 3), 3).empty());
    CHECK(encode_table_features_reply(mp_request(0x03, kMpTableFeatures), 3).empty());
    CHECK(!table_features_request_is_set(mp_request(0x04, 3, Bytes(8, 0))));
    // A body that is not a whole number of 8-byte units is malformed, not a set.
    CHECK(!table_features_request_is_set(mp_request(0x04, kMpTableFeatures, Bytes(4, 0))));
}

TEST_CASE("table desc: one 8-byte entry per table, 1.4+ only") {
    CHECK(encode_table_desc_reply(mp_request(0x04, kMpTableDesc), 3).empty());
    for (uint8_t version : {uint8_t(0x05), uint8_t(0x06)}) {
        auto msgs = encode_table_desc_reply(mp_request(version, kMpTableDesc), 255);
        REQUIRE(msgs.size() == 1);
        const Bytes& m = msgs[0];
        CHECK(m[0] == version);
        CHECK(m[1] == 19);
        CHECK(get16(m, 2) == m.size());
        CHECK(get16(m, 8) == kMpTableDesc);
        CHECK(get16(m, 10) == 0);
        REQUIRE(m.size() == 16 + 255 * 8);
        for (unsigned i = 0; i < 255; i++) {
            const Bytes entry = {0x00, 0x08, uint8_t(i), 0, 0, 0, 0, 0};
            CHECK(Bytes(m.begin() + 16 + i * 8, m.begin() + 24 + i * 8) == entry);
        }
    }
}
