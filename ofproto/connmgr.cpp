#include "ofproto/connmgr.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "ofproto/flow_table.h"
#include "ofproto/ofp_bundles.h"
#include "ofproto/ofp_groups.h"
#include "ofproto/ofp_actions.h"
#include "ofproto/switch.h"
#include "ofproto/table_features.h"
#include "util/stream.h"
#include "util/vlog.h"

namespace xvs::ofproto {

namespace {

VlogModule vlog("connmgr");
RateLimiter rl(60, 20);

constexpr size_t kMaxBacklog = 4 << 20;  // bytes queued to a slow peer before async messages are dropped
constexpr uint16_t kDefaultMissSendLen = 128;
// Tables advertised to controllers (features, table stats and features):
// 0..253, as Open vSwitch, which keeps its last table to itself.
constexpr uint8_t kNTables = 254;

// Async message kinds, indices of OfpAsyncConfig's masks.
enum AsyncKind { kAsyncPacketIn, kAsyncPortStatus, kAsyncFlowRemoved };

uint8_t highest_version(uint32_t bitmap) { return bitmap ? static_cast<uint8_t>(31 - std::countl_zero(bitmap)) : 0; }

bool is_passive(const std::string& target) { return target.starts_with("ptcp:") || target.starts_with("punix:"); }

// Requests a secondary (slave) controller may not send.
bool modifies_state(OfpType t) {
    switch (t) {
        case OfpType::FlowMod:
        case OfpType::GroupMod:
        case OfpType::PortMod:
        case OfpType::TableMod:
        case OfpType::MeterMod:
        case OfpType::PacketOut:
        case OfpType::BundleControl:
        case OfpType::BundleAdd: return true;
        default: return false;
    }
}

}  // namespace

// A place connections come from: the service socket, a controller target.
struct ConnMgr::Remote {
    OfControllerConfig cfg;
    bool service = false;  // the .mgmt socket: connections are OFCONN_SERVICE
    bool passive = false;
    std::unique_ptr<Listener> listener;
    PollLoop::FdWatch watch;
    // Active targets: the connection (at most one) and reconnection state.
    Conn* conn = nullptr;
    PollLoop::Timer retry;
    int backoff_ms = 0;
    std::string last_error;
    Clock::time_point connected_at{}, disconnected_at{};
};

struct ConnMgr::Conn {
    std::unique_ptr<Stream> stream;
    PollLoop::FdWatch watch;
    Remote* remote = nullptr;  // where it came from
    bool service = false;
    std::string in;            // received bytes not yet handled
    size_t in_off = 0;
    uint8_t version = 0;       // 0 until hello negotiation is done
    bool nxm = false;          // NXT_SET_FLOW_FORMAT to NXM (1.0 connections)
    bool table_id_ext = false; // NXT_FLOW_MOD_TABLE_ID
    PacketInFormat pin_format = PacketInFormat::Standard;
    uint16_t controller_id = 0;
    OfpRole role = OfpRole::Equal;
    OfpAsyncConfig async;
    uint16_t miss_send_len = kDefaultMissSendLen;
    uint16_t config_flags = 0;
    Clock::time_point last_rx = Clock::now();
    bool echo_sent = false;
    PollLoop::Timer probe;
    bool closed = false;
    uint32_t next_xid = 1;
    // Open (or closed, not yet committed) bundles by id: their messages,
    // decoded once when added and applied at commit.
    struct Bundle {
        uint16_t flags = 0;
        bool closed = false;
        std::vector<Bytes> msgs;  // the BUNDLE_ADD messages (errors refer to them)
    };
    std::map<uint32_t, Bundle> bundles;
};

ConnMgr::ConnMgr(PollLoop& loop, Switch& sw, std::string bridge) : loop_(loop), sw_(sw), bridge_(std::move(bridge)) {
    port_poll_ = loop_.add_periodic(std::chrono::seconds(1), [this] { sync_ports(); });
}

ConnMgr::~ConnMgr() = default;

std::map<std::string, std::string> ConnMgr::configure(const OfServiceConfig& config) {
    std::map<std::string, std::string> errors;
    bool versions_changed = config.allowed_versions != config_.allowed_versions;
    config_ = config;
    // Wanted remotes: the service socket plus the controllers.
    std::vector<std::pair<OfControllerConfig, bool>> wanted;
    if (!config.mgmt_path.empty()) wanted.push_back({OfControllerConfig{"punix:" + config.mgmt_path, 0, 0}, true});
    for (const auto& c : config.controllers) wanted.push_back({c, false});

    // Drop remotes no longer wanted (and their connections).
    for (auto& r : remotes_) {
        bool keep = std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == r->cfg; });
        if (keep && !versions_changed) continue;
        for (auto& c : conns_)
            if (c->remote == r.get()) close_conn(*c, "controller removed from the configuration");
        r.reset();
    }
    std::erase(remotes_, nullptr);
    reap_closed();

    StreamSpecDefaults defaults{.port = 6653, .rundir = config.rundir};
    for (const auto& [cfg, service] : wanted) {
        if (std::any_of(remotes_.begin(), remotes_.end(), [&](const auto& r) { return r->cfg == cfg; })) continue;
        auto r = std::make_unique<Remote>();
        r->cfg = cfg;
        r->service = service;
        r->passive = is_passive(cfg.target);
        if (r->passive) {
            auto l = Listener::open(cfg.target, defaults);
            if (!l) {
                errors[cfg.target] = l.message();
                vlog.warn("{}: cannot listen on {}: {}", bridge_, cfg.target, l.message());
                r->last_error = l.message();
                remotes_.push_back(std::move(r));
                continue;
            }
            r->listener = std::move(*l);
            Remote* rp = r.get();
            r->watch = loop_.watch_fd(r->listener->fd(), POLLIN, [this, rp](short) { accept_on(*rp); });
            vlog.info("{}: listening for OpenFlow connections on {}", bridge_, cfg.target);
            remotes_.push_back(std::move(r));
        } else {
            Remote* rp = r.get();
            remotes_.push_back(std::move(r));
            start_connect(*rp);
        }
    }
    return errors;
}

void ConnMgr::accept_on(Remote& r) {
    for (;;) {
        auto s = r.listener->accept();
        if (!s) {
            vlog.warn_rl(rl, "{}: accept on {}: {}", bridge_, r.cfg.target, s.message());
            return;
        }
        if (!*s) return;
        auto c = std::make_unique<Conn>();
        c->stream = std::move(*s);
        c->remote = &r;
        c->service = r.service;
        if (c->service) c->miss_send_len = 0;  // service connections get no async messages unless asked
        add_conn(std::move(c));
    }
}

void ConnMgr::start_connect(Remote& r) {
    StreamSpecDefaults defaults{.port = 6653, .rundir = config_.rundir};
    auto s = Stream::open(r.cfg.target, defaults);
    if (!s) {
        r.last_error = s.message();
        vlog.warn_rl(rl, "{}: {}: connection failed: {}", bridge_, r.cfg.target, s.message());
        r.backoff_ms = std::clamp(r.backoff_ms ? r.backoff_ms * 2 : 1000, 1000, std::max(1000, r.cfg.max_backoff_ms));
        Remote* rp = &r;
        r.retry = loop_.add_timer(std::chrono::milliseconds(r.backoff_ms), [this, rp] { start_connect(*rp); });
        return;
    }
    auto c = std::make_unique<Conn>();
    c->stream = std::move(*s);
    c->remote = &r;
    r.conn = c.get();
    add_conn(std::move(c));
}

void ConnMgr::add_conn(std::unique_ptr<Conn> c) {
    Conn* cp = c.get();
    c->watch = loop_.watch_fd(c->stream->fd(), c->stream->wanted_events(true),
                              [this, cp](short revents) { conn_io(*cp, revents); });
    Bytes hello = encode_hello(config_.allowed_versions, 0);
    c->stream->send(std::string_view(reinterpret_cast<const char*>(hello.data()), hello.size()));
    if (c->remote && !c->service && c->remote->cfg.inactivity_probe_ms > 0) {
        int ms = c->remote->cfg.inactivity_probe_ms;
        c->probe = loop_.add_periodic(std::chrono::milliseconds(ms), [this, cp] { probe(*cp); });
    }
    vlog.info("{}: OpenFlow connection from {}", bridge_, c->stream->name());
    conns_.push_back(std::move(c));
    cp->watch.set_events(cp->stream->wanted_events(true));
}

void ConnMgr::probe(Conn& c) {
    if (c.closed || !c.version) return;
    auto idle = Clock::now() - c.last_rx;
    auto interval = std::chrono::milliseconds(c.remote->cfg.inactivity_probe_ms);
    if (idle < interval) return;
    if (c.echo_sent && idle >= 2 * interval) {
        close_conn(c, fmt::format("no response to inactivity probe after {} ms", 2 * interval.count()));
        reap_closed();
        return;
    }
    if (!c.echo_sent) {
        Bytes echo(8);
        echo[0] = c.version;
        echo[1] = 2;  // OFPT_ECHO_REQUEST
        echo[3] = 8;
        send(c, std::move(echo));
        c.echo_sent = true;
    }
}

void ConnMgr::conn_io(Conn& c, short revents) {
    if (c.closed) return;
    Stream& s = *c.stream;
    if (s.state() == Stream::State::Connecting) {
        if (s.poll_connect() == Stream::State::Connecting) return;
        if (c.remote && !c.service && !c.remote->passive) {
            c.remote->backoff_ms = 0;
            c.remote->connected_at = Clock::now();
        }
    }
    if (revents & POLLOUT) s.flush();
    for (;;) {
        size_t n = s.recv(c.in, 65536);
        if (n == 0) break;
    }
    c.last_rx = Clock::now();
    c.echo_sent = false;
    while (!c.closed && c.in.size() - c.in_off >= kOfpHeaderLen) {
        auto* p = reinterpret_cast<const uint8_t*>(c.in.data()) + c.in_off;
        size_t len = (size_t{p[2]} << 8) | p[3];
        if (len < kOfpHeaderLen) {
            close_conn(c, fmt::format("message length {} is shorter than the OpenFlow header", len));
            break;
        }
        if (c.in.size() - c.in_off < len) break;
        handle(c, std::span<const uint8_t>(p, len));
        c.in_off += len;
    }
    if (c.in_off) {
        c.in.erase(0, c.in_off);
        c.in_off = 0;
    }
    if (!c.closed && s.state() == Stream::State::Closed)
        close_conn(c, s.closed_by_peer() ? "connection closed by peer" : s.error());
    if (!c.closed) c.watch.set_events(s.wanted_events(true));
    reap_closed();
    sw_.revalidate_if_needed();
}

void ConnMgr::close_conn(Conn& c, const std::string& why) {
    if (c.closed) return;
    bool misses_went_here = wants_packet_in_on_miss();
    c.closed = true;
    c.watch.reset();
    c.probe.cancel();
    c.stream->close(why);
    vlog.info("{}: OpenFlow connection {} closed: {}", bridge_, c.stream->name(), why);
    // Table misses stop going to the controllers with the last one that
    // took them; other connections (ovs-ofctl's) change no megaflow.
    if (misses_went_here != wants_packet_in_on_miss()) sw_.request_revalidation();
    if (c.remote && c.remote->conn == &c) {
        Remote* r = c.remote;
        r->conn = nullptr;
        r->last_error = why;
        r->disconnected_at = Clock::now();
        r->backoff_ms = std::clamp(r->backoff_ms ? r->backoff_ms * 2 : 1000, 1000, std::max(1000, r->cfg.max_backoff_ms));
        r->retry = loop_.add_timer(std::chrono::milliseconds(r->backoff_ms), [this, r] { start_connect(*r); });
    }
}

void ConnMgr::reap_closed() {
    // Closed connections are freed from the loop, never from inside their
    // own callback.
    if (std::none_of(conns_.begin(), conns_.end(), [](const auto& c) { return c->closed; })) return;
    reap_ = loop_.add_timer(std::chrono::milliseconds(0), [this] {
        std::erase_if(conns_, [](const auto& c) { return c->closed; });
    });
}

void ConnMgr::send(Conn& c, Bytes msg) {
    if (c.closed) return;
    c.stream->send(std::string_view(reinterpret_cast<const char*>(msg.data()), msg.size()));
    if (c.stream->state() == Stream::State::Closed) {
        close_conn(c, c.stream->error());
        return;
    }
    c.watch.set_events(c.stream->wanted_events(true));
}

void ConnMgr::send_error(Conn& c, const OfpError& e, std::span<const uint8_t> request) {
    vlog.info_rl(rl, "{}: {}: {} ({})", bridge_, c.stream->name(), ofp_error_name(e.err), e.detail);
    uint32_t xid = request.size() >= 8 ? ofp_header(request).xid : 0;
    send(c, encode_error(c.version ? c.version : highest_version(config_.allowed_versions), e.err, request, xid));
}

void ConnMgr::handle(Conn& c, std::span<const uint8_t> msg) {
    OfpHeader h = ofp_header(msg);
    if (!c.version) {
        if (h.type != 0) {  // OFPT_HELLO is 0 in every version
            close_conn(c, fmt::format("received message type {} before hello", h.type));
            return;
        }
        uint32_t theirs = decode_hello_versions(msg);
        uint32_t common = theirs & config_.allowed_versions;
        if (!common) {
            uint8_t v = std::min(highest_version(theirs), highest_version(config_.allowed_versions));
            c.version = v ? v : kOfp10;
            send_error(c, OfpError{OfpErr::OFPHFC_INCOMPATIBLE,
                                   fmt::format("no common OpenFlow version (peer offers {:#x}, we allow {:#x})",
                                               theirs, config_.allowed_versions)},
                       msg);
            c.stream->flush();
            close_conn(c, "version negotiation failed");
            return;
        }
        bool misses_went_here = wants_packet_in_on_miss();
        c.version = highest_version(common);
        // Table misses may now go to this controller.
        if (misses_went_here != wants_packet_in_on_miss()) sw_.request_revalidation();
        vlog.info("{}: {}: negotiated OpenFlow version {:#04x}", bridge_, c.stream->name(), c.version);
        return;
    }
    if (h.version != c.version) {
        send_error(c, OfpError{OfpErr::OFPBRC_BAD_VERSION, fmt::format("version {:#04x} on a {:#04x} connection", h.version, c.version)},
                   msg);
        return;
    }
    dispatch(c, msg, h);
}

std::vector<OfpPortInfo> ConnMgr::ports() const { return sw_.of_ports(bridge_); }

void ConnMgr::dispatch(Conn& c, std::span<const uint8_t> msg, const OfpHeader& h) {
    auto t = decode_type(msg);
    if (auto* e = std::get_if<OfpError>(&t)) return send_error(c, *e, msg);
    OfpType type = std::get<OfpType>(t);
    if (c.role == OfpRole::Secondary && modifies_state(type))
        return send_error(c, OfpError{OfpErr::OFPBRC_IS_SLAVE, "secondary controllers may not change the switch"}, msg);

    auto u32_control = [&](auto apply) {
        auto v = decode_nx_u32_control(msg);
        if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
        apply(std::get<uint32_t>(v));
    };

    switch (type) {
        case OfpType::EchoRequest: return send(c, encode_echo_reply(msg));
        case OfpType::EchoReply: return;
        // A hello after negotiation and an error are not requests: as Open
        // vSwitch, say so (OFPBRC_BAD_TYPE).
        case OfpType::Hello: return send_error(c, OfpError{OfpErr::OFPBRC_BAD_TYPE, "hello after negotiation"}, msg);
        case OfpType::Error:
            vlog.info_rl(rl, "{}: {} sent an error message", bridge_, c.stream->name());
            return send_error(c, OfpError{OfpErr::OFPBRC_BAD_TYPE, "error message from the controller"}, msg);
        case OfpType::FeaturesRequest: {
            OfpFeatures f;
            f.datapath_id = config_.datapath_id;
            f.n_tables = kNTables;
            f.capabilities = 0x01 | 0x02 | 0x04 | 0x08 | 0x40;  // flow, table, port, group stats; queue stats
            f.ports = ports();
            return send(c, encode_features_reply(c.version, h.xid, f));
        }
        case OfpType::GetConfigRequest:
            return send(c, encode_get_config_reply(c.version, h.xid, OfpSwitchConfig{c.config_flags, c.miss_send_len}));
        case OfpType::SetConfig: {
            auto v = decode_set_config(msg);
            if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
            c.config_flags = std::get<OfpSwitchConfig>(v).flags;
            c.miss_send_len = std::get<OfpSwitchConfig>(v).miss_send_len;
            return;
        }
        case OfpType::BarrierRequest: return send(c, encode_barrier_reply(c.version, h.xid));
        case OfpType::FlowMod: return reply_to_mod(c, msg, [&](Removed& r) { return flow_mod(c, msg, r); });
        case OfpType::PacketOut: return reply_to_mod(c, msg, [&](Removed&) { return packet_out(c, msg); });
        case OfpType::PortMod: return reply_to_mod(c, msg, [&](Removed&) { return port_mod(c, msg); });
        case OfpType::BundleControl: return handle_bundle_control(c, msg);
        case OfpType::BundleAdd: return handle_bundle_add(c, msg);
        case OfpType::RoleRequest:
        case OfpType::NxRoleRequest: return handle_role(c, msg);
        case OfpType::DescRequest: {
            OfpDesc d{"xvs project", "xvs eBPF datapath", "xvs-vswitchd", "None", bridge_};
            return send(c, encode_desc_reply(msg, d));
        }
        case OfpType::FlowStatsRequest:
        case OfpType::AggregateRequest: {
            auto v = decode_flow_stats_request(msg);
            if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
            const auto& req = std::get<OfpFlowStatsRequest>(v);
            Pipeline* p = sw_.pipeline(bridge_);
            if (!p) return send_error(c, OfpError{OfpErr::OFPBRC_EPERM, "bridge is gone"}, msg);
            auto flows = collect_flow_stats(*p, req, Clock::now());
            if (type == OfpType::AggregateRequest) {
                uint64_t packets = 0, bytes = 0;
                for (const auto& f : flows) {
                    packets += f.packet_count;
                    bytes += f.byte_count;
                }
                for (auto& m : encode_aggregate_reply(msg, packets, bytes, static_cast<uint32_t>(flows.size())))
                    send(c, std::move(m));
                return;
            }
            for (auto& m : encode_flow_stats_reply(msg, flows)) send(c, std::move(m));
            return;
        }
        case OfpType::PortDescRequest: {
            // 1.5 asks about one port (or OFPP_ANY).
            auto v = decode_port_stats_request(msg);
            if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
            uint32_t want = std::get<uint32_t>(v);
            std::vector<OfpPortInfo> sel;
            for (auto& p : ports())
                if (want == 0xffffffff || want == 0xffff || (want & 0xffff) == p.port_no) sel.push_back(std::move(p));
            for (auto& m : encode_port_desc_reply(msg, sel)) send(c, std::move(m));
            return;
        }
        case OfpType::TableStatsRequest: {
            Pipeline* p = sw_.pipeline(bridge_);
            std::vector<OfpTableStats> tables;
            for (int t = 0; t < kNTables; t++) {
                OfpTableStats ts;
                ts.table_id = static_cast<uint8_t>(t);
                ts.name = t == 0 ? "classifier" : fmt::format("table{}", t);
                ts.active_count = p ? static_cast<uint32_t>(p->n_rules(static_cast<uint8_t>(t))) : 0;
                tables.push_back(std::move(ts));
            }
            for (auto& m : encode_table_stats_reply(msg, tables)) send(c, std::move(m));
            return;
        }
        case OfpType::PortStatsRequest: {
            auto v = decode_port_stats_request(msg);
            if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
            uint32_t want = std::get<uint32_t>(v);
            auto all = sw_.of_port_stats(bridge_);
            std::vector<OfpPortStats> sel;
            for (auto& s : all)
                if (want == 0xffffffff || want == 0xffff || (want & 0xffff) == s.port_no) sel.push_back(s);
            for (auto& m : encode_port_stats_reply(msg, sel)) send(c, std::move(m));
            return;
        }
        case OfpType::TableFeaturesRequest:
            if (table_features_request_is_set(msg))
                return send_error(c, OfpError{OfpErr::OFPTFFC_EPERM, "changing table features"}, msg);
            for (auto& m : encode_table_features_reply(msg, kNTables)) send(c, std::move(m));
            return;
        case OfpType::TableDescRequest:
            for (auto& m : encode_table_desc_reply(msg, kNTables)) send(c, std::move(m));
            return;
        case OfpType::GroupMod: return reply_to_mod(c, msg, [&](Removed& r) { return group_mod(c, msg, r); });
        case OfpType::MeterMod: return reply_to_mod(c, msg, [&](Removed& r) { return meter_mod(c, msg, r); });
        case OfpType::GroupStatsRequest:
        case OfpType::GroupDescRequest: {
            auto v = decode_group_request(msg);
            if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
            Pipeline* p = sw_.pipeline(bridge_);
            if (!p) return send_error(c, OfpError{OfpErr::OFPBRC_EPERM, "bridge is gone"}, msg);
            uint32_t g = std::get<uint32_t>(v);
            auto replies = type == OfpType::GroupStatsRequest
                               ? encode_group_stats_reply(msg, collect_group_stats(*p, g, Clock::now()))
                               : encode_group_desc_reply(msg, collect_group_desc(*p, g));
            for (auto& m : replies) send(c, std::move(m));
            return;
        }
        case OfpType::GroupFeaturesRequest: {
            OfpGroupFeatures f;
            f.types = 0xf;                  // all, select, indirect, fast failover
            f.capabilities = 1 | 2 | 4;     // select weight, select liveness, chaining
            // OpenFlow 1.1 action numbers the buckets can run: output, the
            // VLAN/Ethernet/IP/port edits, push/pop VLAN, set_queue, group,
            // set/dec nw TTL, set_field (no MPLS, no TTL copies).
            uint32_t acts = 0;
            for (int a : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18, 21, 22, 23, 24, 25}) acts |= 1u << a;
            for (int i = 0; i < 4; i++) {
                f.max_groups[i] = kOfpgMax;
                f.actions[i] = acts;
            }
            return send(c, encode_group_features_reply(msg, f));
        }
        case OfpType::MeterStatsRequest:
        case OfpType::MeterConfigRequest: {
            auto v = decode_meter_request(msg);
            if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
            uint32_t m = std::get<uint32_t>(v);
            // As Open vSwitch: asking about one meter that does not exist is an error.
            if (m != kOfpmAll && sw_.meter_config(bridge_, m).empty())
                return send_error(c, OfpError{OfpErr::OFPMMFC_UNKNOWN_METER, fmt::format("no meter {}", m)}, msg);
            auto replies = type == OfpType::MeterStatsRequest ? encode_meter_stats_reply(msg, sw_.meter_stats(bridge_, m))
                                                              : encode_meter_config_reply(msg, sw_.meter_config(bridge_, m));
            for (auto& r : replies) send(c, std::move(r));
            return;
        }
        case OfpType::MeterFeaturesRequest: return send(c, encode_meter_features_reply(msg, Switch::meter_features()));
        // No queues are configured (no QoS yet): their statistics are
        // empty, truthfully.
        case OfpType::QueueStatsRequest: return send(c, encode_empty_multipart_reply(msg));
        case OfpType::NxSetFlowFormat:
            return u32_control([&](uint32_t f) {
                if (f != 0 && f != 2)
                    return send_error(c, OfpError{OfpErr::OFPBRC_EPERM, fmt::format("flow format {}", f)}, msg);
                c.nxm = f == 2;
            });
        case OfpType::NxFlowModTableId: return u32_control([&](uint32_t v) { c.table_id_ext = v != 0; });
        case OfpType::NxSetPacketInFormat:
            return u32_control([&](uint32_t f) {
                if (f > 2)
                    return send_error(c, OfpError{OfpErr::OFPBRC_EPERM, fmt::format("packet-in format {}", f)}, msg);
                c.pin_format = static_cast<PacketInFormat>(f);
            });
        case OfpType::NxSetControllerId: return u32_control([&](uint32_t id) { c.controller_id = static_cast<uint16_t>(id); });
        case OfpType::NxSetAsyncConfig:
        case OfpType::SetAsync: {
            auto v = decode_set_async(msg, c.async);
            if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
            c.async = std::get<OfpAsyncConfig>(v);
            return;
        }
        case OfpType::GetAsyncRequest: return send(c, encode_get_async_reply(msg, c.async));
        default:
            // Group and meter tables, bundles, table mods and features,
            // queue configuration, flow monitors and TLV tables are not
            // implemented yet: say so as OpenFlow does for an unsupported
            // request.
            return send_error(c,
                              OfpError{OfpErr::OFPBRC_BAD_TYPE,
                                       fmt::format("{} is not supported by xvs yet", ofp_type_name(type))},
                              msg);
    }
}

template <typename Fn>
void ConnMgr::reply_to_mod(Conn& c, std::span<const uint8_t> msg, Fn&& mod) {
    Removed removed;
    auto e = mod(removed);
    for (const auto& fr : removed) send_flow_removed(fr);
    if (e) send_error(c, *e, msg);
}

std::optional<OfpError> ConnMgr::flow_mod(Conn& c, std::span<const uint8_t> msg, Removed& removed) {
    auto v = decode_flow_mod(msg, c.table_id_ext);
    if (auto* e = std::get_if<OfpError>(&v)) return *e;
    auto& fm = std::get<OfpFlowMod>(v);
    Pipeline* p = sw_.pipeline(bridge_);
    if (!p) return OfpError{OfpErr::OFPBRC_EPERM, "bridge is gone"};
    if (fm.command == FlowModCommand::Add || fm.command == FlowModCommand::Modify ||
        fm.command == FlowModCommand::ModifyStrict) {
        uint8_t table = fm.table_id == 0xff ? 0 : fm.table_id;
        if (auto e = check_actions(fm.actions, fm.match, c.version, kOfppMax, table)) return e;
        if (auto e = sw_.check_actions_supported(bridge_, fm.actions)) return e;
    }
    // No packets are buffered, so a flow mod naming one fails whole, as
    // in Open vSwitch (the flow is not added).
    if (fm.buffer_id != UINT32_MAX) return OfpError{OfpErr::OFPBRC_BUFFER_UNKNOWN, "xvs does not buffer packets"};
    FlowModOutcome out = apply_flow_mod(*p, fm, c.version, Clock::now());
    if (out.error) return out.error;
    removed.insert(removed.end(), out.removed.begin(), out.removed.end());
    // No revalidation request: the pipeline's change log tells the switch
    // which megaflows the change can affect.
    return std::nullopt;
}

std::optional<OfpError> ConnMgr::group_mod(Conn&, std::span<const uint8_t> msg, Removed& removed) {
    auto v = decode_group_mod(msg);
    if (auto* e = std::get_if<OfpError>(&v)) return *e;
    // A bucket has no match to promise its actions' prerequisites: as in
    // Open vSwitch, bucket actions are not checked against one (an edit of
    // a header the packet lacks does nothing); the decoder has checked
    // their form and Switch::group_mod the groups they name.
    FlowModOutcome out = sw_.group_mod(bridge_, std::get<OfpGroupMod>(v));
    removed.insert(removed.end(), out.removed.begin(), out.removed.end());
    return out.error;
}

std::optional<OfpError> ConnMgr::meter_mod(Conn&, std::span<const uint8_t> msg, Removed& removed) {
    auto v = decode_meter_mod(msg);
    if (auto* e = std::get_if<OfpError>(&v)) return *e;
    FlowModOutcome out = sw_.meter_mod(bridge_, std::get<OfpMeterMod>(v));
    removed.insert(removed.end(), out.removed.begin(), out.removed.end());
    return out.error;
}

std::optional<OfpError> ConnMgr::packet_out(Conn&, std::span<const uint8_t> msg) {
    auto v = decode_packet_out(msg);
    if (auto* e = std::get_if<OfpError>(&v)) return *e;
    auto& po = std::get<OfpPacketOut>(v);
    if (po.buffer_id != UINT32_MAX) return OfpError{OfpErr::OFPBRC_BUFFER_UNKNOWN, "xvs does not buffer packets"};
    return sw_.packet_out(bridge_, static_cast<OfPort>(po.in_port), po.packet, po.actions);
}

std::optional<OfpError> ConnMgr::port_mod(Conn& c, std::span<const uint8_t> msg) {
    auto v = decode_port_mod(msg);
    if (auto* e = std::get_if<OfpError>(&v)) return *e;
    auto& pm = std::get<OfpPortMod>(v);
    for (const auto& p : ports()) {
        if (p.port_no != (pm.port_no >= 0xfffffff8 ? (pm.port_no & 0xffff) : pm.port_no)) continue;
        if (p.hw_addr != pm.hw_addr) return OfpError{OfpErr::OFPPMFC_BAD_HW_ADDR, "hardware address does not match"};
        if (pm.advertise)
            return OfpError{OfpErr::OFPPMFC_BAD_ADVERTISE, "changing a port's advertised features is not supported"};
        sync_ports();  // what changed before this mod is everyone's news
        if (auto e = sw_.port_mod(bridge_, static_cast<OfPort>(p.port_no), pm.config, pm.mask)) return e;
        sync_ports(&c);
        return std::nullopt;
    }
    return OfpError{OfpErr::OFPPMFC_BAD_PORT, fmt::format("no port {}", pm.port_no)};
}

// ---- Bundles ----
//
// As Open vSwitch: opening an id that exists drops it and fails
// (OFPBFC_BAD_ID); adding to an unknown id opens it; a closed bundle takes
// no more messages; flags must stay the same (OFPBFC_BAD_FLAGS, which also
// drops the bundle). A commit applies the messages in order and, when one
// fails, sends that message's error, puts the tables back as they were and
// fails the commit with OFPBFC_MSG_FAILED. Packet-outs run only once the
// whole bundle has succeeded.

void ConnMgr::handle_bundle_control(Conn& c, std::span<const uint8_t> msg) {
    auto v = decode_bundle_ctrl(msg);
    if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
    const auto& bc = std::get<OfpBundleCtrl>(v);
    auto it = c.bundles.find(bc.bundle_id);
    auto fail = [&](OfpErr e, std::string why, bool drop) {
        if (drop && it != c.bundles.end()) c.bundles.erase(it);
        send_error(c, OfpError{e, std::move(why)}, msg);
    };
    std::string id = fmt::format("bundle {:#x}", bc.bundle_id);
    BundleCtrlType reply;
    switch (bc.type) {
        case BundleCtrlType::OpenRequest:
            if (it != c.bundles.end()) return fail(OfpErr::OFPBFC_BAD_ID, id + " is already open", true);
            c.bundles[bc.bundle_id].flags = bc.flags;
            reply = BundleCtrlType::OpenReply;
            break;
        case BundleCtrlType::CloseRequest:
            if (it == c.bundles.end()) return fail(OfpErr::OFPBFC_BAD_ID, "no " + id, false);
            if (it->second.closed) return fail(OfpErr::OFPBFC_BUNDLE_CLOSED, id + " is closed", true);
            if (it->second.flags != bc.flags) return fail(OfpErr::OFPBFC_BAD_FLAGS, id + ": other flags", true);
            it->second.closed = true;
            reply = BundleCtrlType::CloseReply;
            break;
        case BundleCtrlType::CommitRequest:
            if (it == c.bundles.end()) return fail(OfpErr::OFPBFC_BAD_ID, "no " + id, false);
            if (auto e = commit_bundle(c, bc.bundle_id, bc.flags)) return send_error(c, *e, msg);
            reply = BundleCtrlType::CommitReply;
            break;
        case BundleCtrlType::DiscardRequest:
            if (it == c.bundles.end()) return fail(OfpErr::OFPBFC_BAD_ID, "no " + id, false);
            c.bundles.erase(it);
            reply = BundleCtrlType::DiscardReply;
            break;
        default: return fail(OfpErr::OFPBFC_BAD_TYPE, "not a bundle control request", false);
    }
    send(c, encode_bundle_ctrl_reply(msg, reply));
}

void ConnMgr::handle_bundle_add(Conn& c, std::span<const uint8_t> msg) {
    auto v = decode_bundle_add(msg);
    if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
    const auto& ba = std::get<OfpBundleAdd>(v);
    // The message must decode now (its errors come back at once).
    std::optional<OfpError> bad;
    switch (ba.inner_type) {
        case OfpType::FlowMod:
            if (auto d = decode_flow_mod(ba.inner, c.table_id_ext); std::holds_alternative<OfpError>(d))
                bad = std::get<OfpError>(d);
            else if (std::get<OfpFlowMod>(d).buffer_id != UINT32_MAX)
                bad = OfpError{OfpErr::OFPBRC_BUFFER_UNKNOWN, "xvs does not buffer packets"};
            break;
        case OfpType::GroupMod:
            if (auto d = decode_group_mod(ba.inner); std::holds_alternative<OfpError>(d)) bad = std::get<OfpError>(d);
            break;
        case OfpType::PortMod:
            if (auto d = decode_port_mod(ba.inner); std::holds_alternative<OfpError>(d)) bad = std::get<OfpError>(d);
            break;
        case OfpType::PacketOut:
            if (auto d = decode_packet_out(ba.inner); std::holds_alternative<OfpError>(d)) bad = std::get<OfpError>(d);
            break;
        default: bad = OfpError{OfpErr::OFPBFC_MSG_UNSUP, "this message cannot be bundled"};
    }
    if (bad) return send_error(c, *bad, msg);
    auto it = c.bundles.find(ba.bundle_id);
    if (it == c.bundles.end()) {
        it = c.bundles.emplace(ba.bundle_id, Conn::Bundle{}).first;
        it->second.flags = ba.flags;
    } else if (it->second.closed) {
        c.bundles.erase(it);
        return send_error(c, OfpError{OfpErr::OFPBFC_BUNDLE_CLOSED, "the bundle is closed"}, msg);
    } else if (it->second.flags != ba.flags) {
        c.bundles.erase(it);
        return send_error(c, OfpError{OfpErr::OFPBFC_BAD_FLAGS, "the bundle has other flags"}, msg);
    }
    it->second.msgs.emplace_back(msg.begin(), msg.end());
}

std::optional<OfpError> ConnMgr::commit_bundle(Conn& c, uint32_t id, uint16_t flags) {
    Conn::Bundle bundle = std::move(c.bundles.at(id));
    c.bundles.erase(id);
    if (bundle.flags != flags) return OfpError{OfpErr::OFPBFC_BAD_FLAGS, "commit with other flags than the bundle's"};
    Pipeline* p = sw_.pipeline(bridge_);
    if (!p) return OfpError{OfpErr::OFPBFC_MSG_FAILED, "bridge is gone"};
    PipelineSnapshot before = snapshot_pipeline(*p);
    Removed removed;
    std::vector<std::span<const uint8_t>> packet_outs;
    for (const Bytes& outer : bundle.msgs) {
        auto ba = std::get<OfpBundleAdd>(decode_bundle_add(outer));
        std::optional<OfpError> e;
        switch (ba.inner_type) {
            case OfpType::FlowMod: e = flow_mod(c, ba.inner, removed); break;
            case OfpType::GroupMod: e = group_mod(c, ba.inner, removed); break;
            case OfpType::PortMod:
                // Port mods cannot be undone: not in atomic bundles.
                e = (flags & kBundleAtomic) ? OfpError{OfpErr::OFPBFC_MSG_FAILED, "port mods are not atomic"}
                                            : port_mod(c, ba.inner);
                break;
            case OfpType::PacketOut: packet_outs.push_back(ba.inner); break;
            default: e = OfpError{OfpErr::OFPBFC_MSG_UNSUP, "this message cannot be bundled"};
        }
        if (e) {
            send_error(c, *e, outer);
            restore_pipeline(*p, before);
            sw_.request_revalidation();
            return OfpError{OfpErr::OFPBFC_MSG_FAILED, "a message of the bundle failed: nothing was changed"};
        }
    }
    for (const auto& fr : removed) send_flow_removed(fr);
    for (auto po : packet_outs)
        if (auto e = packet_out(c, po)) send_error(c, *e, po);
    return std::nullopt;
}

void ConnMgr::handle_role(Conn& c, std::span<const uint8_t> msg) {
    auto v = decode_role_request(msg);
    if (auto* e = std::get_if<OfpError>(&v)) return send_error(c, *e, msg);
    auto& rr = std::get<OfpRoleRequest>(v);
    if (c.service && rr.role != OfpRole::NoChange)
        return send_error(c, OfpError{OfpErr::OFPRRFC_UNSUP, "service connections have no role"}, msg);
    if (rr.role == OfpRole::Primary || rr.role == OfpRole::Secondary) {
        if (rr.has_generation) {
            // A request whose generation id is older than the newest seen is stale.
            if (have_generation_ && static_cast<int64_t>(rr.generation_id - generation_id_) < 0)
                return send_error(c, OfpError{OfpErr::OFPRRFC_STALE, "stale generation id"}, msg);
            generation_id_ = rr.generation_id;
            have_generation_ = true;
        }
        if (rr.role == OfpRole::Primary)
            for (auto& other : conns_)
                if (other.get() != &c && other->role == OfpRole::Primary) other->role = OfpRole::Secondary;
    }
    if (rr.role != OfpRole::NoChange) c.role = rr.role;
    send(c, encode_role_reply(msg, c.role, generation_id_));
}

bool ConnMgr::receives_async(const Conn& c, int kind, uint8_t reason) const {
    if (c.closed || !c.version) return false;
    if (c.service && !c.miss_send_len) return false;
    int i = c.role == OfpRole::Secondary ? 1 : 0;
    uint32_t mask = kind == kAsyncPacketIn      ? c.async.packet_in[i]
                    : kind == kAsyncPortStatus ? c.async.port_status[i]
                                               : c.async.flow_removed[i];
    return (mask >> reason) & 1;
}

void ConnMgr::send_packet_in(const PacketInSpec& spec, std::span<const uint8_t> packet, uint32_t total_len) {
    for (auto& c : conns_) {
        if (c->controller_id != spec.controller_id || !receives_async(*c, kAsyncPacketIn, spec.reason)) continue;
        if (c->stream->backlog() > kMaxBacklog) continue;
        OfpPacketIn pi;
        size_t max = spec.reason == kOfprNoMatch ? c->miss_send_len : spec.max_len;
        pi.packet.assign(packet.begin(), packet.begin() + std::min(packet.size(), max));
        pi.total_len = total_len;
        pi.reason = spec.reason;
        pi.table_id = spec.table_id;
        pi.cookie = spec.cookie;
        pi.userdata = spec.userdata;
        // The pipeline metadata as a match: in_port always, the rest when set.
        Flow exact;
        exact.in_port = 0xffff;
        exact.metadata = spec.flow.metadata ? UINT64_MAX : 0;
        for (int r = 0; r < kFlowNRegs; r++) exact.regs[r] = spec.flow.regs[r] ? UINT32_MAX : 0;
        exact.pkt_mark = spec.flow.pkt_mark ? UINT32_MAX : 0;
        pi.metadata = Match::make(spec.flow, exact);
        PacketInFormat fmt = c->pin_format;
        if (c->version != kOfp10 && fmt == PacketInFormat::Nxt) fmt = PacketInFormat::Standard;
        send(*c, encode_packet_in(c->version, fmt, pi, 0));
    }
}

void ConnMgr::sync_ports(const Conn* source) {
    std::map<uint32_t, OfpPortInfo> now;
    for (auto& p : ports()) now.emplace(p.port_no, std::move(p));
    auto notify = [&](uint8_t reason, const OfpPortInfo& p, const OfpPortInfo* old) {
        for (auto& c : conns_) {
            if ((c.get() == source && c->version < kOfp15) || !receives_async(*c, kAsyncPortStatus, reason)) continue;
            Bytes msg = encode_port_status(c->version, reason, p);
            // A change this version cannot express (NO_FLOOD after 1.0) says nothing.
            if (old && encode_port_status(c->version, reason, *old) == msg) continue;
            send(*c, std::move(msg));
        }
    };
    if (ports_known_) {
        for (const auto& [no, p] : known_ports_)
            if (!now.count(no)) notify(kOfpprDelete, p, nullptr);
        for (const auto& [no, p] : now) {
            auto it = known_ports_.find(no);
            if (it == known_ports_.end())
                notify(kOfpprAdd, p, nullptr);
            else if (!(it->second == p))
                notify(kOfpprModify, p, &it->second);
        }
    }
    known_ports_ = std::move(now);
    ports_known_ = true;
}

void ConnMgr::send_flow_removed(const OfpFlowRemoved& fr) {
    for (auto& c : conns_)
        if (receives_async(*c, kAsyncFlowRemoved, fr.reason)) send(*c, encode_flow_removed(c->version, c->nxm, fr, 0));
}

size_t ConnMgr::n_connections() const {
    return std::count_if(conns_.begin(), conns_.end(), [](const auto& c) { return !c->closed; });
}

bool ConnMgr::wants_packet_in_on_miss() const {
    // As Open vSwitch does: a table miss goes to the controllers when some
    // non-service connection speaks OpenFlow 1.0-1.2, whose table-miss
    // default is "send to controller" (1.3+ made it "drop").
    return std::any_of(conns_.begin(), conns_.end(), [](const auto& c) {
        return !c->closed && !c->service && c->version && c->version <= kOfp12;
    });
}

std::vector<OfControllerStatus> ConnMgr::controller_status() const {
    std::vector<OfControllerStatus> out;
    auto now = Clock::now();
    auto secs = [&](Clock::time_point t) {
        return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now - t).count());
    };
    for (const auto& r : remotes_) {
        if (r->service) continue;
        OfControllerStatus s;
        s.target = r->cfg.target;
        s.last_error = r->last_error;
        const Conn* c = r->conn;
        if (r->passive) {
            for (const auto& cc : conns_)
                if (cc->remote == r.get() && !cc->closed) c = cc.get();
        }
        s.is_connected = c && c->version;
        OfpRole role = c ? c->role : OfpRole::Equal;
        s.role = role == OfpRole::Primary ? "master" : role == OfpRole::Secondary ? "slave" : "other";
        s.state = s.is_connected ? "ACTIVE" : (r->passive ? "LISTENING" : (r->retry.active() ? "BACKOFF" : "CONNECTING"));
        if (r->connected_at != Clock::time_point{}) s.sec_since_connect = secs(r->connected_at);
        if (r->disconnected_at != Clock::time_point{}) s.sec_since_disconnect = secs(r->disconnected_at);
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace xvs::ofproto
