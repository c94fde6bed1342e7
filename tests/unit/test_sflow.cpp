// sFlow v5 encoding (sflow_version_5.txt's XDR structures) and collector
// targets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <doctest/doctest.h>

#include <cstring>
#include <map>

#include "ofproto/collectors.h"
#include "ofproto/ipfix.h"
#include "ofproto/netflow.h"
#include "ofproto/sflow.h"

using namespace xvs::ofproto;

namespace {

uint32_t word(const std::vector<uint8_t>& b, size_t at) {
    REQUIRE(at + 4 <= b.size());
    return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3];
}

// A non-blocking UDP socket on a free loopback port, as an exporter's target.
int open_collector(std::vector<std::string>* targets) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    *targets = {"127.0.0.1:" + std::to_string(ntohs(sa.sin_port))};
    return fd;
}

}  // namespace

TEST_CASE("a flow sample: header fields, the raw header record padded, the extended switch record") {
    std::vector<uint8_t> pkt(70);
    for (size_t i = 0; i < pkt.size(); i++) pkt[i] = uint8_t(i);
    SflowFlowSample s;
    s.input = 7;
    s.output = kSflowOutMultiple | 3;
    s.src_vlan = 10;
    s.src_pcp = 5;
    s.dst_vlan = 20;
    s.frame_len = 70;
    s.packet = pkt;
    auto b = sflow_encode_flow_sample(9, (2u << 24) | 1000, 64, 640, 66, s);
    CHECK(word(b, 0) == 1);             // flow sample
    CHECK(word(b, 4) == b.size() - 8);  // its length
    CHECK(word(b, 8) == 9);
    CHECK(word(b, 12) == ((2u << 24) | 1000));
    CHECK(word(b, 16) == 64);
    CHECK(word(b, 20) == 640);
    CHECK(word(b, 24) == 0);
    CHECK(word(b, 28) == 7);
    CHECK(word(b, 32) == (0x80000000u | 3));
    CHECK(word(b, 36) == 2);  // records
    // Raw packet header: 66 of the 70 bytes, padded to 68.
    CHECK(word(b, 40) == 1);
    CHECK(word(b, 44) == 16 + 68);
    CHECK(word(b, 48) == 1);       // Ethernet
    CHECK(word(b, 52) == 74);      // with the FCS
    CHECK(word(b, 56) == 4);       // stripped
    CHECK(word(b, 60) == 66);      // header length
    CHECK(std::memcmp(b.data() + 64, pkt.data(), 66) == 0);
    CHECK(b[64 + 66] == 0);
    CHECK(b[64 + 67] == 0);
    size_t sw = 64 + 68;
    CHECK(word(b, sw) == 1001);
    CHECK(word(b, sw + 4) == 16);
    CHECK(word(b, sw + 8) == 10);
    CHECK(word(b, sw + 12) == 5);
    CHECK(word(b, sw + 16) == 20);
    CHECK(word(b, sw + 20) == 0);
    CHECK(b.size() == sw + 24);
}

TEST_CASE("a counter sample and the datagram around it") {
    SflowPortCounters c;
    c.ifindex = 4;
    c.speed = 10000000000ull;
    c.admin_up = c.oper_up = true;
    c.in_octets = 0x100000002ull;
    c.in_packets = 0x100000005ull;  // 32-bit counters wrap
    auto s = sflow_encode_counter_sample(3, c);
    CHECK(word(s, 0) == 2);
    CHECK(word(s, 4) == s.size() - 8);
    CHECK(word(s, 8) == 3);
    CHECK(word(s, 12) == 4);  // data source: ifIndex 4
    CHECK(word(s, 16) == 1);  // one record
    CHECK(word(s, 20) == 1);  // generic interface counters
    CHECK(word(s, 24) == 88);
    CHECK(word(s, 28) == 4);
    CHECK(word(s, 32) == 6);
    CHECK(word(s, 36) == 2);  // speed, high word
    CHECK(word(s, 40) == 0x540be400);
    CHECK(word(s, 48) == 3);  // admin and oper up
    CHECK(word(s, 52) == 1);  // in octets, high word
    CHECK(word(s, 56) == 2);
    CHECK(word(s, 60) == 5);

    xvs::Ip6 agent{};
    agent[0] = 192, agent[1] = 168, agent[2] = 50, agent[3] = 1;
    auto d = sflow_encode_datagram(agent, false, 2, 17, 1234, {s, s});
    CHECK(word(d, 0) == 5);
    CHECK(word(d, 4) == 1);
    CHECK(word(d, 8) == 0xc0a83201);
    CHECK(word(d, 12) == 2);
    CHECK(word(d, 16) == 17);
    CHECK(word(d, 20) == 1234);
    CHECK(word(d, 24) == 2);
    CHECK(d.size() == 28 + 2 * s.size());
    auto d6 = sflow_encode_datagram(agent, true, 0, 1, 0, {});
    CHECK(word(d6, 4) == 2);
    CHECK(d6.size() == 4 + 4 + 16 + 16);
}

TEST_CASE("collector targets") {
    auto t = parse_collector_target("10.1.2.3:9999", kSflowDefaultPort, "sFlow");
    REQUIRE(t);
    CHECK(!t->v6);
    CHECK(t->port == 9999);
    CHECK(t->addr[0] == 10);
    CHECK(t->addr[3] == 3);
    t = parse_collector_target("10.1.2.3", kSflowDefaultPort, "sFlow");
    REQUIRE(t);
    CHECK(t->port == kSflowDefaultPort);
    t = parse_collector_target("[fe80::1]:6000", kSflowDefaultPort, "sFlow");
    REQUIRE(t);
    CHECK(t->v6);
    CHECK(t->port == 6000);
    CHECK(t->addr[0] == 0xfe);
    CHECK(t->addr[15] == 1);
    CHECK(parse_collector_target("2001:db8::5", kSflowDefaultPort, "sFlow")->v6);
    CHECK(!parse_collector_target("collector.example:6343", kSflowDefaultPort, "sFlow"));
    CHECK(!parse_collector_target("10.1.2.3:0", kSflowDefaultPort, "sFlow"));
    CHECK(!parse_collector_target("10.1.2.3:70000", kSflowDefaultPort, "sFlow"));
    CHECK(!parse_collector_target("[::1", kSflowDefaultPort, "sFlow"));
}

TEST_CASE("NetFlow v5: the header and a record") {
    NetflowRecord r;
    r.key.nw_src = htonl(0x0a000901);
    r.key.nw_dst = htonl(0x0a000902);
    r.key.tp_src = htons(4000);
    r.key.tp_dst = htons(5001);
    r.key.nw_proto = 17;
    r.key.nw_tos = 0xbb;  // DSCP 0x2e, ECN 3: only the DSCP goes out
    r.input = 1;
    r.output = 2;
    r.packets = 100;
    r.bytes = 14200;
    r.first_ms = 1000;
    r.last_ms = 2500;
    r.tcp_flags = 0x12;
    auto d = netflow_encode_v5(5000, 1700000000123456789ull, 42, 3, 7, {r, r});
    REQUIRE(d.size() == 24 + 2 * 48);
    auto u16 = [&](size_t at) { return uint16_t(d[at] << 8 | d[at + 1]); };
    CHECK(u16(0) == 5);
    CHECK(u16(2) == 2);
    CHECK(word(d, 4) == 5000);
    CHECK(word(d, 8) == 1700000000u);
    CHECK(word(d, 12) == 123456789u);
    CHECK(word(d, 16) == 42);
    CHECK(d[20] == 3);
    CHECK(d[21] == 7);
    CHECK(u16(22) == 0);
    size_t o = 24;
    CHECK(word(d, o) == 0x0a000901);
    CHECK(word(d, o + 4) == 0x0a000902);
    CHECK(word(d, o + 8) == 0);
    CHECK(u16(o + 12) == 1);
    CHECK(u16(o + 14) == 2);
    CHECK(word(d, o + 16) == 100);
    CHECK(word(d, o + 20) == 14200);
    CHECK(word(d, o + 24) == 1000);
    CHECK(word(d, o + 28) == 2500);
    CHECK(u16(o + 32) == 4000);
    CHECK(u16(o + 34) == 5001);
    CHECK(d[o + 37] == 0x12);
    CHECK(d[o + 38] == 17);
    CHECK(d[o + 39] == 0xb8);
    // ICMP: type and code in the destination port.
    r.key.nw_proto = 1;
    r.key.tp_src = htons(3);
    r.key.tp_dst = htons(1);
    d = netflow_encode_v5(0, 0, 0, 0, 0, {r});
    CHECK(u16(24 + 32) == 0);
    CHECK(u16(24 + 34) == 0x0301);
}

TEST_CASE("IPFIX: templates, records as long as their templates say, the message header") {
    auto t = ipfix_encode_templates();
    auto u16 = [&](const std::vector<uint8_t>& b, size_t at) { return uint16_t(b[at] << 8 | b[at + 1]); };
    CHECK(u16(t, 0) == 2);         // template set
    CHECK(u16(t, 2) == t.size());  // its length
    // Walk the three templates, summing each one's field lengths.
    std::map<uint16_t, size_t> record_len;
    size_t at = 4;
    while (at < t.size()) {
        uint16_t id = u16(t, at), n = u16(t, at + 2);
        at += 4;
        size_t len = 0;
        for (uint16_t i = 0; i < n; i++, at += 4) len += u16(t, at + 2);
        record_len[id] = len;
    }
    CHECK(at == t.size());
    REQUIRE(record_len.size() == 3);

    IpfixRecord r;
    r.packets = 7;
    r.flow.obs_point_id = 1;
    r.flow.direction = kIpfixEgress;
    CHECK(ipfix_encode_record(r).size() == record_len[kIpfixTemplateL2]);
    r.flow.key.eth_type = htons(0x0800);
    r.flow.key.nw_proto = 17;
    r.flow.key.nw_src[0] = htonl(0x0a000a01);
    r.flow.key.tp_dst = htons(5001);
    auto v4 = ipfix_encode_record(r);
    CHECK(v4.size() == record_len[kIpfixTemplateIpv4]);
    CHECK(word(v4, 0) == 1);  // observation point
    CHECK(v4[4] == kIpfixEgress);
    r.flow.key.eth_type = htons(0x86dd);
    CHECK(ipfix_encode_record(r).size() == record_len[kIpfixTemplateIpv6]);

    auto m = ipfix_encode_message(1700000000, 9, 123, {t});
    CHECK(u16(m, 0) == 10);
    CHECK(u16(m, 2) == m.size());
    CHECK(word(m, 4) == 1700000000u);
    CHECK(word(m, 8) == 9);
    CHECK(word(m, 12) == 123);
    CHECK(m.size() == 16 + t.size());
}

TEST_CASE("IPFIX exporter: full messages whatever the mix of templates") {
    IpfixConfig cfg;
    int fd = open_collector(&cfg.targets);  // the exporter sends here
    cfg.sampling = 1;
    auto e = IpfixExporter::create(cfg);
    REQUIRE(e);
    // IPv4 records until messages are full, then L2 and IPv6 ones among them.
    for (int i = 0; i < 200; i++) {
        IpfixSample s;
        s.key.eth_type = i % 7 == 3 ? 0 : htons(i % 5 == 4 ? 0x86dd : 0x0800);
        s.key.nw_src[0] = htonl(0x0a000000u + uint32_t(i));
        s.frame_len = 100;
        (*e)->sample(s);
    }
    (*e)->run(IpfixExporter::Clock::now());
    CHECK((*e)->records() == 200);
    // Every message: at most 1400 bytes, its sets exactly filling it, and
    // the sequence numbers count the data records.
    uint8_t buf[2048];
    size_t data_records = 0, messages = 0;
    uint32_t last_seq = 0;
    ssize_t n;
    auto u16 = [&](size_t at) { return size_t(buf[at] << 8 | buf[at + 1]); };
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        messages++;
        REQUIRE(n <= 1400);
        REQUIRE(u16(0) == 10);
        REQUIRE(u16(2) == size_t(n));
        uint32_t seq = uint32_t(buf[8]) << 24 | uint32_t(buf[9]) << 16 | uint32_t(buf[10]) << 8 | buf[11];
        CHECK(seq >= last_seq);
        last_seq = seq;
        size_t at = 16;
        while (at < size_t(n)) {
            size_t id = u16(at), slen = u16(at + 2);
            REQUIRE(slen >= 4);
            REQUIRE(at + slen <= size_t(n));
            if (id >= 256) {
                IpfixRecord r;
                r.flow.key.eth_type = htons(id == kIpfixTemplateIpv4 ? 0x0800 : id == kIpfixTemplateIpv6 ? 0x86dd : 0);
                size_t rlen = ipfix_encode_record(r).size();
                CHECK((slen - 4) % rlen == 0);
                data_records += (slen - 4) / rlen;
            }
            at += slen;
        }
        CHECK(at == size_t(n));
    }
    close(fd);
    CHECK(messages > 10);
    CHECK(data_records == 200);
}

TEST_CASE("IPFIX exporter: a message per observation domain, templates first, counts scaled by the sampling") {
    IpfixConfig cfg;
    int fd = open_collector(&cfg.targets);
    cfg.cache_active_timeout = 60;
    cfg.cache_max_flows = 10;
    auto e = IpfixExporter::create(cfg, false);  // per flow: no templates until a domain shows up
    REQUIRE(e);
    uint8_t buf[2048];
    CHECK(recv(fd, buf, sizeof buf, 0) < 0);
    // Two domains, the same flow in each, sampled 1 in 4 (4 packets a sample).
    for (uint32_t domain : {7u, 9u, 7u}) {
        IpfixSample s;
        s.key.eth_type = htons(0x0800);
        s.frame_len = 100;
        s.packets = 4;
        s.obs_domain_id = domain;
        s.obs_point_id = domain + 1;
        (*e)->sample(s);
    }
    CHECK((*e)->cached() == 2);
    (*e)->flush_all();
    // Each domain's templates, then its records.
    std::vector<std::pair<uint32_t, uint16_t>> got;  // (domain, first set id)
    std::map<uint32_t, std::vector<uint8_t>> data;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        std::vector<uint8_t> m(buf, buf + n);
        uint16_t set = uint16_t(m[16] << 8 | m[17]);
        got.emplace_back(word(m, 12), set);
        if (set >= 256) data[word(m, 12)] = std::vector<uint8_t>(m.begin() + 20, m.end());
    }
    close(fd);
    using P = std::pair<uint32_t, uint16_t>;
    CHECK(got == std::vector<P>{P{7, 2}, P{7, kIpfixTemplateIpv4}, P{9, 2}, P{9, kIpfixTemplateIpv4}});
    REQUIRE(data.size() == 2);
    IpfixRecord want;
    want.flow.key.eth_type = htons(0x0800);
    size_t rlen = ipfix_encode_record(want).size();
    for (auto& [domain, rec] : data) {
        REQUIRE(rec.size() == rlen);
        CHECK(word(rec, 0) == domain + 1);  // observation point
        // packetDeltaCount and layer2OctetDeltaCount: the record's last 17 bytes hold them and the end reason.
        auto u64 = [&](size_t at) { return uint64_t(word(rec, at)) << 32 | word(rec, at + 4); };
        uint64_t packets = u64(rlen - 17), octets = u64(rlen - 9);
        CHECK(packets == (domain == 7 ? 8 : 4));
        CHECK(octets == packets * 100);
        CHECK(rec[rlen - 1] == kIpfixEndForced);
    }
}
