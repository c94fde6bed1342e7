#include "ofproto/switch.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "compiler/dp_actions.h"
#include "compiler/dp_flow_text.h"
#include "compiler/flow_extract.h"
#include "compiler/flow_mask.h"
#include "ofproto/flow_table.h"
#include "util/netdev.h"
#include "util/vlog.h"

namespace xvs::ofproto {

namespace {

VlogModule vlog("switch");
RateLimiter rl(60, 20);

std::string ukey_id(const xvs_flow_key& key, const xvs_flow_key& mask) {
    std::string s(reinterpret_cast<const char*>(&key), sizeof key);
    s.append(reinterpret_cast<const char*>(&mask), sizeof mask);
    return s;
}

xvs_flow_key key_and(const xvs_flow_key& k, const xvs_flow_key& m) {
    xvs_flow_key r;
    auto* rp = reinterpret_cast<uint64_t*>(&r);
    auto* kp = reinterpret_cast<const uint64_t*>(&k);
    auto* mp = reinterpret_cast<const uint64_t*>(&m);
    for (size_t i = 0; i < XVS_KEY_WORDS; i++) rp[i] = kp[i] & mp[i];
    return r;
}

bool key_is_subset(const xvs_flow_key& a, const xvs_flow_key& b) {
    auto* ap = reinterpret_cast<const uint64_t*>(&a);
    auto* bp = reinterpret_cast<const uint64_t*>(&b);
    for (size_t i = 0; i < XVS_KEY_WORDS; i++)
        if (ap[i] & ~bp[i]) return false;
    return true;
}

bool same_actions(const xvs_action_list& a, const xvs_action_list& b) {
    return a.n == b.n && a.flags == b.flags && std::memcmp(a.a, b.a, sizeof(xvs_action) * a.n) == 0;
}

// The switch-side end of an internal interface's veth pair.
std::string internal_peer_name(const std::string& name) {
    uint32_t h = 2166136261u;
    for (unsigned char c : name) h = (h ^ c) * 16777619u;
    return fmt::format("xvsi{:08x}", h);
}

}  // namespace

struct Switch::BridgeState {
    struct Iface {
        std::pair<uint32_t, uint32_t> policing{0, 0};  // rate, burst as applied
        std::string type;
        std::string device;  // attached kernel device
        uint32_t dp_port = kNoDpPort;
        OfPort ofport = 0;
        std::string error;
        // OFPPC_* bits OpenFlow port mods set. PORT_DOWN is kept here only
        // for ports without a kernel device; a device's own IFF_UP is its
        // PORT_DOWN otherwise.
        uint32_t of_config = 0;
    };
    XBridge x;
    Pipeline pipeline;
    MacLearning mac;
    std::map<std::string, Iface> ifaces;
    std::map<std::string, uint32_t> bundle_ids;  // port name → bundle id
    uint32_t next_bundle = 1;
    uint64_t normal_rule = 0;  // id of the bridge's own NORMAL flow, 0 none
    uint64_t seen_pipeline = 0;
    uint64_t seen_mac = 0;
    std::map<uint32_t, OfPort> bond_active;  // bonds (bundle id) → the active member last seen
    std::unique_ptr<SflowAgent> sflow;
    std::string sflow_error;  // why the configured agent could not start
    std::unique_ptr<NetflowExporter> netflow;
    std::string netflow_error;
    std::unique_ptr<IpfixExporter> ipfix;
    std::string ipfix_error;
    struct FlowExporter {
        IpfixConfig cfg;
        std::unique_ptr<IpfixExporter> ipfix;
        std::string error;
    };
    std::map<uint32_t, FlowExporter> flow_ipfix;  // by Flow_Sample_Collector_Set id
};

struct Switch::Ukey {
    xvs_flow_key key;  // masked
    xvs_flow_key mask;
    xvs_action_list actions;
    std::vector<uint64_t> rules;
    std::vector<MacLearned> learned;
    std::vector<LearnedFlow> learned_flows;  // learn actions: applied again while packets pass
    std::vector<FinTimeoutHit> fin_timeouts;
    std::vector<MirrorHit> mirrors;
    std::vector<GroupHit> groups;
    std::vector<std::pair<std::string, uint32_t>> meters;
    uint64_t packets = 0, bytes = 0;  // as last seen in the datapath
    uint64_t created_ns = 0;
    uint64_t dump_gen = 0;  // the last revalidator dump that saw it in the datapath
    // The table lookups of its translation; unknown for megaflows adopted
    // from an earlier run until their first revalidation.
    std::vector<TableVisit> visits;
    bool visits_known = false;
    uint16_t nf_output = kNetflowOutDrop;  // NetFlow's output interface for its packets
};

namespace {

// FNV-1a over what a registered spec (packet-in, flow sample) carries.
struct Digest {
    uint64_t h = 1469598103934665603ull;
    void mix(const void* p, size_t n) {
        for (size_t i = 0; i < n; i++) h = (h ^ static_cast<const uint8_t*>(p)[i]) * 1099511628211ull;
    }
};

// Keeps 'spec' under the cookie (tag in the top byte, the digest below), so
// equal specs share one entry. The table is bounded: when full it starts
// over, and revalidation registers what installed megaflows still use.
template <typename Spec>
uint64_t register_spec(std::unordered_map<uint64_t, Spec>& table, uint64_t tag, const Digest& d, const Spec& spec) {
    uint64_t cookie = (tag << 56) | (d.h & ((uint64_t{1} << 56) - 1));
    if (table.size() >= 65536 && !table.count(cookie)) table.clear();
    table[cookie] = spec;
    return cookie;
}

// NetFlow's output interface for a translation's outputs.
uint16_t netflow_output(const XlateOut& xo) {
    const auto& outs = xo.of_outputs;
    if (xo.flooded) return kNetflowOutFlood;  // as Open vSwitch, whatever else went out
    if (outs.empty()) return kNetflowOutDrop;
    if (outs.size() > 1) return kNetflowOutMulti;
    return uint16_t(outs.front());
}

}  // namespace

Switch::Switch(std::unique_ptr<Dpif> dpif, Options options) : dpif_(std::move(dpif)), opts_(options) {}
Switch::~Switch() {
    // What the exporters hold goes out before they do.
    for (auto& [n, br] : bridges_) flush_exporters(*br);
}

void Switch::flush_exporters(BridgeState& br) {
    if (br.netflow) br.netflow->flush_all();
    if (br.ipfix) br.ipfix->flush_all();
    for (auto& [id, fe] : br.flow_ipfix)
        if (fe.ipfix) fe.ipfix->flush_all();
    if (br.sflow) br.sflow->flush_all();
}

XBridge* Switch::bridge(const std::string& name) {
    auto it = bridges_.find(name);
    return it == bridges_.end() ? nullptr : &it->second->x;
}

std::vector<std::string> Switch::bridge_names() const {
    std::vector<std::string> v;
    for (const auto& [n, b] : bridges_) v.push_back(n);
    return v;
}

// ---- Configuration ------------------------------------------------------

Result<uint32_t> Switch::attach(const IfaceConfig& iface, std::string& device) {
    const std::string& type = iface.type;
    if (type == "internal" && !opts_.kernel_devices) {
        // The dummy datapath: an internal interface is one more in-process port.
        device = iface.name;
    } else if (type == "internal") {
        device = internal_peer_name(iface.name);
        if (!netdev::get_link(device)) {
            // A leftover host side (e.g. after a crash) goes with its pair.
            if (netdev::get_link(iface.name)) (void)netdev::delete_link(iface.name);
            if (auto s = netdev::create_veth(iface.name, device); !s) return s.error();
        }
        if (auto s = netdev::set_up(device, true); !s) return s.error();
        if (auto s = netdev::set_up(iface.name, true); !s) return s.error();
    } else if (type.empty() || type == "system" || type == "dummy") {
        if (type == "dummy" && dpif_->type() != "dummy")
            return make_error("interface type \"dummy\" needs xvs-vswitchd --enable-dummy");
        device = iface.name;
    } else {
        return make_error("interface type \"{}\" is not supported by xvs yet", type);
    }
    for (const auto& p : dpif_->ports())
        if (p.ifname == device) return p.port_no;  // adopted (a restart)
    return dpif_->add_port(device);
}

// Policers use datapath meters counted down from the top, one per port, so
// that OpenFlow meters can count up from the bottom.
uint32_t Switch::set_policer(uint32_t dp_port, uint32_t rate_kbps, uint32_t burst_kb) {
    if (dp_port >= XVS_MAX_METERS) return kNoMeter;
    uint32_t id = XVS_MAX_METERS - 1 - dp_port;
    // OVS's default burst for a rate without one: 8000 kbit.
    uint64_t burst = rate_kbps ? (burst_kb ? burst_kb : 8000) : 0;
    if (auto s = dpif_->set_meter(id, rate_kbps, burst, false); !s) {
        vlog.warn("cannot set ingress policing of datapath port {}: {}", dp_port, s.message());
        return kNoMeter;
    }
    return rate_kbps ? id : kNoMeter;
}

void Switch::detach(uint32_t dp_port, const std::string& device, bool internal) {
    if (dp_port != kNoDpPort) {
        (void)set_policer(dp_port, 0, 0);  // the next port with this number starts unpoliced
        if (auto s = dpif_->del_port(dp_port); !s) vlog.warn("cannot remove datapath port {}: {}", dp_port, s.message());
    }
    if (internal && opts_.kernel_devices) (void)netdev::delete_link(device);
}

void Switch::apply_bridge(BridgeState& br, const BridgeConfig& cfg, std::map<std::string, IfaceStatus>& status) {
    br.x.name = cfg.name;
    br.x.pipeline = &br.pipeline;
    br.x.mac = &br.mac;
    br.x.forward_bpdu = cfg.forward_bpdu;
    br.mac.set_aging(std::chrono::seconds(cfg.mac_aging_sec));
    br.mac.set_max_entries(cfg.mac_table_size);

    // Interfaces that went away, or changed type.
    std::map<std::string, const IfaceConfig*> want;
    for (const auto& p : cfg.ports)
        if (p.unsupported.empty())
            for (const auto& i : p.ifaces) want[i.name] = &i;
    for (auto it = br.ifaces.begin(); it != br.ifaces.end();) {
        auto w = want.find(it->first);
        if (w == want.end() || w->second->type != it->second.type) {
            detach(it->second.dp_port, it->second.device, it->second.type == "internal");
            it = br.ifaces.erase(it);
        } else {
            ++it;
        }
    }

    // OpenFlow port numbers in use.
    std::set<OfPort> used;
    for (const auto& [n, i] : br.ifaces)
        if (i.error.empty()) used.insert(i.ofport);

    br.x.ports.clear();
    br.x.bundles.clear();
    std::map<std::string, uint32_t> bundle_ids;
    for (const auto& pc : cfg.ports) {
        if (!pc.unsupported.empty()) {
            for (const auto& ic : pc.ifaces) status[ic.name] = IfaceStatus{cfg.name, -1, kNoDpPort, "", pc.unsupported};
            if (!pc.ifaces.empty()) vlog.warn("port {}: {}", pc.name, pc.unsupported);
            continue;
        }
        uint32_t bid;
        if (auto it = br.bundle_ids.find(pc.name); it != br.bundle_ids.end()) {
            bid = it->second;
        } else {
            bid = br.next_bundle++;
        }
        bundle_ids[pc.name] = bid;
        XBundle b;
        b.id = bid;
        b.name = pc.name;
        b.mode = pc.mode;
        b.tag = pc.tag;
        b.all_trunks = pc.trunks.empty();
        for (int v : pc.trunks)
            if (v >= 0 && v < 4096) b.trunks.set(v);
        b.all_cvlans = pc.cvlans.empty();
        for (int v : pc.cvlans)
            if (v >= 0 && v < 4096) b.cvlans.set(v);
        b.qinq_tpid = pc.qinq_tpid;

        for (const auto& ic : pc.ifaces) {
            auto& st = status[ic.name];
            st.bridge = cfg.name;
            auto [it, fresh] = br.ifaces.try_emplace(ic.name);
            auto& iface = it->second;
            // A device that went away is detached and looked for again, as
            // is one that failed before (it may exist now).
            if (!fresh && iface.error.empty() && iface.dp_port != kNoDpPort && opts_.kernel_devices &&
                !netdev::get_link(iface.device)) {
                detach(iface.dp_port, iface.device, false);
                used.erase(iface.ofport);
                iface.error = "device vanished";
            }
            if (!fresh && !iface.error.empty()) {
                iface = BridgeState::Iface{};
                fresh = true;
            }
            if (fresh) {
                iface.type = ic.type;
                if (ic.type == "patch") {
                    if (!ic.options.count("peer")) iface.error = "patch interface needs options:peer";
                } else if (auto p = attach(ic, iface.device); !p) {
                    iface.error = p.message();
                } else {
                    iface.dp_port = *p;
                }
                if (iface.error.empty()) {
                    OfPort no = 0;
                    auto usable = [&](std::optional<OfPort> o) { return o && *o >= 1 && *o < kOfppMax && !used.count(*o); };
                    if (ic.name == cfg.name) {
                        no = kOfppLocal;
                    } else if (usable(ic.ofport_request)) {
                        no = *ic.ofport_request;
                    } else if (usable(ic.ofport_hint)) {
                        no = *ic.ofport_hint;
                    } else {
                        for (no = 1; used.count(no); no++) {
                        }
                    }
                    iface.ofport = no;
                    used.insert(no);
                } else {
                    vlog.warn("{}: {}", ic.name, iface.error);
                }
            } else if (ic.type == "patch" && iface.error.empty() && !ic.options.count("peer")) {
                iface.error = "patch interface needs options:peer";
            }
            st.error = iface.error;
            st.device = iface.device;
            st.dp_port = iface.dp_port;
            if (!iface.error.empty()) continue;
            st.ofport = iface.ofport;
            XPort xp;
            xp.ofport = iface.ofport;
            xp.dp_port = iface.dp_port;
            xp.name = ic.name;
            xp.bundle = bid;
            if (ic.type == "patch") xp.patch_peer = ic.options.at("peer");
            // Liveness as poll_liveness() last saw it (new ports: now).
            if (auto old = br.x.ports.find(iface.ofport); old != br.x.ports.end()) xp.live = old->second.live;
            if (auto live = device_live(iface.device)) xp.live = *live;
            apply_port_config(iface.of_config, xp);
            if (xp.dp_port != kNoDpPort) {
                if (auto s = dpif_->set_port_options(xp.dp_port, ic.options); !s)
                    vlog.warn("{}: {}", ic.name, s.message());
                std::pair<uint32_t, uint32_t> want{ic.policing_rate_kbps, ic.policing_burst_kb};
                if (want != iface.policing) {
                    set_policer(xp.dp_port, want.first, want.second);
                    iface.policing = want;
                }
                if (want.first) xp.policer = XVS_MAX_METERS - 1 - xp.dp_port;
            }
            br.x.ports[xp.ofport] = xp;
            b.members.push_back(xp.ofport);
        }
        std::sort(b.members.begin(), b.members.end(),
                  [&](OfPort a, OfPort c) { return br.x.ports[a].name < br.x.ports[c].name; });
        if (auto kept = br.bond_active.find(bid); kept != br.bond_active.end()) b.active = kept->second;
        br.x.bundles[bid] = std::move(b);
    }
    // Mirrors, with ports as bundles.
    br.x.mirrors.clear();
    auto bundle_named = [&](const std::string& n) -> uint32_t {
        auto it = bundle_ids.find(n);
        return it == bundle_ids.end() ? 0 : it->second;
    };
    for (const auto& mc : cfg.mirrors) {
        XMirror m;
        m.name = mc.name;
        m.select_all = mc.select_all;
        for (const auto& n : mc.select_src_port)
            if (uint32_t b = bundle_named(n)) m.src.insert(b);
        for (const auto& n : mc.select_dst_port)
            if (uint32_t b = bundle_named(n)) m.dst.insert(b);
        m.all_vlans = mc.select_vlan.empty();
        for (int v : mc.select_vlan)
            if (v >= 0 && v < 4096) m.vlans.set(v);
        if (mc.output_port) m.out_bundle = bundle_named(*mc.output_port);
        m.out_vlan = mc.output_vlan;
        if (!m.out_bundle && m.out_vlan <= 0) {
            vlog.warn("{}: mirror {} has no output port or VLAN: ignored", cfg.name, mc.name);
            continue;
        }
        if (m.out_bundle) br.x.bundles[m.out_bundle].mirror_out = true;
        br.x.mirrors.push_back(std::move(m));
    }

    // MAC entries of ports that went away.
    for (const auto& [name, id] : br.bundle_ids)
        if (!bundle_ids.count(name)) br.mac.flush_port(id);
    br.bundle_ids = std::move(bundle_ids);

    // The bridge's own NORMAL flow.
    OfRule* normal = br.normal_rule ? br.pipeline.by_id(br.normal_rule) : nullptr;
    if (cfg.normal_flow && !normal) {
        Match all{};
        br.normal_rule = br.pipeline.add(0, all, 0, {ActOutput{kOfppNormal}})->id;
    } else if (!cfg.normal_flow && normal) {
        br.pipeline.remove(normal);
        br.normal_rule = 0;
    }
    check_bonds(br);
}

void Switch::check_bonds(BridgeState& br) {
    for (auto it = br.bond_active.begin(); it != br.bond_active.end();) {
        auto b = br.x.bundles.find(it->first);
        it = b == br.x.bundles.end() || b->second.members.size() < 2 ? br.bond_active.erase(it) : std::next(it);
    }
    for (auto& [id, b] : br.x.bundles) {
        if (b.members.size() < 2) continue;
        OfPort now = bundle_active_member(br.x, b);
        b.active = now == kOfppNone ? 0 : now;
        auto [last, fresh] = br.bond_active.try_emplace(id, now);
        if (!fresh && last->second == now) continue;
        std::string name = now == kOfppNone ? "none" : br.x.ports[now].name;
        vlog.info("{}: bond {}: active member {}", br.x.name, b.name, name);
        // A new active member (a new bond's first one too) announces the
        // addresses learned outside the bond, as Open vSwitch does.
        if (now != kOfppNone) send_learning_packets(br, b, br.x.ports[now].dp_port);
        last->second = now;
        need_revalidate_ = true;
    }
}

// After a bond's active member changed, the switches on its far side still
// send to the addresses learned here through the old link. As Open vSwitch
// does, announce each of them (outside the bond, in a VLAN the bond
// carries) with a RARP frame from that address out of the new member.
void Switch::send_learning_packets(BridgeState& br, const XBundle& bond, uint32_t dp_port) {
    if (dp_port == kNoDpPort) return;
    xvs_action out{.type = XVS_ACT_OUTPUT, .arg = dp_port};
    auto list = compiler::encode_action_list(std::span(&out, 1));
    if (!list) return;
    size_t sent = 0;
    br.mac.for_each([&](const MacLearning::Entry& e) {
        if (e.port == bond.id || !bundle_includes_vlan(bond, e.vlan)) return;
        std::vector<uint8_t> f(6, 0xff);
        f.insert(f.end(), e.mac.begin(), e.mac.end());
        if (bundle_tags_vlan(bond, e.vlan)) f.insert(f.end(), {0x81, 0x00, uint8_t(e.vlan >> 8), uint8_t(e.vlan)});
        // RARP "request reverse" (opcode 3): Ethernet/IPv4, sender and
        // target hardware address the announced one, no IP addresses.
        f.insert(f.end(), {0x80, 0x35, 0, 1, 0x08, 0x00, 6, 4, 0, 3});
        f.insert(f.end(), e.mac.begin(), e.mac.end());
        f.insert(f.end(), 4, 0);
        f.insert(f.end(), e.mac.begin(), e.mac.end());
        f.insert(f.end(), 4, 0);
        if (f.size() < 60) f.resize(60, 0);
        if (dpif_->execute(0, f, *list)) sent++;
    });
    if (sent) vlog.info("{}: bond {}: sent {} learning packets", br.x.name, bond.name, sent);
}

void Switch::remove_bridge(const std::string& name) {
    auto it = bridges_.find(name);
    if (it == bridges_.end()) return;
    for (auto& [n, i] : it->second->ifaces) detach(i.dp_port, i.device, i.type == "internal");
    flush_exporters(*it->second);
    bridges_.erase(it);
}

void Switch::rebuild_world() {
    world_ = XlateWorld{};
    by_dp_port_.clear();
    dp_ifindex_.clear();
    for (auto& [name, br] : bridges_)
        for (const auto& [iname, iface] : br->ifaces)
            if (iface.dp_port != kNoDpPort && !iface.device.empty() && opts_.kernel_devices)
                if (unsigned idx = if_nametoindex(iface.device.c_str())) dp_ifindex_[iface.dp_port] = idx;
    for (auto& [name, br] : bridges_) {
        world_.bridges[name] = &br->x;
        for (auto& [no, xp] : br->x.ports) {
            world_.ifaces[xp.name] = {&br->x, no};
            if (xp.dp_port != kNoDpPort) by_dp_port_[xp.dp_port] = {br.get(), no};
        }
    }
}

std::map<std::string, IfaceStatus> Switch::reconfigure(const SwitchConfig& config) {
    std::map<std::string, IfaceStatus> status;
    std::set<std::string> names;
    for (const auto& b : config.bridges) names.insert(b.name);
    for (auto it = bridges_.begin(); it != bridges_.end();) {
        auto next = std::next(it);
        if (!names.count(it->first)) remove_bridge(it->first);
        it = next;
    }
    uint32_t sflow_sub_id = 0;
    for (const auto& b : config.bridges) {
        auto& br = bridges_[b.name];
        if (!br) br = std::make_unique<BridgeState>();
        apply_bridge(*br, b, status);
        configure_sflow(*br, b, b.sflow ? sflow_sub_id++ : 0);
        configure_netflow(*br, b);
        configure_ipfix(*br, b);
    }
    config_ = config;
    rebuild_world();
    tnl_.set_bridges(names);
    tnl_kernel_changed(true);

    // Datapath ports nothing claims any more (left by an earlier run).
    for (const auto& p : dpif_->ports()) {
        if (by_dp_port_.count(p.port_no)) continue;
        vlog.info("removing datapath port {} ({}) that no interface uses", p.port_no, p.ifname);
        bool internal = p.ifname.rfind("xvsi", 0) == 0;
        detach(p.port_no, p.ifname, internal);
    }

    if (!adopted_) {
        adopted_ = true;
        adopt_flows();
    }
    revalidate_all();
    return status;
}

// ---- Upcalls ------------------------------------------------------------

void Switch::handle_upcalls() {
    dpif_->recv_upcalls(256, [this](const Upcall& up) { handle_upcall(up); });
    for (auto& [n, br] : bridges_)
        if (br->sflow) br->sflow->flush();
    revalidate_if_needed();
}

const Switch::Ukey* Switch::install(const xvs_flow_key& key, const XlateOut& xo, const xvs_action_list& actions) {
    xvs_flow_key mask = megaflow_mask(xo);
    xvs_flow_key mkey = key_and(key, mask);
    std::string id = ukey_id(mkey, mask);
    if (auto it = ukeys_.find(id); it != ukeys_.end()) return it->second.get();
    if (ukeys_.size() >= config_.flow_limit) {
        stats_.install_failures++;
        return nullptr;
    }
    if (auto s = dpif_->put_flow(mkey, mask, actions, PutMode::Create); !s) {
        vlog.warn_rl(rl, "cannot install megaflow {}: {}", format_dp_match(mkey, mask), s.message());
        stats_.install_failures++;
        return nullptr;
    }
    auto uk = std::make_unique<Ukey>();
    uk->key = mkey;
    uk->mask = mask;
    uk->actions = actions;
    uk->rules = xo.rules;
    uk->learned = xo.learned;
    uk->learned_flows = xo.learned_flows;
    uk->fin_timeouts = xo.fin_timeouts;
    uk->mirrors = xo.mirrors;
    uk->groups = xo.groups;
    uk->meters = xo.meters;
    uk->visits = xo.visits;
    uk->visits_known = true;
    uk->nf_output = netflow_output(xo);
    uk->created_ns = monotonic_ns();
    const Ukey* installed = uk.get();
    ukeys_[id] = std::move(uk);
    stats_.flows_installed++;
    return installed;
}

void Switch::handle_upcall(const Upcall& up) {
    stats_.upcalls++;
    if (up.hdr.type == XVS_UPCALL_ACTION) return deliver_userspace(up.hdr.cookie, up.packet, up.hdr.pkt_len);
    auto it = by_dp_port_.find(up.hdr.in_port);
    if (it == by_dp_port_.end()) return;
    auto [br, ofport] = it->second;
    if (up.hdr.type == XVS_UPCALL_SAMPLE)
        return take_sample(*br, up.hdr.cookie, up.hdr.in_port, up.hdr.key, up.packet, up.hdr.pkt_len);
    if (up.hdr.type != XVS_UPCALL_MISS) return;
    XlateIn in;
    in.world = &world_;
    prepare(in);
    in.bridge = &br->x;
    in.flow.pkt = up.hdr.key;
    in.flow.in_port = ofport;
    in.now = Clock::now();
    XlateOut xo = xlate(in);
    if (!xo.error.empty()) vlog.warn_rl(rl, "{}: translation failed: {}", br->x.name, xo.error);
    if (xo.mac_changed) need_revalidate_ = true;
    apply_learned(xo.learned_flows, xo.fin_timeouts, ntohs(up.hdr.key.tcp_flags), in.now);
    learn_neighbours(xo);
    for (uint64_t id : xo.rules) {
        if (OfRule* r = br->pipeline.by_id(id)) {
            r->packets++;
            r->bytes += up.hdr.pkt_len;
            r->last_used = in.now;
        }
    }
    for (const auto& m : xo.mirrors) {
        auto& ms = mirror_stats_[{m.bridge, m.mirror}];
        ms.packets++;
        ms.bytes += up.hdr.pkt_len;
    }
    credit_groups(xo.groups, 1, up.hdr.pkt_len);
    credit_meters(xo.meters, 1, up.hdr.pkt_len);
    auto list = compiler::encode_action_list(xo.actions);
    if (!list) {
        // Neither installed nor executed: the next packet upcalls again.
        vlog.warn_rl(rl, "cannot install megaflow for {}: {}", format_dp_match(up.hdr.key, megaflow_mask(xo)),
                     list.message());
        stats_.install_failures++;
        return;
    }
    // NetFlow credits the megaflow's flow (its masked key, as the
    // revalidator's deltas and its removal will name it); a packet whose
    // megaflow could not be installed has no flow to be reported with.
    if (const Ukey* uk = install(up.hdr.key, xo, *list))
        netflow_credit(uk->key, uk->nf_output, 1, up.hdr.pkt_len, uint8_t(ntohs(up.hdr.key.tcp_flags)), in.now);
    if (xo.actions.empty()) return;
    if (up.hdr.cap_len < up.hdr.pkt_len) {
        // Cut short: not executed (the flow carries the next ones), but
        // the samples that lead its actions see the packet as it came.
        std::uniform_int_distribution<uint32_t> draw;
        for (const xvs_action& a : xo.actions) {
            if (a.type == XVS_ACT_METER) continue;  // ingress policing comes first
            if (a.type != XVS_ACT_SAMPLE) break;
            if (a.arg == UINT32_MAX || draw(rng_) < a.arg)
                take_sample(*br, a.u.cookie, up.hdr.in_port, up.hdr.key, up.packet, up.hdr.pkt_len);
        }
        return;
    }
    // The execution hands back packet-ins and the samples it takes (the
    // datapath samples no executed packet).
    uint32_t total_len = up.hdr.pkt_len;
    auto user = [this, br, &up, total_len](const xvs_action& a, std::span<const uint8_t> pkt) {
        if (a.type == XVS_ACT_SAMPLE)
            take_sample(*br, a.u.cookie, up.hdr.in_port, up.hdr.key, pkt, total_len);
        else
            deliver_userspace(a.u.cookie, pkt, total_len);
    };
    if (auto r = dpif_->execute(up.hdr.in_port, up.packet, *list, user); !r)
        vlog.warn_rl(rl, "cannot execute packet: {}", r.message());
    else
        stats_.executes++;
}

// ---- Revalidation -------------------------------------------------------

void Switch::apply_learned(const std::vector<LearnedFlow>& flows, const std::vector<FinTimeoutHit>& fins,
                           uint16_t tcp_flags, Clock::time_point now) {
    for (const auto& lf : flows) {
        auto b = bridges_.find(lf.bridge);
        if (b == bridges_.end()) continue;
        // The pipeline's change log takes it from here.
        FlowModOutcome out = apply_learned_flow(b->second->pipeline, lf.fm, lf.limit, now);
        if (hooks_.flow_removed)
            for (const auto& fr : out.removed) hooks_.flow_removed(lf.bridge, fr);
    }
    constexpr uint16_t kTcpFin = 0x001, kTcpRst = 0x004;
    if (!(tcp_flags & (kTcpFin | kTcpRst))) return;
    for (const auto& f : fins) {
        auto b = bridges_.find(f.bridge);
        if (b == bridges_.end()) continue;
        if (OfRule* r = b->second->pipeline.by_id(f.rule)) reduce_rule_timeouts(*r, f.idle_timeout, f.hard_timeout);
    }
}

void Switch::push_stats(Ukey& uk, const xvs_flow_stats& stats, Clock::time_point now) {
    uint64_t packets = stats.packets, bytes = stats.bytes;
    if (packets <= uk.packets) return;
    uint64_t dp = packets - uk.packets, db = bytes - std::min(bytes, uk.bytes);
    uk.packets = packets;
    uk.bytes = bytes;
    auto it = by_dp_port_.find(uk.key.in_port);
    if (it == by_dp_port_.end()) return;
    BridgeState* br = it->second.first;
    for (uint64_t id : uk.rules) {
        if (OfRule* r = br->pipeline.by_id(id)) {
            r->packets += dp;
            r->bytes += db;
            r->last_used = now;
        }
    }
    for (const auto& m : uk.mirrors) {
        auto& ms = mirror_stats_[{m.bridge, m.mirror}];
        ms.packets += dp;
        ms.bytes += db;
    }
    credit_groups(uk.groups, dp, db);
    credit_meters(uk.meters, dp, db);
    netflow_credit(uk.key, uk.nf_output, dp, db, uint8_t(stats.tcp_flags),
                   Clock::time_point(std::chrono::nanoseconds(stats.used_ns)));
    // Traffic keeps what its learn actions learned alive (re-adding what
    // expired), as Open vSwitch refreshes learned flows from the megaflow's
    // statistics; FIN and RST seen by the megaflow apply fin_timeout.
    apply_learned(uk.learned_flows, uk.fin_timeouts, stats.tcp_flags, now);
    // Traffic keeps the addresses it was learned from alive.
    for (const auto& l : uk.learned) {
        auto b = bridges_.find(l.bridge);
        if (b != bridges_.end() && b->second->x.bundles.count(l.bundle))
            if (b->second->mac.learn(l.vlan, l.mac, l.bundle, now)) need_revalidate_ = true;
    }
}

// A group counts a packet once however many of its buckets it went
// through; each bucket counts it too.
void Switch::credit_groups(const std::vector<GroupHit>& hits, uint64_t packets, uint64_t bytes) {
    std::set<std::pair<std::string, uint32_t>> counted;
    for (const auto& h : hits) {
        auto b = bridges_.find(h.bridge);
        if (b == bridges_.end()) continue;
        auto g = b->second->pipeline.groups.find(h.group);
        if (g == b->second->pipeline.groups.end()) continue;
        if (counted.insert({h.bridge, h.group}).second) {
            g->second.packets += packets;
            g->second.bytes += bytes;
        }
        if (h.bucket < g->second.bucket_stats.size()) {
            g->second.bucket_stats[h.bucket].first += packets;
            g->second.bucket_stats[h.bucket].second += bytes;
        }
    }
}

void Switch::credit_meters(const std::vector<std::pair<std::string, uint32_t>>& hits, uint64_t packets,
                           uint64_t bytes) {
    for (const auto& [bridge, id] : hits) {
        auto b = bridges_.find(bridge);
        if (b == bridges_.end()) continue;
        if (auto m = b->second->pipeline.meters.find(id); m != b->second->pipeline.meters.end()) {
            m->second.packets += packets;
            m->second.bytes += bytes;
        }
    }
}

void Switch::revalidate_all() {
    for (auto& [n, br] : bridges_) (void)br->pipeline.take_changes();
    revalidate(nullptr);
}

namespace {

// Whether a packet of the megaflow (key, mask), arriving on in_port and
// not edited yet, could match 'm'.
bool may_match(const Match& m, const xvs_flow_key& key, const xvs_flow_key& mask, OfPort in_port) {
    Flow init{}, known;
    init.pkt = key;
    init.in_port = in_port;
    for (auto& w : flow_words(known)) w = ~uint64_t{0};  // every other field is known: zero until an action sets it
    known.pkt = mask;
    known.conj_id = 0;  // set by the classifier itself: a conj_id rule may match any packet
    const Flow& cinit = init;
    const Flow& cknown = known;
    auto a = flow_words(m.flow), b = flow_words(cinit), mm = flow_words(m.mask), k = flow_words(cknown);
    for (size_t i = 0; i < kFlowWords; i++)
        if ((a[i] ^ b[i]) & mm[i] & k[i]) return false;
    return true;
}

}  // namespace

void Switch::revalidate_if_needed() {
    bool all = std::exchange(need_revalidate_, false);
    std::vector<std::pair<const Pipeline*, Pipeline::Changes>> changes;
    for (auto& [n, br] : bridges_) {
        if (br->mac.version() != br->seen_mac) all = true;
        if (br->pipeline.version() == br->seen_pipeline) continue;
        auto c = br->pipeline.take_changes();
        if (c.all) all = true;
        changes.emplace_back(&br->pipeline, std::move(c));
    }
    if (all) return revalidate(nullptr);
    if (changes.empty()) return;
    // Only the megaflows that looked up a changed table and whose packets
    // could match a changed rule there (or were edited before the lookup).
    auto affected = [&](const Ukey& uk) {
        if (!uk.visits_known) return true;
        auto bp = by_dp_port_.find(uk.key.in_port);
        OfPort in_port = bp == by_dp_port_.end() ? 0 : bp->second.second;
        for (const auto& v : uk.visits)
            for (const auto& [p, c] : changes) {
                if (p != v.pipeline) continue;
                for (const auto& rc : c.rules)
                    if (rc.table == v.table && (v.edited || may_match(rc.match, uk.key, uk.mask, in_port)))
                        return true;
            }
        return false;
    };
    revalidate(affected);
}

void Switch::revalidate(const std::function<bool(const Ukey&)>& only) {
    stats_.revalidations++;
    uint64_t t0 = monotonic_ns();
    stats_.last_reval_checked = 0;
    for (auto it = ukeys_.begin(); it != ukeys_.end();) {
        Ukey& uk = *it->second;
        if (only && !only(uk)) {
            ++it;
            continue;
        }
        stats_.last_reval_checked++;
        bool keep = false;
        auto bp = by_dp_port_.find(uk.key.in_port);
        if (bp != by_dp_port_.end()) {
            XlateIn in;
            in.world = &world_;
            prepare(in);
            in.bridge = &bp->second.first->x;
            in.flow.pkt = uk.key;
            in.flow.in_port = bp->second.second;
            in.may_learn = false;
            XlateOut xo = xlate(in);
            xvs_flow_key mask = megaflow_mask(xo);
            auto list = compiler::encode_action_list(xo.actions);
            // A translation that now needs bits the megaflow wildcards
            // cannot reuse it: the packets it covers may differ there.
            if (list && key_is_subset(mask, uk.mask)) {
                keep = true;
                if (!same_actions(*list, uk.actions)) {
                    if (auto s = dpif_->put_flow(uk.key, uk.mask, *list, PutMode::Modify); !s) {
                        keep = false;
                    } else {
                        uk.actions = *list;
                    }
                }
                uk.rules = xo.rules;
                uk.learned = xo.learned;
                uk.learned_flows = xo.learned_flows;
                uk.fin_timeouts = xo.fin_timeouts;
                uk.mirrors = xo.mirrors;
                uk.visits = xo.visits;
                uk.visits_known = true;
                uk.nf_output = netflow_output(xo);
            }
        }
        if (!keep) {
            // What it passed since the last dump goes to the rules it ran
            // (and NetFlow) before it goes.
            xvs_flow_stats last{};
            if (dpif_->del_flow(uk.key, uk.mask, &last).ok()) push_stats(uk, last, Clock::now());
            stats_.flows_revalidated_away++;
            forget(uk);
            it = ukeys_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [n, br] : bridges_) {
        br->seen_pipeline = br->pipeline.version();
        br->seen_mac = br->mac.version();
    }
    stats_.last_reval_ms = double(monotonic_ns() - t0) / 1e6;
}

void Switch::adopt_flows() {
    // Flows a previous run left in the datapath keep forwarding. Relearn
    // the MAC table from them (a NORMAL megaflow's key holds the source
    // address, VLAN and port the original packet was learned from), then
    // take each one over as if this run had installed it; revalidation
    // follows and removes what the configuration no longer allows.
    auto flows = dpif_->dump_flows();
    for (const auto& f : flows) {
        auto bp = by_dp_port_.find(f.key.in_port);
        if (bp == by_dp_port_.end()) continue;
        XlateIn in;
        in.world = &world_;
        prepare(in);
        in.bridge = &bp->second.first->x;
        in.flow.pkt = f.key;
        in.flow.in_port = bp->second.second;
        (void)xlate(in);
    }
    uint64_t now = monotonic_ns();
    for (const auto& f : flows) {
        auto uk = std::make_unique<Ukey>();
        uk->key = f.key;
        uk->mask = f.mask;
        uk->actions = f.actions;
        uk->packets = f.stats.packets;
        uk->bytes = f.stats.bytes;
        uk->created_ns = now;
        ukeys_[ukey_id(f.key, f.mask)] = std::move(uk);
    }
    if (!flows.empty()) vlog.info("adopted {} megaflows from the running datapath", flows.size());
}

void Switch::run(Clock::time_point now) {
    // Until the first configuration arrives, flows a previous run left in
    // the datapath are not known to be ours or stale: leave them alone.
    if (!adopted_) return;
    for (auto& [n, br] : bridges_) {
        br->mac.expire(now);
    }
    tnl_.neigh.run(NeighCache::Clock::now());
    uint64_t now_ns = monotonic_ns();
    uint64_t max_idle_ns = static_cast<uint64_t>(config_.max_idle.count()) * 1000000ull;
    uint64_t gen = ++dump_gen_;
    std::vector<std::pair<xvs_flow_key, xvs_flow_key>> gone;  // (key, mask) to delete after the dump
    auto dumped = dpif_->for_each_flow([&](const FlowEntry& f) {
        auto it = ukeys_.find(ukey_id(f.key, f.mask));
        if (it == ukeys_.end()) {
            // Installed by someone else (xvs-dpctl): not ours to keep.
            gone.emplace_back(f.key, f.mask);
            return;
        }
        Ukey& uk = *it->second;
        uk.dump_gen = gen;
        push_stats(uk, f.stats, now);
        uint64_t last = std::max<uint64_t>(f.stats.used_ns, uk.created_ns);
        if (now_ns > last && now_ns - last > max_idle_ns) {
            gone.emplace_back(f.key, f.mask);
            forget(uk);
            ukeys_.erase(it);
            stats_.flows_expired++;
        }
    });
    for (const auto& [k, m] : gone) (void)dpif_->del_flow(k, m);
    // Megaflows the datapath lost track of (not after a failed dump).
    if (dumped) {
        for (auto it = ukeys_.begin(); it != ukeys_.end();) {
            if (it->second->dump_gen == gen) {
                ++it;
            } else {
                forget(*it->second);
                it = ukeys_.erase(it);
            }
        }
    }
    poll_liveness();
    for (auto& [n, br] : bridges_) {
        if (!br->sflow) continue;
        if (br->sflow->counters_due(now)) sflow_poll_counters(*br);
        br->sflow->flush();
    }
    for (auto& [n, br] : bridges_) {
        if (br->netflow) br->netflow->run(now);
        if (br->ipfix) br->ipfix->run(now);
        for (auto& [id, fe] : br->flow_ipfix)
            if (fe.ipfix) fe.ipfix->run(now);
    }
    // OpenFlow idle and hard timeouts.
    // (The pipelines' change logs have the expired rules.)
    for (auto& [n, br] : bridges_)
        for (const auto& fr : expire_rules(br->pipeline, now, nullptr))
            if (hooks_.flow_removed) hooks_.flow_removed(n, fr);
    revalidate_if_needed();
    if (dpif_->n_masks() > 1) (void)dpif_->rank_masks();
}

// ---- The OpenFlow side ----------------------------------------------------

void Switch::prepare(XlateIn& in) {
    in.controller = [this](const PacketInSpec& spec) { return register_packet_in(spec); };
    in.flow_sample = [this](const FlowSampleSpec& spec) { return register_flow_sample(spec); };
    if (hooks_.miss_to_controller) in.miss_to_controller = hooks_.miss_to_controller;
}

uint64_t Switch::register_packet_in(const PacketInSpec& spec) {
    // The digest covers everything the packet-in carries besides the
    // packet; the top byte 1 tags packet-in cookies.
    Digest d;
    d.mix(spec.bridge.data(), spec.bridge.size());
    d.mix(&spec.reason, 1);
    d.mix(&spec.max_len, 2);
    d.mix(&spec.controller_id, 2);
    d.mix(spec.userdata.data(), spec.userdata.size());
    d.mix(&spec.table_id, 1);
    d.mix(&spec.cookie, 8);
    d.mix(&spec.flow.metadata, 8);
    d.mix(spec.flow.regs, sizeof spec.flow.regs);
    d.mix(&spec.flow.pkt_mark, 4);
    d.mix(&spec.flow.in_port, 2);
    return register_spec(packet_ins_, 1, d, spec);
}

void Switch::deliver_userspace(uint64_t cookie, std::span<const uint8_t> packet, uint32_t total_len) {
    auto it = packet_ins_.find(cookie);
    if (it == packet_ins_.end()) {
        vlog.warn_rl(rl, "userspace action with unknown cookie {:#x}: packet dropped", cookie);
        need_revalidate_ = true;
        return;
    }
    if (hooks_.packet_in) hooks_.packet_in(it->second, packet, total_len);
}

Pipeline* Switch::pipeline(const std::string& bridge) {
    auto it = bridges_.find(bridge);
    return it == bridges_.end() ? nullptr : &it->second->pipeline;
}

std::vector<OfpPortInfo> Switch::of_ports(const std::string& bridge) {
    std::vector<OfpPortInfo> out;
    auto it = bridges_.find(bridge);
    if (it == bridges_.end()) return out;
    for (const auto& [name, iface] : it->second->ifaces) {
        if (!iface.ofport) continue;
        OfpPortInfo p;
        p.port_no = iface.ofport;
        p.name = name;
        bool up = true;
        if (opts_.kernel_devices && !iface.device.empty()) {
            if (auto l = netdev::get_link(iface.device)) {
                p.hw_addr = l->mac;
                if (!l->admin_up) p.config |= kOfppcPortDown;
                up = l->carrier;
            }
        } else if (iface.of_config & kOfppcPortDown) {
            up = false;
        }
        p.config |= iface.of_config;
        p.state = up ? 4 : 1;  // OFPPS_LIVE : OFPPS_LINK_DOWN
        p.curr = 0x800 | 0x40;  // OFPPF_COPPER | OFPPF_10GB_FD, as OVS reports veths
        p.curr_speed = p.max_speed = 10000000;
        out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.port_no < b.port_no; });
    return out;
}

std::vector<OfpPortStats> Switch::of_port_stats(const std::string& bridge) {
    std::vector<OfpPortStats> out;
    auto it = bridges_.find(bridge);
    if (it == bridges_.end()) return out;
    for (const auto& [name, iface] : it->second->ifaces) {
        if (!iface.ofport) continue;
        OfpPortStats ps;
        ps.port_no = iface.ofport;
        if (opts_.kernel_devices && !iface.device.empty()) {
            if (auto l = netdev::get_link(iface.device)) {
                ps.rx_packets = l->rx_packets;
                ps.rx_bytes = l->rx_bytes;
                ps.rx_dropped = l->rx_dropped;
                ps.rx_errors = l->rx_errors;
                ps.tx_packets = l->tx_packets;
                ps.tx_bytes = l->tx_bytes;
                ps.tx_dropped = l->tx_dropped;
                ps.tx_errors = l->tx_errors;
            }
        }
        out.push_back(ps);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.port_no < b.port_no; });
    return out;
}

std::optional<OfpError> Switch::packet_out(const std::string& bridge, OfPort in_port, std::span<const uint8_t> packet,
                                           const OfActions& actions) {
    auto it = bridges_.find(bridge);
    if (it == bridges_.end()) return OfpError{OfpErr::OFPBRC_EPERM, "no bridge " + bridge};
    BridgeState& br = *it->second;
    if (packet.size() < 14) return OfpError{OfpErr::OFPBRC_BAD_PACKET, "packet shorter than an Ethernet header"};
    uint32_t dp_in = kNoDpPort;
    if (auto p = br.x.ports.find(in_port); p != br.x.ports.end()) dp_in = p->second.dp_port;
    XlateIn in;
    in.world = &world_;
    prepare(in);
    in.bridge = &br.x;
    in.flow.pkt = flow_extract(packet, ExtractContext{});
    in.flow.pkt.in_port = dp_in;
    in.flow.in_port = in_port;
    in.actions = &actions;
    in.may_learn = true;
    XlateOut xo = xlate(in);
    if (!xo.error.empty()) return OfpError{OfpErr::OFPBAC_BAD_ARGUMENT, xo.error};
    if (xo.mac_changed) need_revalidate_ = true;
    apply_learned(xo.learned_flows, xo.fin_timeouts, ntohs(in.flow.pkt.tcp_flags), Clock::now());
    learn_neighbours(xo);
    auto list = compiler::encode_action_list(xo.actions);
    if (!list) return OfpError{OfpErr::OFPBAC_TOO_MANY, list.message()};
    auto user = [this, &br, &in, &packet](const xvs_action& a, std::span<const uint8_t> pkt) {
        if (a.type == XVS_ACT_SAMPLE)
            take_sample(br, a.u.cookie, in.flow.pkt.in_port, in.flow.pkt, pkt, static_cast<uint32_t>(packet.size()));
        else
            deliver_userspace(a.u.cookie, pkt, static_cast<uint32_t>(packet.size()));
    };
    if (list->n == 0) return std::nullopt;
    if (auto r = dpif_->execute(dp_in == kNoDpPort ? 0 : dp_in, packet, *list, user); !r)
        return OfpError{OfpErr::OFPBRC_BAD_PACKET, r.message()};
    return std::nullopt;
}

std::optional<bool> Switch::device_live(const std::string& device) const {
    if (!opts_.kernel_devices || device.empty()) return std::nullopt;
    auto l = netdev::get_link(device);
    if (!l) return std::nullopt;
    return l->carrier && l->admin_up;
}

void Switch::apply_port_config(uint32_t config, XPort& xp) {
    xp.no_recv = config & kOfppcNoRecv;
    xp.no_fwd = config & kOfppcNoFwd;
    xp.no_flood = config & kOfppcNoFlood;
    xp.no_packet_in = config & kOfppcNoPacketIn;
    if (config & kOfppcPortDown) xp.live = xp.up = false;
}

// As Open vSwitch's update_port_config(): PORT_DOWN takes the device down
// (or up), the other bits change what translation does with the port.
std::optional<OfpError> Switch::port_mod(const std::string& bridge, OfPort port, uint32_t config, uint32_t mask) {
    auto bit = bridges_.find(bridge);
    if (bit == bridges_.end()) return OfpError{OfpErr::OFPPMFC_BAD_PORT, "no bridge " + bridge};
    BridgeState& br = *bit->second;
    auto it = std::find_if(br.ifaces.begin(), br.ifaces.end(), [&](const auto& kv) { return kv.second.ofport == port; });
    if (it == br.ifaces.end()) return OfpError{OfpErr::OFPPMFC_BAD_PORT, fmt::format("no port {}", port)};
    BridgeState::Iface& iface = it->second;
    const bool has_device = opts_.kernel_devices && !iface.device.empty();
    uint32_t current = iface.of_config;
    if (has_device)
        if (auto l = netdev::get_link(iface.device); l && !l->admin_up) current |= kOfppcPortDown;
    uint32_t toggle = (config ^ current) & mask;
    if ((toggle & kOfppcPortDown) && has_device) {
        if (auto s = netdev::set_up(iface.device, !(config & kOfppcPortDown)); !s) {
            vlog.warn("{}: {}", it->first, s.message());
            toggle &= ~kOfppcPortDown;  // as Open vSwitch: the bit stays as the device is
        }
    }
    iface.of_config ^= has_device ? toggle & ~kOfppcPortDown : toggle;  // a device keeps its own PORT_DOWN
    if (!toggle) return std::nullopt;
    if (auto xp = br.x.ports.find(port); xp != br.x.ports.end()) {
        xp->second.live = device_live(iface.device).value_or(true);
        xp->second.up = true;
        apply_port_config(iface.of_config, xp->second);
    }
    need_revalidate_ = true;
    return std::nullopt;
}

std::optional<OfpError> Switch::check_actions_supported(const std::string& bridge, const OfActions& actions) const {
    auto br = bridges_.find(bridge);
    for (const auto& a : actions) {
        const auto& v = a.variant();
        if (auto* g = std::get_if<ActGroup>(&v))
            if (br == bridges_.end() || !br->second->pipeline.groups.count(g->group_id))
                return OfpError{OfpErr::OFPBAC_BAD_OUT_GROUP, fmt::format("group {} does not exist", g->group_id)};
        if (auto* m = std::get_if<ActMeter>(&v))
            if (br == bridges_.end() || !br->second->pipeline.meters.count(m->meter_id))
                return OfpError{OfpErr::OFPMMFC_INVALID_METER, fmt::format("meter {} does not exist", m->meter_id)};
        if (auto* n = nested_actions(a))
            if (auto e = check_actions_supported(bridge, *n)) return e;
    }
    return std::nullopt;
}

FlowModOutcome Switch::group_mod(const std::string& bridge, const OfpGroupMod& gm) {
    FlowModOutcome out;
    auto br = bridges_.find(bridge);
    if (br == bridges_.end()) {
        out.error = OfpError{OfpErr::OFPGMFC_EPERM, "no bridge " + bridge};
        return out;
    }
    // Buckets may name other groups (chaining), but only existing ones.
    for (const auto& b : gm.buckets)
        if (auto e = check_actions_supported(bridge, b.actions)) {
            if (e->err == OfpErr::OFPBAC_BAD_OUT_GROUP) e->err = OfpErr::OFPGMFC_CHAINED_GROUP;
            out.error = e;
            return out;
        }
    out = apply_group_mod(br->second->pipeline, gm, Clock::now());
    if (out.changed) need_revalidate_ = true;
    return out;
}

namespace {

// OpenFlow meters get datapath meters 0..kOfMeterSlots-1; ingress policers
// take them from the top (set_policer).
constexpr uint32_t kOfMeterSlots = XVS_MAX_METERS / 2;

}  // namespace

OfpMeterFeatures Switch::meter_features() {
    OfpMeterFeatures f;
    f.max_meter = kOfMeterSlots;
    f.band_types = 1u << static_cast<int>(MeterBandType::Drop);
    f.capabilities = kOfpmfKbps | kOfpmfPktps | kOfpmfBurst | kOfpmfStats;
    f.max_bands = 1;
    f.max_color = 0;
    return f;
}

FlowModOutcome Switch::meter_mod(const std::string& bridge, const OfpMeterMod& mm) {
    FlowModOutcome out;
    auto fail = [&](OfpErr e, std::string why) {
        out.error = OfpError{e, std::move(why)};
        return out;
    };
    auto br = bridges_.find(bridge);
    if (br == bridges_.end()) return fail(OfpErr::OFPMMFC_UNKNOWN, "no bridge " + bridge);
    auto& meters = br->second->pipeline.meters;
    auto now = Clock::now();
    if (mm.command == MeterModCommand::Delete) {
        std::vector<uint32_t> gone;
        for (const auto& [id, m] : meters)
            if (mm.meter_id == kOfpmAll || id == mm.meter_id) gone.push_back(id);
        for (uint32_t id : gone) {
            (void)dpif_->set_meter(meters[id].dp_meter, 0, 0, false);
            meters.erase(id);
            auto d = delete_rules_using_meter(br->second->pipeline, id, now);
            out.removed.insert(out.removed.end(), d.removed.begin(), d.removed.end());
        }
        br->second->pipeline.modified();
        out.changed = true;
        need_revalidate_ = true;
        return out;
    }
    if (mm.meter_id == 0 || mm.meter_id > kOfpmMax)
        return fail(OfpErr::OFPMMFC_INVALID_METER, fmt::format("meter id {:#x}: only meters 1 to {:#x} can be set", mm.meter_id, kOfpmMax));
    auto it = meters.find(mm.meter_id);
    if (mm.command == MeterModCommand::Add && it != meters.end())
        return fail(OfpErr::OFPMMFC_METER_EXISTS, fmt::format("meter {} exists", mm.meter_id));
    if (mm.command == MeterModCommand::Modify && it == meters.end())
        return fail(OfpErr::OFPMMFC_UNKNOWN_METER, fmt::format("no meter {}", mm.meter_id));
    if (mm.bands.empty()) return fail(OfpErr::OFPMMFC_OUT_OF_BANDS, "a meter needs a band");
    if (mm.bands.size() > 1)
        return fail(OfpErr::OFPMMFC_OUT_OF_BANDS, "xvs meters have one band (the datapath's token bucket)");
    if (!mm.bands.empty() && mm.bands[0].type != MeterBandType::Drop)
        return fail(OfpErr::OFPMMFC_BAD_BAND, "only drop bands are supported (no DSCP remark)");
    if (!mm.bands.empty() && mm.bands[0].rate == 0) return fail(OfpErr::OFPMMFC_BAD_RATE, "a band's rate must not be 0");
    uint32_t dp_id;
    if (it != meters.end()) {
        dp_id = it->second.dp_meter;
    } else {
        std::set<uint32_t> used;
        for (const auto& [n, b] : bridges_)
            for (const auto& [id, m] : b->pipeline.meters) used.insert(m.dp_meter);
        dp_id = 0;
        while (used.count(dp_id)) dp_id++;
        if (dp_id >= kOfMeterSlots)
            return fail(OfpErr::OFPMMFC_OUT_OF_METERS, fmt::format("all {} meters are in use", kOfMeterSlots));
    }
    bool packets = mm.flags & kOfpmfPktps;
    uint64_t rate = 0, burst = 0;
    if (!mm.bands.empty()) {
        rate = mm.bands[0].rate;
        // Without OFPMF_BURST the bucket holds one second's worth.
        burst = (mm.flags & kOfpmfBurst) && mm.bands[0].burst_size ? mm.bands[0].burst_size : rate;
    }
    if (auto s = dpif_->set_meter(dp_id, rate, burst, packets); !s) return fail(OfpErr::OFPMMFC_UNKNOWN, s.message());
    OfMeter& m = meters[mm.meter_id];
    if (it == meters.end()) m.created = now;
    m.config = mm;
    m.config.command = MeterModCommand::Add;
    m.dp_meter = dp_id;
    br->second->pipeline.modified();
    out.changed = true;
    need_revalidate_ = true;
    return out;
}

std::vector<OfpMeterStats> Switch::meter_stats(const std::string& bridge, uint32_t meter) {
    std::vector<OfpMeterStats> out;
    auto br = bridges_.find(bridge);
    if (br == bridges_.end()) return out;
    auto now = Clock::now();
    for (const auto& [id, m] : br->second->pipeline.meters) {
        if (meter != kOfpmAll && id != meter) continue;
        OfpMeterStats s;
        s.meter_id = id;
        for (int t = 0; t < Pipeline::kNTables; t++)
            br->second->pipeline.for_each(static_cast<uint8_t>(t),
                                          [&](OfRule& r) { s.flow_count += actions_use_meter(r.actions, id); });
        s.packet_in_count = m.packets;
        s.byte_in_count = m.bytes;
        auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(now - m.created).count();
        s.duration_sec = static_cast<uint32_t>(d / 1000000000);
        s.duration_nsec = static_cast<uint32_t>(d % 1000000000);
        // The datapath counts the packets its band dropped, not their bytes.
        for (size_t i = 0; i < m.config.bands.size(); i++) {
            auto c = dpif_->meter_counts(m.dp_meter);
            s.band_stats.emplace_back(c ? c->dropped : 0, 0);
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<OfpMeterMod> Switch::meter_config(const std::string& bridge, uint32_t meter) {
    std::vector<OfpMeterMod> out;
    auto br = bridges_.find(bridge);
    if (br == bridges_.end()) return out;
    for (const auto& [id, m] : br->second->pipeline.meters)
        if (meter == kOfpmAll || id == meter) out.push_back(m.config);
    return out;
}

// Link state of the ports with kernel devices: a port whose carrier went
// away stops being live (fast-failover groups move on), which megaflows
// translated before must learn.
void Switch::poll_liveness() {
    if (!opts_.kernel_devices) return;
    for (auto& [n, br] : bridges_) {
        for (const auto& [name, iface] : br->ifaces) {
            if (!iface.ofport || iface.device.empty()) continue;
            auto xp = br->x.ports.find(iface.ofport);
            if (xp == br->x.ports.end()) continue;
            bool live = device_live(iface.device).value_or(true);
            if (xp->second.live != live) {
                xp->second.live = live;
                need_revalidate_ = true;
            }
        }
        check_bonds(*br);
    }
}

// ---- Exporters: sFlow, NetFlow, IPFIX --------------------------------------

namespace {

// Replaces a bridge's exporter after its configuration changed: what the
// old one holds goes out first; one that cannot start leaves its error
// (and a warning). Returns whether a new one runs.
template <typename E, typename Make>
bool replace_exporter(std::unique_ptr<E>& cur, std::string& error, bool wanted, const std::string& bridge,
                      const char* what, Make make) {
    if (cur) cur->flush_all();
    cur.reset();
    error.clear();
    if (!wanted) return false;
    auto made = make();
    if (!made) {
        error = made.message();
        vlog.warn("{}: {} disabled: {}", bridge, what, error);
        return false;
    }
    cur = std::move(*made);
    return true;
}

// A report's line for a bridge without the exporter.
std::string exporter_off(const std::string& bridge, const char* what, const std::string& error) {
    return fmt::format("{}: {} {}\n", bridge, what, error.empty() ? "off" : "disabled: " + error);
}

}  // namespace

Result<std::string> Switch::report_each(const std::string& bridge,
                                        const std::function<std::string(const std::string&, const BridgeState&)>& fn) {
    if (!bridge.empty() && !bridges_.count(bridge)) return make_error("no such bridge");
    std::string out;
    for (const auto& [name, br] : bridges_)
        if (bridge.empty() || name == bridge) out += fn(name, *br);
    return out;
}

// ---- Tunnel routing -----------------------------------------------------

void Switch::tnl_kernel_changed(bool neighbours_too) {
    if (!opts_.kernel_devices) return;
    if (auto st = tnl_.sync_routes(); !st.ok()) vlog.warn_rl(rl, "tunnel routing: {}", st.message());
    if (neighbours_too)
        if (auto st = tnl_.sync_neighbours(NeighCache::Clock::now()); !st.ok())
            vlog.warn_rl(rl, "tunnel routing: {}", st.message());
    // Which neighbour replies are snooped depends on the bridges' addresses.
    for (auto& [name, br] : bridges_) {
        auto addrs = tnl_.bridge_addrs(name);
        if (addrs == br->x.local_addrs) continue;
        br->x.local_addrs = std::move(addrs);
        need_revalidate_ = true;
    }
}

void Switch::tnl_neighbour(const netdev::NeighInfo& n, bool deleted) {
    tnl_.neighbour_event(n, deleted, NeighCache::Clock::now());
}

void Switch::learn_neighbours(const XlateOut& xo) {
    for (const auto& n : xo.neighbours) tnl_.neigh.set(n.bridge, n.ip, n.mac, NeighCache::Clock::now());
}

// ---- sFlow --------------------------------------------------------------

void Switch::configure_sflow(BridgeState& br, const BridgeConfig& cfg, uint32_t sub_id) {
    bool same = cfg.sflow && br.sflow && br.sflow->config() == *cfg.sflow && br.sflow->sub_id() == sub_id;
    if (!same && replace_exporter(br.sflow, br.sflow_error, cfg.sflow.has_value(), cfg.name, "sFlow",
                                  [&] { return SflowAgent::create(*cfg.sflow, sub_id); }))
        vlog.info("{}: sFlow agent {} (sub-agent {}) sampling 1 in {} to {}", cfg.name, br.sflow->agent_address(),
                  sub_id, cfg.sflow->sampling, fmt::join(cfg.sflow->targets, ", "));
    br.x.sflow_probability = br.sflow ? br.sflow->probability() : 0;
}

uint32_t Switch::ifindex_of(uint32_t dp_port) const {
    auto it = dp_ifindex_.find(dp_port);
    return it == dp_ifindex_.end() ? 0 : it->second;
}

void Switch::sflow_sample(BridgeState& br, uint64_t cookie, uint32_t in_dp_port, const xvs_flow_key& key,
                          std::span<const uint8_t> packet, uint32_t pkt_len) {
    if (!br.sflow || (cookie >> kSampleKindShift) != kSampleSflow) return;
    SflowFlowSample s;
    s.input = ifindex_of(in_dp_port);
    uint32_t out = uint32_t(cookie);
    s.output = (out & 0xc0000000) ? out : ifindex_of(out);
    uint16_t in_tci = ntohs(key.vlan_tci), out_tci = uint16_t(cookie >> 32);
    if (in_tci & kVlanCfi) {
        s.src_vlan = in_tci & kVlanVidMask;
        s.src_pcp = uint8_t(in_tci >> 13);
    }
    s.dst_vlan = out_tci & kVlanVidMask;
    s.dst_pcp = uint8_t(out_tci >> 13);
    s.frame_len = pkt_len;
    s.packet = packet;
    br.sflow->flow_sample(s);
}

void Switch::take_sample(BridgeState& br, uint64_t cookie, uint32_t in_dp_port, const xvs_flow_key& key,
                         std::span<const uint8_t> packet, uint32_t pkt_len) {
    uint64_t kind = cookie >> kSampleKindShift;
    if (kind == kSampleSflow) return sflow_sample(br, cookie, in_dp_port, key, packet, pkt_len);
    if (kind == kSampleFlow) return flow_sample(cookie, in_dp_port, packet, pkt_len);
    if (kind != kSampleIpfix || !br.ipfix) return;
    IpfixSample s;
    s.key = key;
    s.in_ifindex = ifindex_of(in_dp_port);
    uint32_t out = uint32_t(cookie);
    s.out_ifindex = (out & 0xc0000000) ? 0 : ifindex_of(out);
    s.frame_len = pkt_len;
    s.packets = UINT32_MAX / br.ipfix->probability();
    s.obs_domain_id = br.ipfix->config().obs_domain_id;
    s.obs_point_id = br.ipfix->config().obs_point_id;
    br.ipfix->sample(s);
}

uint64_t Switch::register_flow_sample(const FlowSampleSpec& spec) {
    Digest d;
    d.mix(spec.bridge.data(), spec.bridge.size());
    for (uint32_t v : {spec.collector_set_id, spec.obs_domain_id, spec.obs_point_id, uint32_t(spec.probability),
                       spec.output, uint32_t(spec.direction)})
        d.mix(&v, sizeof v);
    static_assert(kSampleKindShift == 56);
    return register_spec(flow_samples_, kSampleFlow, d, spec);
}

// The packet as the sample action saw it: its key is read from it (the
// datapath's is the key it came in with).
void Switch::flow_sample(uint64_t cookie, uint32_t in_dp_port, std::span<const uint8_t> packet, uint32_t pkt_len) {
    auto it = flow_samples_.find(cookie);
    if (it == flow_samples_.end()) {
        need_revalidate_ = true;  // a megaflow from before the registry was cleared
        return;
    }
    const FlowSampleSpec& spec = it->second;
    auto br = bridges_.find(spec.bridge);
    if (br == bridges_.end()) return;
    auto fe = br->second->flow_ipfix.find(spec.collector_set_id);
    if (fe == br->second->flow_ipfix.end() || !fe->second.ipfix) return;
    IpfixSample s;
    s.key = flow_extract(packet, ExtractContext{.in_port = in_dp_port});
    s.in_ifindex = ifindex_of(in_dp_port);
    s.out_ifindex = spec.output == kNoDpPort ? 0 : ifindex_of(spec.output);
    s.frame_len = pkt_len;
    s.packets = 65535 / spec.probability;
    s.obs_domain_id = spec.obs_domain_id;
    s.obs_point_id = spec.obs_point_id;
    // As Open vSwitch: the direction given, else egress when sampled for an output port.
    s.direction = spec.direction == ActSample::kIngress  ? kIpfixIngress
                  : spec.direction == ActSample::kEgress ? kIpfixEgress
                  : spec.output == kNoDpPort             ? kIpfixIngress
                                                         : kIpfixEgress;
    fe->second.ipfix->sample(s);
}

void Switch::configure_ipfix(BridgeState& br, const BridgeConfig& cfg) {
    bool same = cfg.ipfix && br.ipfix && br.ipfix->config() == *cfg.ipfix;
    if (!same && replace_exporter(br.ipfix, br.ipfix_error, cfg.ipfix.has_value(), cfg.name, "IPFIX",
                                  [&] { return IpfixExporter::create(*cfg.ipfix); }))
        vlog.info("{}: IPFIX sampling 1 in {} to {} (observation domain {}, point {})", cfg.name, cfg.ipfix->sampling,
                  fmt::join(cfg.ipfix->targets, ", "), cfg.ipfix->obs_domain_id, cfg.ipfix->obs_point_id);
    br.x.ipfix_probability = br.ipfix ? br.ipfix->probability() : 0;

    for (auto it = br.flow_ipfix.begin(); it != br.flow_ipfix.end();) {
        if (cfg.flow_ipfix.count(it->first)) {
            ++it;
            continue;
        }
        if (it->second.ipfix) it->second.ipfix->flush_all();
        it = br.flow_ipfix.erase(it);
    }
    for (const auto& [id, ic] : cfg.flow_ipfix) {
        auto& fe = br.flow_ipfix[id];
        if ((fe.ipfix || !fe.error.empty()) && fe.cfg == ic) continue;
        fe.cfg = ic;
        if (replace_exporter(fe.ipfix, fe.error, true, cfg.name, "IPFIX",
                             [&] { return IpfixExporter::create(ic, false); }))
            vlog.info("{}: IPFIX collector set {} exports to {}", cfg.name, id, fmt::join(ic.targets, ", "));
    }
    br.x.ipfix_flow = !br.flow_ipfix.empty();
}

Result<std::string> Switch::ipfix_show(const std::string& bridge) {
    auto cache = [](const IpfixConfig& c) {
        return c.cache_max_flows && c.cache_active_timeout
                   ? fmt::format("{} flows, active timeout {} s", c.cache_max_flows, c.cache_active_timeout)
                   : std::string("off");
    };
    auto counts = [](const IpfixExporter& x) {
        return fmt::format("  samples: {}, records sent: {}, flows cached: {}, messages sent: {}, send errors: {}\n",
                           x.samples(), x.records(), x.cached(), x.collectors().sent(), x.collectors().errors());
    };
    auto out = report_each(bridge, [&](const std::string& name, const BridgeState& br) {
        std::string r;
        if (br.ipfix) {
            const auto& c = br.ipfix->config();
            r = fmt::format("{}: IPFIX to {}\n  sampling: 1 in {}, observation domain {}, point {}, cache: {}\n", name,
                            fmt::join(c.targets, ", "), c.sampling, c.obs_domain_id, c.obs_point_id, cache(c)) +
                counts(*br.ipfix);
        } else if (br.flow_ipfix.empty() || !br.ipfix_error.empty()) {
            r = exporter_off(name, "IPFIX", br.ipfix_error);
        }
        for (const auto& [id, fe] : br.flow_ipfix) {
            r += fmt::format("{}: collector set {}: IPFIX to {}", name, id, fmt::join(fe.cfg.targets, ", "));
            r += fe.ipfix ? fmt::format("\n  cache: {}\n", cache(fe.cfg)) + counts(*fe.ipfix)
                          : " disabled: " + fe.error + "\n";
        }
        return r;
    });
    if (out) *out += samples_dropped_line();
    return out;
}

void Switch::sflow_poll_counters(BridgeState& br) {
    for (const auto& [name, iface] : br.ifaces) {
        if (!iface.error.empty() || iface.device.empty() || !opts_.kernel_devices) continue;
        auto l = netdev::get_link(iface.device);
        if (!l) continue;
        SflowPortCounters c;
        c.ifindex = static_cast<uint32_t>(l->ifindex);
        c.speed = l->kind == "veth" ? 10000000000ull : 0;
        c.admin_up = l->admin_up;
        c.oper_up = l->carrier;
        c.in_octets = l->rx_bytes;
        c.in_packets = l->rx_packets;
        c.in_discards = l->rx_dropped;
        c.in_errors = l->rx_errors;
        c.out_octets = l->tx_bytes;
        c.out_packets = l->tx_packets;
        c.out_discards = l->tx_dropped;
        c.out_errors = l->tx_errors;
        br.sflow->counter_sample(c);
    }
}

Result<std::string> Switch::sflow_show(const std::string& bridge) {
    auto out = report_each(bridge, [](const std::string& name, const BridgeState& br) {
        if (!br.sflow) return exporter_off(name, "sFlow", br.sflow_error);
        const auto& a = *br.sflow;
        const auto& c = a.config();
        return fmt::format(
            "{}: sFlow agent {}, sub-agent {}\n  targets: {}\n  sampling: 1 in {}, header: {} bytes, polling: {} s\n"
            "  flow samples: {}, counter samples: {}, datagrams sent: {}, send errors: {}\n",
            name, a.agent_address(), a.sub_id(), fmt::join(c.targets, ", "), c.sampling, c.header, c.polling,
            a.stats().flow_samples, a.stats().counter_samples, a.collectors().sent(), a.collectors().errors());
    });
    if (out) *out += samples_dropped_line();
    return out;
}

std::string Switch::samples_dropped_line() const {
    return fmt::format("samples the datapath dropped (ring buffer full, all bridges): {}\n",
                       dpif_->stats().drops[XVS_DROP_SAMPLE_RINGBUF]);
}

// ---- NetFlow -------------------------------------------------------------

void Switch::configure_netflow(BridgeState& br, const BridgeConfig& cfg) {
    bool same = cfg.netflow && br.netflow && br.netflow->config() == *cfg.netflow;
    if (!same) {
        // Engine type and id default to a hash of the datapath's name (Open
        // vSwitch derives them from its datapath too).
        uint32_t h = 2166136261u;
        for (char c : dpif_->name()) h = (h ^ uint8_t(c)) * 16777619u;
        const NetflowConfig* nc = cfg.netflow ? &*cfg.netflow : nullptr;
        uint8_t type = nc && nc->engine_type >= 0 ? uint8_t(nc->engine_type) : uint8_t(h >> 8);
        uint8_t id = nc && nc->engine_id >= 0 ? uint8_t(nc->engine_id) : uint8_t(h);
        if (replace_exporter(br.netflow, br.netflow_error, nc != nullptr, cfg.name, "NetFlow",
                             [&] { return NetflowExporter::create(*nc, type, id); }))
            vlog.info("{}: NetFlow to {} (engine type {}, id {})", cfg.name, fmt::join(nc->targets, ", "), type, id);
    }
    br.x.netflow = br.netflow != nullptr;
}

// The NetFlow exporter and flow of a megaflow's (masked) key: none when
// its bridge has no NetFlow or it is not IPv4.
std::pair<NetflowExporter*, NetflowKey> Switch::netflow_of(const xvs_flow_key& key) const {
    if (key.eth_type != htons(0x0800)) return {nullptr, {}};
    auto it = by_dp_port_.find(key.in_port);
    if (it == by_dp_port_.end()) return {nullptr, {}};
    return {it->second.first->netflow.get(), NetflowKey{it->second.second, key.nw_src[0], key.nw_dst[0], key.tp_src,
                                                        key.tp_dst, key.nw_proto, key.nw_tos}};
}

void Switch::netflow_credit(const xvs_flow_key& key, uint16_t nf_output, uint64_t packets, uint64_t bytes,
                            uint8_t tcp_flags, Clock::time_point used) {
    if (auto [nf, k] = netflow_of(key); nf) nf->update(k, nf_output, packets, bytes, tcp_flags, used);
}

void Switch::forget(const Ukey& uk) {
    if (auto [nf, k] = netflow_of(uk.key); nf) nf->remove(k);
}

Result<std::string> Switch::netflow_show(const std::string& bridge) {
    return report_each(bridge, [](const std::string& name, const BridgeState& br) {
        if (!br.netflow) return exporter_off(name, "NetFlow", br.netflow_error);
        const auto& nf = *br.netflow;
        const auto& c = nf.config();
        return fmt::format(
            "{}: NetFlow v5 to {}\n  engine type {}, engine id {}, active timeout {}, add_id_to_interface {}\n"
            "  flows tracked: {}, records sent: {}, datagrams sent: {}, send errors: {}\n",
            name, fmt::join(c.targets, ", "), nf.engine_type(), nf.engine_id(),
            c.active_timeout < 0 ? std::string("none") : fmt::format("{} s", c.active_timeout ? c.active_timeout : 600),
            c.add_id_to_interface, nf.flows(), nf.records(), nf.collectors().sent(), nf.collectors().errors());
    });
}

// ---- Reports ------------------------------------------------------------

Result<std::string> Switch::fdb_show(const std::string& name) {
    auto it = bridges_.find(name);
    if (it == bridges_.end()) return make_error("no such bridge");
    BridgeState& br = *it->second;
    std::string out = " port  VLAN  MAC                Age\n";
    auto now = Clock::now();
    br.mac.for_each([&](const MacLearning::Entry& e) {
        auto b = br.x.bundles.find(e.port);
        std::string port = b != br.x.bundles.end() && !b->second.members.empty()
                               ? format_of_port(b->second.members.front())
                               : "?";
        auto age = std::chrono::duration_cast<std::chrono::seconds>(now - e.last_seen).count();
        out += fmt::format("{:>5}  {:>4}  {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}  {:>3}\n", port, e.vlan, e.mac[0],
                           e.mac[1], e.mac[2], e.mac[3], e.mac[4], e.mac[5], age);
    });
    return out;
}

Result<std::string> Switch::fdb_flush(const std::string& name) {
    if (name.empty()) {
        for (auto& [n, br] : bridges_) br->mac.flush();
    } else {
        auto it = bridges_.find(name);
        if (it == bridges_.end()) return make_error("no such bridge");
        it->second->mac.flush();
    }
    need_revalidate_ = true;
    return std::string("table successfully flushed\n");
}

Result<std::string> Switch::trace(const std::string& name, const Flow& flow) {
    auto it = bridges_.find(name);
    if (it == bridges_.end()) return make_error("{}: no such bridge", name);
    XlateIn in;
    in.world = &world_;
    prepare(in);
    in.bridge = &it->second->x;
    in.flow = flow;
    in.may_learn = false;
    in.trace = true;
    XlateOut xo = xlate(in);
    std::string out = fmt::format("Flow: in_port={},{}\n\n", format_of_port(flow.in_port),
                                  format_dp_match(flow.pkt, compiler::natural_mask(flow.pkt)));
    for (const auto& l : xo.trace) out += l + "\n";
    out += "\n";
    out += std::memcmp(&xo.final_flow.pkt, &flow.pkt, sizeof flow.pkt) == 0 ? std::string("Final flow: unchanged\n")
                                          : fmt::format("Final flow: {}\n", format_dp_match(xo.final_flow.pkt, compiler::natural_mask(xo.final_flow.pkt)));
    xvs_flow_key mask = megaflow_mask(xo);
    xvs_flow_key key = flow.pkt;
    auto bp = std::find_if(by_dp_port_.begin(), by_dp_port_.end(), [&](const auto& kv) {
        return kv.second.first == it->second.get() && kv.second.second == flow.in_port;
    });
    key.in_port = bp != by_dp_port_.end() ? bp->first : 0;
    out += fmt::format("Megaflow: {}\n", format_dp_match(key_and(key, mask), mask));
    if (!xo.error.empty()) out += fmt::format("Translation failed ({}): the packet is dropped\n", xo.error);
    auto list = compiler::encode_action_list(xo.actions);
    if (!list) return out + fmt::format("Datapath actions: none: {}\n", list.message());
    out += fmt::format("Datapath actions: {}\n", format_dp_actions(*list, flow.pkt.nw_proto));
    return out;
}

Result<std::string> Switch::trace_dp(const xvs_flow_key& key) {
    auto it = by_dp_port_.find(key.in_port);
    if (it == by_dp_port_.end()) return make_error("datapath port {} belongs to no bridge", key.in_port);
    Flow f;
    f.pkt = key;
    f.in_port = it->second.second;
    return trace(it->second.first->x.name, f);
}

Result<std::string> Switch::dump_dp_flows(const std::string& bridge) {
    auto bit = bridges_.find(bridge);
    if (bit == bridges_.end()) return make_error("{}: no such bridge", bridge);
    std::string out;
    uint64_t now = monotonic_ns();
    for (const auto& f : dpif_->dump_flows()) {
        auto it = by_dp_port_.find(f.key.in_port);
        if (it == by_dp_port_.end() || it->second.first != bit->second.get()) continue;
        out += format_dp_flow(f.key, f.mask, f.stats, f.actions, now) + "\n";
    }
    return out;
}

std::string Switch::memory_show() {
    size_t ports = 0, rules = 0, macs = 0;
    for (const auto& [n, br] : bridges_) {
        ports += br->x.ports.size();
        rules += br->pipeline.n_rules();
        macs += br->mac.size();
    }
    return fmt::format("handlers:1 mac-entries:{} ports:{} revalidators:1 rules:{} udpif keys:{}\n", macs, ports,
                       rules, ukeys_.size());
}

std::string Switch::dump_dp_flows() {
    std::string out;
    uint64_t now = monotonic_ns();
    for (const auto& f : dpif_->dump_flows()) out += format_dp_flow(f.key, f.mask, f.stats, f.actions, now) + "\n";
    return out;
}

std::string Switch::dpif_show() {
    auto st = dpif_->stats();
    std::string out = fmt::format("{}@{}: hit:{} missed:{}\n", dpif_->type(), dpif_->name(), st.counters[XVS_CTR_HIT],
                                  st.counters[XVS_CTR_MISS]);
    for (auto& [name, br] : bridges_) {
        out += fmt::format("  {}:\n", name);
        std::map<OfPort, std::string> lines;
        for (const auto& [iname, i] : br->ifaces) {
            if (!i.error.empty()) continue;
            std::string dp = i.dp_port == kNoDpPort ? "none" : std::to_string(i.dp_port);
            std::string type = i.type.empty() ? "system" : i.type;
            lines[i.ofport] = fmt::format("    {} {}/{}: ({})\n", iname, i.ofport, dp, type);
        }
        for (const auto& [no, l] : lines) out += l;
    }
    return out;
}

std::string Switch::upcall_show() {
    return fmt::format(
        "{}@{}:\n  flows         : (current {}) (limit {})\n  max idle      : {} ms\n"
        "  upcalls       : {}\n  installed     : {}\n  install fails : {}\n  executed      : {}\n"
        "  revalidations : {} ({} megaflows removed)\n  last revalidation : {} megaflows in {:.1f} ms\n"
        "  expired       : {}\n",
        dpif_->type(), dpif_->name(), ukeys_.size(), config_.flow_limit, config_.max_idle.count(), stats_.upcalls,
        stats_.flows_installed, stats_.install_failures, stats_.executes, stats_.revalidations,
        stats_.flows_revalidated_away, stats_.last_reval_checked, stats_.last_reval_ms, stats_.flows_expired);
}

Result<std::string> Switch::dump_of_flows(const std::string& name) {
    auto it = bridges_.find(name);
    if (it == bridges_.end()) return make_error("{}: no such bridge", name);
    std::string out;
    auto now = Clock::now();
    for (int t = 0; t < Pipeline::kNTables; t++) {
        it->second->pipeline.for_each(static_cast<uint8_t>(t), [&](OfRule& r) {
            double dur = std::chrono::duration<double>(now - r.created).count();
            std::string match = flow_is_zero(r.match.mask) ? "" : "(match) ";
            out += fmt::format("duration={:.3f}s, n_packets={}, n_bytes={}, priority={}, {}actions={}\n", dur, r.packets,
                               r.bytes, r.priority, match, format_of_actions(r.actions));
            (void)t;
        });
    }
    return out;
}

}  // namespace xvs::ofproto
