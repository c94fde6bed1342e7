#include "ofproto/sflow.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "util/be_writer.h"

namespace xvs::ofproto {

namespace {

// sFlow's XDR: big-endian 32-bit words, opaque data padded to a word.
struct Xdr : BeWriter {
    void bytes(std::span<const uint8_t> d) {
        b.insert(b.end(), d.begin(), d.end());
        b.resize((b.size() + 3) & ~size_t(3), 0);
    }
    void opaque(std::span<const uint8_t> d) {
        u32(uint32_t(d.size()));
        bytes(d);
    }
    // A record: its tag, then the length of what 'body' writes.
    template <typename F>
    void record(uint32_t tag, F body) {
        u32(tag);
        size_t at = b.size();
        u32(0);
        body();
        set_u32(at, uint32_t(b.size() - at - 4));
    }
};

uint32_t c32(uint64_t v) { return uint32_t(v); }  // sFlow's 32-bit counters wrap

constexpr uint32_t kFlowSample = 1, kCounterSample = 2;
constexpr uint32_t kRawHeader = 1, kExtSwitch = 1001;
constexpr uint32_t kGenericIf = 1;
constexpr uint32_t kHeaderEthernet = 1;
constexpr uint32_t kUnknown = 0xffffffff;
constexpr size_t kMaxDatagram = 1400;  // Open vSwitch's receiver datagram size

}  // namespace

std::vector<uint8_t> sflow_encode_flow_sample(uint32_t seq, uint32_t source_id, uint32_t rate, uint32_t pool,
                                              uint32_t header_max, const SflowFlowSample& s) {
    Xdr x;
    x.record(kFlowSample, [&] {
        x.u32(seq);
        x.u32(source_id);
        x.u32(rate);
        x.u32(pool);
        x.u32(0);  // drops
        x.u32(s.input);
        x.u32(s.output);
        x.u32(2);  // records
        x.record(kRawHeader, [&] {
            x.u32(kHeaderEthernet);
            x.u32(s.frame_len + 4);  // with the FCS, which is gone
            x.u32(4);                // bytes stripped: the FCS
            x.opaque(s.packet.first(std::min<size_t>({s.packet.size(), header_max, s.frame_len})));
        });
        x.record(kExtSwitch, [&] {
            x.u32(s.src_vlan);
            x.u32(s.src_pcp);
            x.u32(s.dst_vlan);
            x.u32(s.dst_pcp);
        });
    });
    return std::move(x.b);
}

std::vector<uint8_t> sflow_encode_counter_sample(uint32_t seq, const SflowPortCounters& c) {
    Xdr x;
    x.record(kCounterSample, [&] {
        x.u32(seq);
        x.u32(c.ifindex);  // data source: class 0 (ifIndex)
        // Generic interface counters only. (Open vSwitch adds its OpenFlow
        // port and port name records, 1004 and 1005, which Wireshark 4.0's
        // dissector cannot skip: it reads every later sample of the
        // datagram as malformed.)
        x.u32(1);  // records
        x.record(kGenericIf, [&] {
            x.u32(c.ifindex);
            x.u32(6);  // ifType: ethernetCsmacd
            x.u64(c.speed);
            x.u32(1);  // ifDirection: full duplex
            x.u32((c.admin_up ? 1u : 0u) | (c.oper_up ? 2u : 0u));
            x.u64(c.in_octets);
            x.u32(c32(c.in_packets));
            x.u32(kUnknown);  // multicast
            x.u32(kUnknown);  // broadcast
            x.u32(c32(c.in_discards));
            x.u32(c32(c.in_errors));
            x.u32(kUnknown);  // unknown protocols
            x.u64(c.out_octets);
            x.u32(c32(c.out_packets));
            x.u32(kUnknown);
            x.u32(kUnknown);
            x.u32(c32(c.out_discards));
            x.u32(c32(c.out_errors));
            x.u32(0);  // promiscuous mode
        });
    });
    return std::move(x.b);
}

std::vector<uint8_t> sflow_encode_datagram(const Ip6& agent, bool agent_v6, uint32_t sub_agent, uint32_t seq,
                                           uint32_t uptime_ms, const std::vector<std::vector<uint8_t>>& samples) {
    Xdr x;
    x.u32(5);
    x.u32(agent_v6 ? 2 : 1);
    x.bytes(std::span(agent.data(), agent_v6 ? 16 : 4));
    x.u32(sub_agent);
    x.u32(seq);
    x.u32(uptime_ms);
    x.u32(uint32_t(samples.size()));
    for (const auto& s : samples) x.b.insert(x.b.end(), s.begin(), s.end());
    return std::move(x.b);
}

namespace {

// The address of device 'name' (IPv4 preferred), if it has one.
bool device_address(const std::string& name, Ip6& out, bool& v6) {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return false;
    bool found = false;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || name != a->ifa_name) continue;
        if (a->ifa_addr->sa_family == AF_INET) {
            out = {};
            std::memcpy(out.data(), &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, 4);
            v6 = false;
            found = true;
            break;
        }
        if (a->ifa_addr->sa_family == AF_INET6 && !found) {
            std::memcpy(out.data(), &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, 16);
            v6 = true;
            found = true;
        }
    }
    freeifaddrs(list);
    return found;
}

}  // namespace

Result<std::unique_ptr<SflowAgent>> SflowAgent::create(const SflowConfig& cfg, uint32_t sub_id) {
    if (cfg.sampling == 0) return make_error("sFlow sampling rate 0");
    std::unique_ptr<SflowAgent> a(new SflowAgent);
    a->cfg_ = cfg;
    a->sub_id_ = sub_id;
    auto c = Collectors::open(cfg.targets, kSflowDefaultPort, "sFlow");
    if (!c) return c.error();
    a->collectors_ = std::move(*c);
    // The agent address: the agent device's, or the agent given as an
    // address, or the local address toward the first target.
    bool have = false;
    if (!cfg.agent.empty()) have = device_address(cfg.agent, a->agent_, a->agent_v6_);
    if (!cfg.agent.empty() && !have) {
        std::string literal = cfg.agent.find(':') != std::string::npos ? "[" + cfg.agent + "]" : cfg.agent;
        if (auto t = parse_collector_target(literal, kSflowDefaultPort, "sFlow agent")) {
            a->agent_ = t->addr;
            a->agent_v6_ = t->v6;
            have = true;
        }
    }
    if (!have) have = a->collectors_.local_address(a->agent_, a->agent_v6_);
    if (!have) return make_error("could not determine an IP address for the sFlow agent");
    a->boot_ = Clock::now();
    a->next_poll_ = a->boot_ + std::chrono::seconds(cfg.polling);
    return a;
}

std::string SflowAgent::agent_address() const {
    if (agent_v6_) return format_ipv6(agent_.data());
    uint32_t v;
    std::memcpy(&v, agent_.data(), 4);
    return format_ipv4(v);
}

uint32_t SflowAgent::probability() const { return std::max<uint32_t>(1, UINT32_MAX / cfg_.sampling); }

void SflowAgent::flow_sample(const SflowFlowSample& s) {
    // As Open vSwitch: the datapath's sampling is taken to converge on the
    // configured rate, so the pool grows by the rate with each sample.
    pool_ += cfg_.sampling;
    stats_.flow_samples++;
    add(sflow_encode_flow_sample(++flow_seq_, (2u << 24) | (1000 + sub_id_), cfg_.sampling, pool_, cfg_.header, s));
}

void SflowAgent::counter_sample(const SflowPortCounters& c) {
    auto it = std::find(counter_ifindex_.begin(), counter_ifindex_.end(), c.ifindex);
    size_t i = size_t(it - counter_ifindex_.begin());
    if (it == counter_ifindex_.end()) {
        counter_ifindex_.push_back(c.ifindex);
        counter_seq_.push_back(0);
    }
    stats_.counter_samples++;
    add(sflow_encode_counter_sample(++counter_seq_[i], c));
}

void SflowAgent::add(std::vector<uint8_t> sample) {
    constexpr size_t kHeader = 7 * 4 + 16;
    if (!pending_.empty() && kHeader + pending_bytes_ + sample.size() > kMaxDatagram) flush();
    pending_bytes_ += sample.size();
    pending_.push_back(std::move(sample));
}

void SflowAgent::flush() {
    if (pending_.empty()) return;
    auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - boot_).count();
    auto d = sflow_encode_datagram(agent_, agent_v6_, sub_id_, ++datagram_seq_, uint32_t(uptime), pending_);
    pending_.clear();
    pending_bytes_ = 0;
    collectors_.send(d);
}

bool SflowAgent::counters_due(Clock::time_point now) {
    if (cfg_.polling == 0 || now < next_poll_) return false;
    next_poll_ = now + std::chrono::seconds(cfg_.polling);
    return true;
}

}  // namespace xvs::ofproto
