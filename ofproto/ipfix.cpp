#include "ofproto/ipfix.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "util/be_writer.h"

namespace xvs::ofproto {

namespace {

// Information elements (IANA's IPFIX registry): id and length.
struct Ie {
    uint16_t id, len;
};
constexpr Ie kObservationPointId{138, 4}, kFlowDirection{61, 1}, kSourceMac{56, 6}, kDestinationMac{80, 6},
    kEthernetType{256, 2}, kIngressInterface{10, 4}, kEgressInterface{14, 4}, kVlanId{58, 2}, kDot1qPriority{244, 1},
    kFlowStartMs{152, 8}, kFlowEndMs{153, 8}, kPacketDeltaCount{2, 8}, kLayer2OctetDeltaCount{352, 8},
    kFlowEndReason{136, 1}, kProtocolIdentifier{4, 1}, kIpClassOfService{5, 1}, kIpTtl{192, 1},
    kSourceIpv4{8, 4}, kDestinationIpv4{12, 4}, kSourceIpv6{27, 16}, kDestinationIpv6{28, 16},
    kFlowLabelIpv6{31, 4}, kSourcePort{7, 2}, kDestinationPort{11, 2}, kIcmpTypeCodeIpv4{32, 2},
    kIcmpTypeCodeIpv6{139, 2}, kOctetDeltaCount{1, 8};

// Every template: the L2 part first, then the L3/L4 part, then counts.
std::vector<Ie> template_fields(uint16_t id) {
    std::vector<Ie> f = {kObservationPointId, kFlowDirection, kSourceMac, kDestinationMac, kEthernetType,
                         kIngressInterface,   kEgressInterface, kVlanId, kDot1qPriority};
    if (id == kIpfixTemplateIpv4)
        f.insert(f.end(), {kProtocolIdentifier, kIpClassOfService, kIpTtl, kSourceIpv4, kDestinationIpv4, kSourcePort,
                           kDestinationPort, kIcmpTypeCodeIpv4, kOctetDeltaCount});
    if (id == kIpfixTemplateIpv6)
        f.insert(f.end(), {kProtocolIdentifier, kIpClassOfService, kIpTtl, kSourceIpv6, kDestinationIpv6,
                           kFlowLabelIpv6, kSourcePort, kDestinationPort, kIcmpTypeCodeIpv6, kOctetDeltaCount});
    f.insert(f.end(), {kFlowStartMs, kFlowEndMs, kPacketDeltaCount, kLayer2OctetDeltaCount, kFlowEndReason});
    return f;
}

constexpr uint16_t kTemplateSetId = 2;
constexpr size_t kMaxMessage = 1400;
constexpr uint8_t kIcmp = 1, kIcmpv6 = 58;

uint64_t wall_ms() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

bool has_ports(uint8_t proto) { return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP; }

}  // namespace

uint16_t ipfix_template_of(const xvs_flow_key& key) {
    if (key.eth_type == htons(0x0800)) return kIpfixTemplateIpv4;
    if (key.eth_type == htons(0x86dd)) return kIpfixTemplateIpv6;
    return kIpfixTemplateL2;
}

std::vector<uint8_t> ipfix_encode_templates() {
    BeWriter w;
    w.u16(kTemplateSetId);
    w.u16(0);  // length, below
    for (uint16_t id : {kIpfixTemplateL2, kIpfixTemplateIpv4, kIpfixTemplateIpv6}) {
        auto f = template_fields(id);
        w.u16(id);
        w.u16(uint16_t(f.size()));
        for (const Ie& ie : f) {
            w.u16(ie.id);
            w.u16(ie.len);
        }
    }
    w.set_u16(2, uint16_t(w.b.size()));
    return std::move(w.b);
}

std::vector<uint8_t> ipfix_encode_record(const IpfixRecord& r) {
    const xvs_flow_key& k = r.flow.key;
    uint16_t tmpl = ipfix_template_of(k);
    BeWriter w;
    w.u32(r.flow.obs_point_id);
    w.u8(r.flow.direction);
    w.raw(k.eth_src, 6);
    w.raw(k.eth_dst, 6);
    w.u16(ntohs(k.eth_type));
    w.u32(r.flow.in_ifindex);
    w.u32(r.flow.out_ifindex);
    uint16_t tci = ntohs(k.vlan_tci);
    w.u16(tci & 0x1000 ? tci & 0x0fff : 0);
    w.u8(tci & 0x1000 ? uint8_t(tci >> 13) : 0);
    if (tmpl != kIpfixTemplateL2) {
        bool v4 = tmpl == kIpfixTemplateIpv4;
        w.u8(k.nw_proto);
        w.u8(k.nw_tos);
        w.u8(k.nw_ttl);
        w.raw(k.nw_src, v4 ? 4 : 16);
        w.raw(k.nw_dst, v4 ? 4 : 16);
        if (!v4) w.u32(ntohl(k.ipv6_label) & 0xfffff);
        bool ports = has_ports(k.nw_proto);
        w.u16(ports ? ntohs(k.tp_src) : 0);
        w.u16(ports ? ntohs(k.tp_dst) : 0);
        bool icmp = k.nw_proto == (v4 ? kIcmp : kIcmpv6);
        // For ICMP the key holds type and code in the port fields.
        w.u16(icmp ? uint16_t((ntohs(k.tp_src) & 0xff) << 8 | (ntohs(k.tp_dst) & 0xff)) : 0);
        w.u64(r.ip_octets);
    }
    w.u64(r.start_ms);
    w.u64(r.end_ms);
    w.u64(r.packets);
    w.u64(r.l2_octets);
    w.u8(r.end_reason);
    return std::move(w.b);
}

std::vector<uint8_t> ipfix_encode_message(uint32_t export_time, uint32_t seq, uint32_t obs_domain,
                                          const std::vector<std::vector<uint8_t>>& sets) {
    BeWriter w;
    w.u16(10);
    w.u16(0);  // length, below
    w.u32(export_time);
    w.u32(seq);
    w.u32(obs_domain);
    for (const auto& s : sets) w.raw(s.data(), s.size());
    w.set_u16(2, uint16_t(w.b.size()));
    return std::move(w.b);
}

Result<std::unique_ptr<IpfixExporter>> IpfixExporter::create(const IpfixConfig& cfg, bool bridge_wide) {
    if (bridge_wide && cfg.sampling == 0) return make_error("IPFIX sampling rate 0");
    std::unique_ptr<IpfixExporter> e(new IpfixExporter);
    auto c = Collectors::open(cfg.targets, kIpfixDefaultPort, "IPFIX");
    if (!c) return c.error();
    e->collectors_ = std::move(*c);
    e->cfg_ = cfg;
    if (bridge_wide) e->send_templates(cfg.obs_domain_id);
    return e;
}

uint32_t IpfixExporter::probability() const { return std::max<uint32_t>(1, UINT32_MAX / cfg_.sampling); }

void IpfixExporter::sample(const IpfixSample& s) {
    samples_++;
    uint64_t now = wall_ms();
    IpfixRecord r;
    r.flow = s;
    r.flow.key.in_port = 0;
    r.packets = s.packets;
    r.l2_octets = s.packets * s.frame_len;
    size_t l2 = 14;
    if (s.key.vlan_tci & htons(0x1000)) l2 += 4;
    if (s.key.cvlan_tci & htons(0x1000)) l2 += 4;
    r.ip_octets = s.frame_len > l2 ? s.packets * (s.frame_len - l2) : 0;
    r.start_ms = r.end_ms = now;
    if (!caching()) {
        queue(r);
        return;
    }
    // The cache: one entry per distinct record (everything but the counts)
    // and observation domain.
    IpfixRecord id = r;
    id.packets = id.l2_octets = id.ip_octets = id.start_ms = id.end_ms = 0;
    auto key = ipfix_encode_record(id);
    for (int i = 0; i < 4; i++) key.push_back(uint8_t(s.obs_domain_id >> (8 * i)));
    auto it = cache_.find(key);
    if (it != cache_.end()) {
        IpfixRecord& c = it->second.rec;
        c.packets += r.packets;
        c.l2_octets += r.l2_octets;
        c.ip_octets += r.ip_octets;
        c.end_ms = now;
        return;
    }
    if (cache_.size() >= cfg_.cache_max_flows) {
        // Full: the oldest entry goes out to make room.
        auto oldest = order_.front();
        oldest->second.rec.end_reason = kIpfixEndLackOfResources;
        queue(oldest->second.rec);
        cache_.erase(oldest);
        order_.pop_front();
    }
    order_.push_back(cache_.emplace(std::move(key), Cached{r, Clock::now()}).first);
}

void IpfixExporter::queue(const IpfixRecord& r) {
    uint32_t domain = r.flow.obs_domain_id;
    // A message holds one observation domain's records, after its templates.
    if (!pending_.empty() && domain != pending_domain_) send();
    if (!next_templates_.count(domain)) send_templates(domain);
    pending_domain_ = domain;
    auto rec = ipfix_encode_record(r);
    uint16_t tmpl = ipfix_template_of(r.flow.key);
    // A record of a template with no set yet also brings the set's header.
    size_t grow = rec.size() + (pending_.count(tmpl) ? 0 : 4);
    if (!pending_.empty() && 16 + pending_bytes_ + grow > kMaxMessage) {
        send();
        grow = rec.size() + 4;
    }
    auto& set = pending_[tmpl];
    if (set.empty()) set = {uint8_t(tmpl >> 8), uint8_t(tmpl), 0, 0};
    set.insert(set.end(), rec.begin(), rec.end());
    pending_bytes_ += grow;
    pending_records_++;
    records_++;
}

void IpfixExporter::send() {
    if (pending_.empty()) return;
    std::vector<std::vector<uint8_t>> sets;
    for (auto& [tmpl, set] : pending_) {
        set[2] = uint8_t(set.size() >> 8);
        set[3] = uint8_t(set.size());
        sets.push_back(std::move(set));
    }
    uint32_t& seq = seq_[pending_domain_];
    auto m = ipfix_encode_message(uint32_t(wall_ms() / 1000), seq, pending_domain_, sets);
    seq += pending_records_;
    pending_.clear();
    pending_bytes_ = 0;
    pending_records_ = 0;
    collectors_.send(m);
}

void IpfixExporter::send_templates(uint32_t domain) {
    send();
    collectors_.send(ipfix_encode_message(uint32_t(wall_ms() / 1000), seq_[domain], domain, {ipfix_encode_templates()}));
    next_templates_[domain] = Clock::now() + std::chrono::seconds(60);
}

void IpfixExporter::run(Clock::time_point now) {
    for (auto& [domain, due] : next_templates_)
        if (now >= due) send_templates(domain);
    // Oldest first: the entries past their active timeout are a prefix.
    std::chrono::seconds active(cfg_.cache_active_timeout);
    while (!order_.empty() && now - order_.front()->second.created >= active) {
        auto it = order_.front();
        it->second.rec.end_reason = kIpfixEndActiveTimeout;
        queue(it->second.rec);
        cache_.erase(it);
        order_.pop_front();
    }
    send();
}

void IpfixExporter::flush_all() {
    for (auto it : order_) {
        it->second.rec.end_reason = kIpfixEndForced;
        queue(it->second.rec);
    }
    cache_.clear();
    order_.clear();
    send();
}

}  // namespace xvs::ofproto
