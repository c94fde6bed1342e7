#include "ofproto/netflow.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <functional>

#include "util/be_writer.h"

namespace xvs::ofproto {

namespace {

constexpr uint16_t kNetflowDefaultPort = 0;  // NetFlow targets name their port
constexpr size_t kMaxRecords = 30;           // per v5 datagram

}  // namespace

std::vector<uint8_t> netflow_encode_v5(uint32_t uptime_ms, uint64_t unix_ns, uint32_t flow_seq, uint8_t engine_type,
                                       uint8_t engine_id, const std::vector<NetflowRecord>& records) {
    BeWriter w;
    w.u16(5);
    w.u16(uint16_t(records.size()));
    w.u32(uptime_ms);
    w.u32(uint32_t(unix_ns / 1000000000ull));
    w.u32(uint32_t(unix_ns % 1000000000ull));
    w.u32(flow_seq);
    w.u8(engine_type);
    w.u8(engine_id);
    w.u16(0);  // sampling interval: every packet counted
    for (const auto& r : records) {
        w.raw(&r.key.nw_src, 4);
        w.raw(&r.key.nw_dst, 4);
        w.u32(0);  // next hop
        w.u16(r.input);
        w.u16(r.output);
        w.u32(r.packets);
        w.u32(r.bytes);
        w.u32(r.first_ms);
        w.u32(r.last_ms);
        if (r.key.nw_proto == IPPROTO_ICMP) {
            // ICMP type and code go, concatenated, into the destination port.
            w.u16(0);
            w.u16(uint16_t((ntohs(r.key.tp_src) & 0xff) << 8 | (ntohs(r.key.tp_dst) & 0xff)));
        } else {
            w.u16(ntohs(r.key.tp_src));
            w.u16(ntohs(r.key.tp_dst));
        }
        w.u8(0);
        w.u8(r.tcp_flags);
        w.u8(r.key.nw_proto);
        w.u8(r.key.nw_tos & 0xfc);  // DSCP
        w.u16(0);                   // source AS
        w.u16(0);                   // destination AS
        w.u8(0);                    // source mask
        w.u8(0);                    // destination mask
        w.u16(0);
    }
    return std::move(w.b);
}

size_t NetflowExporter::KeyHash::operator()(const NetflowKey& k) const {
    uint64_t a = uint64_t(k.nw_src) << 32 | k.nw_dst;
    uint64_t b = uint64_t(k.in_port) << 32 | uint64_t(k.tp_src) << 16 | k.tp_dst;
    uint64_t c = uint64_t(k.nw_proto) << 8 | k.nw_tos;
    return std::hash<uint64_t>()(a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) * 31 ^ c);
}

Result<std::unique_ptr<NetflowExporter>> NetflowExporter::create(const NetflowConfig& cfg, uint8_t engine_type,
                                                                 uint8_t engine_id) {
    std::unique_ptr<NetflowExporter> e(new NetflowExporter);
    auto c = Collectors::open(cfg.targets, kNetflowDefaultPort, "NetFlow");
    if (!c) return c.error();
    e->collectors_ = std::move(*c);
    e->cfg_ = cfg;
    e->engine_type_ = engine_type;
    e->engine_id_ = engine_id;
    e->active_ = cfg.active_timeout < 0    ? std::chrono::seconds(0)
                 : cfg.active_timeout == 0 ? std::chrono::seconds(600)
                                           : std::chrono::seconds(cfg.active_timeout);
    e->boot_ = e->next_run_ = Clock::now();
    return e;
}

uint32_t NetflowExporter::uptime(Clock::time_point t) const {
    return uint32_t(std::chrono::duration_cast<std::chrono::milliseconds>(t - boot_).count());
}

void NetflowExporter::update(const NetflowKey& key, uint16_t output, uint64_t packets, uint64_t bytes,
                             uint8_t tcp_flags, Clock::time_point used) {
    auto [it, fresh] = flows_.try_emplace(key);
    Flow& f = it->second;
    if (fresh) {
        f.output = output;
        f.created = f.used = f.last_expired = used;
    }
    if (f.output != output) {
        expire(key, f);
        f.created = used;
        f.output = output;
    }
    f.packets += packets;
    f.bytes += bytes;
    f.tcp_flags |= tcp_flags;
    if (used > f.used) f.used = used;
}

void NetflowExporter::expire(const NetflowKey& key, Flow& f) {
    f.last_expired = Clock::now();
    if (f.packets == 0) return;
    // v5 counters are 32 bits: a flow past them goes out as several
    // records, packets and bytes spread evenly over them.
    uint64_t pkts = f.packets, bytes = f.bytes;
    while (bytes || pkts) {
        uint64_t n = std::max<uint64_t>({1, (bytes + UINT32_MAX - 1) / UINT32_MAX, (pkts + UINT32_MAX - 1) / UINT32_MAX});
        NetflowRecord r;
        r.key = key;
        auto port = [&](uint32_t p) {
            uint16_t v = uint16_t(p);
            if (cfg_.add_id_to_interface) v = uint16_t((engine_id_ & 0x7f) << 9 | (p & 0x1ff));
            return v;
        };
        r.input = port(key.in_port);
        r.output = f.output >= kNetflowOutDrop ? f.output : port(f.output);
        r.packets = uint32_t(pkts / n);
        r.bytes = uint32_t(bytes / n);
        r.first_ms = uptime(f.created);
        r.last_ms = uptime(std::max(f.created, f.used));
        r.tcp_flags = f.tcp_flags;
        pending_.push_back(r);
        pkts -= r.packets;
        bytes -= r.bytes;
        if (pending_.size() >= kMaxRecords) send();
    }
    f.packets = f.bytes = 0;
    f.tcp_flags = 0;
    f.created = f.used;
}

void NetflowExporter::remove(const NetflowKey& key) {
    auto it = flows_.find(key);
    if (it == flows_.end()) return;
    expire(key, it->second);
    flows_.erase(it);
}

void NetflowExporter::run(Clock::time_point now) {
    if (active_.count() && now >= next_run_) {
        next_run_ = now + std::chrono::seconds(1);
        for (auto it = flows_.begin(); it != flows_.end();) {
            Flow& f = it->second;
            if (now - f.last_expired < active_) {
                ++it;
                continue;
            }
            bool idle = f.used < f.last_expired;
            expire(it->first, f);
            // Not used since the last report: whoever fed it lost track.
            it = idle ? flows_.erase(it) : std::next(it);
        }
    }
    send();
}

void NetflowExporter::flush_all() {
    for (auto& [k, f] : flows_) expire(k, f);
    flows_.clear();
    send();
}

void NetflowExporter::send() {
    if (pending_.empty()) return;
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    auto d = netflow_encode_v5(uptime(Clock::now()), uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec),
                               flow_seq_, engine_type_, engine_id_, pending_);
    flow_seq_ += uint32_t(pending_.size());
    records_sent_ += pending_.size();
    pending_.clear();
    collectors_.send(d);
}

}  // namespace xvs::ofproto
