#include "vswitchd/bridge.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "util/netdev.h"
#include "util/vlog.h"

namespace xvs::vswitchd {

using ovsdb::Atom;
using ovsdb::Datum;
using ovsdb::IdlRow;
using ofproto::VlanMode;

namespace {

VlogModule vlog("bridge");
RateLimiter rl(60, 20);

const char* const kColumns[][2] = {
    {"Open_vSwitch", "bridges"},     {"Open_vSwitch", "next_cfg"},     {"Open_vSwitch", "cur_cfg"},
    {"Open_vSwitch", "other_config"}, {"Bridge", "name"},              {"Bridge", "ports"},
    {"Bridge", "fail_mode"},         {"Bridge", "controller"},        {"Bridge", "other_config"},
    {"Bridge", "datapath_id"},       {"Port", "name"},                {"Port", "interfaces"},
    {"Port", "tag"},                 {"Port", "trunks"},              {"Port", "vlan_mode"},
    {"Port", "cvlans"},              {"Port", "other_config"},        {"Interface", "name"},
    {"Interface", "type"},           {"Interface", "options"},        {"Interface", "ofport"},
    {"Interface", "ofport_request"}, {"Interface", "ifindex"},        {"Interface", "mac_in_use"},
    {"Interface", "mtu"},            {"Interface", "admin_state"},    {"Interface", "link_state"},
    {"Interface", "error"},          {"Interface", "statistics"},     {"Interface", "ingress_policing_rate"},
    {"Interface", "ingress_policing_burst"}, {"Bridge", "mirrors"},     {"Mirror", "name"},
    {"Mirror", "select_all"},        {"Mirror", "select_src_port"},   {"Mirror", "select_dst_port"},
    {"Mirror", "select_vlan"},       {"Mirror", "output_port"},       {"Mirror", "output_vlan"},
    {"Mirror", "statistics"},        {"Bridge", "protocols"},         {"Controller", "target"},
    {"Controller", "inactivity_probe"}, {"Controller", "max_backoff"}, {"Port", "bond_mode"}, {"Port", "lacp"},
    {"Bridge", "sflow"},             {"sFlow", "agent"},              {"sFlow", "targets"},
    {"sFlow", "header"},             {"sFlow", "sampling"},           {"sFlow", "polling"},
    {"Bridge", "netflow"},           {"NetFlow", "targets"},          {"NetFlow", "engine_type"},
    {"NetFlow", "engine_id"},        {"NetFlow", "active_timeout"},   {"NetFlow", "add_id_to_interface"},
    {"Bridge", "ipfix"},             {"IPFIX", "targets"},            {"IPFIX", "sampling"},
    {"IPFIX", "obs_domain_id"},      {"IPFIX", "obs_point_id"},       {"IPFIX", "cache_active_timeout"},
    {"IPFIX", "cache_max_flows"},    {"Flow_Sample_Collector_Set", "id"}, {"Flow_Sample_Collector_Set", "bridge"},
    {"Flow_Sample_Collector_Set", "ipfix"},
};

Datum int_datum(int64_t v) { return Datum::scalar(Atom(v)); }
Datum str_datum(std::string s) { return Datum::scalar(Atom(std::move(s))); }

std::optional<unsigned long> number_option(const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    if (it == m.end()) return std::nullopt;
    try {
        size_t pos = 0;
        unsigned long v = std::stoul(it->second, &pos);
        if (pos == it->second.size()) return v;
    } catch (...) {
    }
    vlog.warn("ignoring other_config:{}={}: not a number", key, it->second);
    return std::nullopt;
}

ofproto::IpfixConfig ipfix_config(const IdlRow& ix) {
    ofproto::IpfixConfig ic;
    ic.targets = ix.get_strings("targets");
    auto u32 = [&](const char* col, uint32_t& out) {
        if (auto v = ix.get_optional_integer(col); v && *v >= 0 && *v <= UINT32_MAX) out = uint32_t(*v);
    };
    u32("sampling", ic.sampling);
    u32("obs_domain_id", ic.obs_domain_id);
    u32("obs_point_id", ic.obs_point_id);
    u32("cache_active_timeout", ic.cache_active_timeout);
    u32("cache_max_flows", ic.cache_max_flows);
    return ic;
}

std::optional<std::array<uint8_t, 6>> parse_mac(const std::string& s) {
    std::array<uint8_t, 6> m{};
    unsigned v[6];
    char extra;
    if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6)
        return std::nullopt;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 0xff) return std::nullopt;
        m[i] = static_cast<uint8_t>(v[i]);
    }
    return m;
}

std::string mac_text(const std::array<uint8_t, 6>& a) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", a[0], a[1], a[2], a[3], a[4], a[5]);
}

}  // namespace

Bridge::Bridge(PollLoop& loop, ovsdb::Idl& idl, ofproto::Switch& sw, std::string rundir)
    : loop_(loop), idl_(idl), sw_(sw), rundir_(std::move(rundir)) {
    for (const auto& c : kColumns) idl_.add_column(c[0], c[1]);
    idl_.set_lock("ovs_vswitchd");
    ofproto::Switch::OfHooks hooks;
    hooks.packet_in = [this](const ofproto::PacketInSpec& spec, std::span<const uint8_t> pkt, uint32_t total_len) {
        if (auto it = connmgrs_.find(spec.bridge); it != connmgrs_.end()) it->second->send_packet_in(spec, pkt, total_len);
    };
    hooks.flow_removed = [this](const std::string& bridge, const ofproto::OfpFlowRemoved& fr) {
        if (auto it = connmgrs_.find(bridge); it != connmgrs_.end()) it->second->send_flow_removed(fr);
    };
    hooks.miss_to_controller = [this](const std::string& bridge) {
        auto it = connmgrs_.find(bridge);
        return it != connmgrs_.end() && it->second->wants_packet_in_on_miss();
    };
    sw_.set_of_hooks(std::move(hooks));
}

Bridge::~Bridge() { sw_.set_of_hooks({}); }

// The datapath ID OpenFlow reports: other_config:datapath-id (16 hex
// digits), else derived from the local port's MAC as Open vSwitch does.
std::optional<std::string> Bridge::datapath_id(const IdlRow& br) const {
    std::string name = br.get_string("name");
    auto oc = br.get_string_map("other_config");
    if (auto d = oc.find("datapath-id"); d != oc.end()) {
        std::string v = d->second.rfind("0x", 0) == 0 ? d->second.substr(2) : d->second;
        if (v.size() == 16 && v.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
            std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
            return v;
        }
        vlog.warn_rl(rl, "{}: other_config:datapath-id=\"{}\" is not 16 hex digits", name, d->second);
    }
    auto link = netdev::get_link(name);
    if (!link) return std::nullopt;
    return fmt::format("0000{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", link->mac[0], link->mac[1], link->mac[2],
                       link->mac[3], link->mac[4], link->mac[5]);
}

// Each bridge's OpenFlow connections: its service socket and controllers.
void Bridge::configure_openflow() {
    std::set<std::string> names;
    for (const IdlRow& br : idl_.table("Bridge")) {
        std::string name = br.get_string("name");
        if (!sw_.pipeline(name)) continue;  // not (yet) a bridge of the switch
        names.insert(name);
        ofproto::OfServiceConfig oc;
        oc.mgmt_path = rundir_ + "/" + name + ".mgmt";
        oc.rundir = rundir_;
        for (const IdlRow* c : br.refs("controller")) {
            ofproto::OfControllerConfig cc;
            cc.target = c->get_string("target");
            if (auto v = c->get_optional_integer("inactivity_probe")) cc.inactivity_probe_ms = static_cast<int>(*v);
            if (auto v = c->get_optional_integer("max_backoff")) cc.max_backoff_ms = static_cast<int>(*v);
            oc.controllers.push_back(std::move(cc));
        }
        auto protocols = br.get_strings("protocols");
        if (!protocols.empty()) {
            oc.allowed_versions = 0;
            for (const auto& p : protocols) {
                static const std::map<std::string, uint8_t> kVersions = {
                    {"OpenFlow10", ofproto::kOfp10}, {"OpenFlow11", ofproto::kOfp11}, {"OpenFlow12", ofproto::kOfp12},
                    {"OpenFlow13", ofproto::kOfp13}, {"OpenFlow14", ofproto::kOfp14}, {"OpenFlow15", ofproto::kOfp15}};
                if (auto v = kVersions.find(p); v != kVersions.end())
                    oc.allowed_versions |= 1u << v->second;
                else
                    vlog.warn_rl(rl, "{}: protocols: {} is not supported", name, p);
            }
        }
        if (auto dpid = datapath_id(br)) oc.datapath_id = std::stoull(*dpid, nullptr, 16);
        auto& cm = connmgrs_[name];
        if (!cm) cm = std::make_unique<ofproto::ConnMgr>(loop_, sw_, name);
        cm->configure(oc);
        cm->sync_ports();  // ports the reconfiguration added or removed
    }
    std::erase_if(connmgrs_, [&](const auto& kv) { return !names.count(kv.first); });
}

ofproto::SwitchConfig Bridge::build_config(int64_t& next_cfg) const {
    ofproto::SwitchConfig cfg;
    next_cfg = 0;
    const auto& root_table = idl_.table("Open_vSwitch");
    if (root_table.empty()) return cfg;
    const IdlRow& root = *root_table.begin();
    next_cfg = root.get_integer("next_cfg");
    auto ovs_oc = root.get_string_map("other_config");
    if (auto v = number_option(ovs_oc, "flow-limit")) cfg.flow_limit = *v;
    if (auto v = number_option(ovs_oc, "max-idle")) cfg.max_idle = std::chrono::milliseconds(*v);

    std::set<std::string> iface_names;
    for (const IdlRow* br : root.refs("bridges")) {
        ofproto::BridgeConfig bc;
        bc.name = br->get_string("name");
        auto oc = br->get_string_map("other_config");
        bc.forward_bpdu = oc.count("forward-bpdu") && oc["forward-bpdu"] == "true";
        if (auto v = number_option(oc, "mac-aging-time")) bc.mac_aging_sec = static_cast<unsigned>(*v);
        if (auto v = number_option(oc, "mac-table-size")) bc.mac_table_size = *v;
        for (const IdlRow* sf : br->refs("sflow")) {
            ofproto::SflowConfig sc;
            sc.agent = sf->get_string("agent");
            sc.targets = sf->get_strings("targets");
            auto positive = [&](const char* col, uint32_t& out) {
                if (auto v = sf->get_optional_integer(col); v && *v > 0 && *v <= UINT32_MAX) out = uint32_t(*v);
            };
            positive("header", sc.header);
            positive("sampling", sc.sampling);
            if (auto v = sf->get_optional_integer("polling"); v && *v >= 0 && *v <= UINT32_MAX) sc.polling = uint32_t(*v);
            bc.sflow = sc;
        }
        for (const IdlRow* nf : br->refs("netflow")) {
            ofproto::NetflowConfig nc;
            nc.targets = nf->get_strings("targets");
            if (auto v = nf->get_optional_integer("engine_type"); v && *v >= 0 && *v <= 255) nc.engine_type = int(*v);
            if (auto v = nf->get_optional_integer("engine_id"); v && *v >= 0 && *v <= 255) nc.engine_id = int(*v);
            nc.active_timeout = nf->get_integer("active_timeout", 0);
            nc.add_id_to_interface = nf->get_bool("add_id_to_interface");
            bc.netflow = nc;
        }
        // An IPFIX row without targets has nowhere to send: as none.
        for (const IdlRow* ix : br->refs("ipfix"))
            if (auto ic = ipfix_config(*ix); !ic.targets.empty()) bc.ipfix = ic;
        for (const IdlRow& fs : idl_.table("Flow_Sample_Collector_Set")) {
            const IdlRow* ix = fs.ref("ipfix");
            if (fs.ref("bridge") != br || !ix) continue;
            if (auto ic = ipfix_config(*ix); !ic.targets.empty())
                bc.flow_ipfix[uint32_t(fs.get_integer("id"))] = ic;
        }
        bool secure = br->get_string("fail_mode") == "secure";
        bc.normal_flow = br->get_uuids("controller").empty() && !secure;
        for (const IdlRow* port : br->refs("ports")) {
            ofproto::PortConfig pc;
            pc.name = port->get_string("name");
            auto tag = port->get_optional_integer("tag");
            pc.tag = tag ? static_cast<int>(*tag) : -1;
            for (int64_t t : port->get_integers("trunks")) pc.trunks.push_back(static_cast<int>(t));
            for (int64_t t : port->get_integers("cvlans")) pc.cvlans.push_back(static_cast<int>(t));
            std::string mode = port->get_string("vlan_mode");
            if (mode.empty()) mode = tag ? "access" : "trunk";
            if (mode == "access") pc.mode = VlanMode::Access;
            else if (mode == "native-tagged") pc.mode = VlanMode::NativeTagged;
            else if (mode == "native-untagged") pc.mode = VlanMode::NativeUntagged;
            else if (mode == "dot1q-tunnel") pc.mode = VlanMode::Dot1qTunnel;
            else pc.mode = VlanMode::Trunk;
            if ((pc.mode == VlanMode::Access || pc.mode == VlanMode::Dot1qTunnel) && pc.tag < 0) pc.tag = 0;
            if ((pc.mode == VlanMode::NativeTagged || pc.mode == VlanMode::NativeUntagged) && pc.tag < 0) pc.tag = 0;
            if (pc.mode == VlanMode::Trunk && tag && mode == "trunk") pc.tag = -1;  // tag ignored on trunks
            auto poc = port->get_string_map("other_config");
            if (poc.count("qinq-ethtype") && poc["qinq-ethtype"] == "802.1q") pc.qinq_tpid = 0x8100;
            std::string bond_mode = port->get_string("bond_mode"), lacp = port->get_string("lacp");
            if (lacp == "active" || lacp == "passive")
                pc.unsupported = "LACP (lacp=" + lacp + ") is not supported by xvs";
            else if (!bond_mode.empty() && bond_mode != "active-backup" && port->refs("interfaces").size() > 1)
                pc.unsupported = "bond_mode " + bond_mode + " is not supported by xvs (bonds are active-backup)";
            for (const IdlRow* iface : port->refs("interfaces")) {
                ofproto::IfaceConfig ic;
                ic.name = iface->get_string("name");
                if (!iface_names.insert(ic.name).second) {
                    vlog.warn("interface {} is in more than one port; ignoring the later one", ic.name);
                    continue;
                }
                ic.type = iface->get_string("type");
                ic.options = iface->get_string_map("options");
                if (auto r = iface->get_optional_integer("ofport_request"); r && *r > 0 && *r < ofproto::kOfppMax)
                    ic.ofport_request = static_cast<ofproto::OfPort>(*r);
                if (auto r = iface->get_optional_integer("ofport"); r && *r > 0 && *r < ofproto::kOfppMax)
                    ic.ofport_hint = static_cast<ofproto::OfPort>(*r);
                ic.policing_rate_kbps = static_cast<uint32_t>(std::max<int64_t>(0, iface->get_integer("ingress_policing_rate")));
                ic.policing_burst_kb = static_cast<uint32_t>(std::max<int64_t>(0, iface->get_integer("ingress_policing_burst")));
                pc.ifaces.push_back(std::move(ic));
            }
            if (!pc.ifaces.empty()) bc.ports.push_back(std::move(pc));
        }
        for (const IdlRow* mr : br->refs("mirrors")) {
            ofproto::MirrorConfig mc;
            mc.name = mr->get_string("name");
            mc.select_all = mr->get_bool("select_all");
            for (const IdlRow* p : mr->refs("select_src_port")) mc.select_src_port.push_back(p->get_string("name"));
            for (const IdlRow* p : mr->refs("select_dst_port")) mc.select_dst_port.push_back(p->get_string("name"));
            for (int64_t v : mr->get_integers("select_vlan")) mc.select_vlan.push_back(static_cast<int>(v));
            if (const IdlRow* p = mr->ref("output_port")) mc.output_port = p->get_string("name");
            if (auto v = mr->get_optional_integer("output_vlan")) mc.output_vlan = static_cast<int>(*v);
            bc.mirrors.push_back(std::move(mc));
        }
        cfg.bridges.push_back(std::move(bc));
    }
    return cfg;
}

void Bridge::run() {
    if (!idl_.is_synced() || !idl_.has_lock()) return;
    int64_t next_cfg = 0;
    ofproto::SwitchConfig cfg = build_config(next_cfg);
    // The hint (the database's ofport) follows our own writes; it must not
    // count as a configuration change.
    ofproto::SwitchConfig cmp = cfg;
    for (auto& b : cmp.bridges)
        for (auto& p : b.ports)
            for (auto& i : p.ifaces) i.ofport_hint.reset();
    if (!applied_ || !(*applied_ == cmp)) {
        status_ = sw_.reconfigure(cfg);
        applied_ = cmp;
        rewrite_ = true;
    }
    configure_openflow();
    applied_cfg_ = next_cfg;
    if (rewrite_ || written_cfg_ != applied_cfg_) write_status(applied_cfg_);
}

void Bridge::devices_changed() {
    applied_.reset();
    run();
}

void Bridge::update_stats() {
    if (!idl_.is_synced() || !idl_.has_lock() || !applied_) return;
    rewrite_ = true;
    write_status(std::nullopt);
}

void Bridge::write_status(std::optional<int64_t> cur_cfg) {
    if (txn_in_flight_) {
        rewrite_ = true;
        return;
    }
    rewrite_ = false;
    ovsdb::IdlTxn txn(idl_);
    bool any = false;
    auto set_if = [&](const IdlRow& row, const char* column, Datum value) {
        if (row.get(column) == value) return;
        txn.set(row, column, std::move(value));
        any = true;
    };

    for (const IdlRow& iface : idl_.table("Interface")) {
        std::string name = iface.get_string("name");
        auto it = status_.find(name);
        if (it == status_.end()) continue;  // not in any bridge
        const auto& st = it->second;
        set_if(iface, "ofport", int_datum(st.ofport));
        set_if(iface, "error", st.error.empty() ? Datum{} : str_datum(st.error));
        auto link = st.error.empty() ? netdev::get_link(name) : Result<netdev::LinkInfo>(make_error("error"));
        if (!link) {
            set_if(iface, "ifindex", Datum{});
            set_if(iface, "mac_in_use", Datum{});
            set_if(iface, "mtu", Datum{});
            set_if(iface, "admin_state", Datum{});
            set_if(iface, "link_state", Datum{});
            continue;
        }
        set_if(iface, "ifindex", int_datum(link->ifindex));
        set_if(iface, "mac_in_use", str_datum(mac_text(link->mac)));
        set_if(iface, "mtu", int_datum(link->mtu));
        set_if(iface, "admin_state", str_datum(link->admin_up ? "up" : "down"));
        set_if(iface, "link_state", str_datum(link->carrier ? "up" : "down"));
        // Statistics as the switch sees them: those of the device attached
        // to the datapath (for internal interfaces the switch's end).
        auto dev = st.device == name ? link : netdev::get_link(st.device);
        if (dev) {
            Datum stats;
            std::map<std::string, int64_t> m = {
                {"rx_packets", static_cast<int64_t>(dev->rx_packets)}, {"rx_bytes", static_cast<int64_t>(dev->rx_bytes)},
                {"rx_dropped", static_cast<int64_t>(dev->rx_dropped)}, {"rx_errors", static_cast<int64_t>(dev->rx_errors)},
                {"tx_packets", static_cast<int64_t>(dev->tx_packets)}, {"tx_bytes", static_cast<int64_t>(dev->tx_bytes)},
                {"tx_dropped", static_cast<int64_t>(dev->tx_dropped)}, {"tx_errors", static_cast<int64_t>(dev->tx_errors)},
            };
            for (const auto& [k, v] : m) {
                stats.keys.emplace_back(k);
                stats.values.emplace_back(v);
            }
            set_if(iface, "statistics", std::move(stats));
        }
    }

    for (const IdlRow& br : idl_.table("Bridge")) {
        std::string name = br.get_string("name");
        auto it = status_.find(name);  // the bridge's local interface
        if (it == status_.end()) continue;
        auto oc = br.get_string_map("other_config");
        // other_config:hwaddr sets the bridge's local port's MAC.
        if (auto hw = oc.find("hwaddr"); hw != oc.end()) {
            if (auto mac = parse_mac(hw->second)) {
                auto cur = netdev::get_link(name);
                if (cur && cur->mac != *mac)
                    if (auto s = netdev::set_mac(name, *mac); !s) vlog.warn("{}: other_config:hwaddr: {}", name, s.message());
            } else {
                vlog.warn("{}: other_config:hwaddr=\"{}\" is not a MAC address", name, hw->second);
            }
        }
        auto dpid = datapath_id(br);
        if (!dpid) continue;
        set_if(br, "datapath_id", str_datum(*dpid));
    }

    const auto& mstats = sw_.mirror_stats();
    for (const IdlRow& br : idl_.table("Bridge")) {
        std::string bname = br.get_string("name");
        for (const IdlRow* mr : br.refs("mirrors")) {
            auto it = mstats.find({bname, mr->get_string("name")});
            if (it == mstats.end()) continue;
            Datum stats;
            stats.keys = {Atom(std::string("tx_bytes")), Atom(std::string("tx_packets"))};
            stats.values = {Atom(static_cast<int64_t>(it->second.bytes)), Atom(static_cast<int64_t>(it->second.packets))};
            set_if(*mr, "statistics", std::move(stats));
        }
    }

    const auto& roots = idl_.table("Open_vSwitch");
    if (cur_cfg && !roots.empty()) {
        const IdlRow& root = *roots.begin();
        if (root.get_integer("cur_cfg") != *cur_cfg) {
            txn.set(root, "cur_cfg", int_datum(*cur_cfg));
            any = true;
        }
    }
    if (!any) {
        if (cur_cfg) written_cfg_ = *cur_cfg;
        return;
    }
    txn_in_flight_ = true;
    int64_t cfg = cur_cfg.value_or(written_cfg_);
    txn.commit([this, cfg, has_cfg = cur_cfg.has_value()](const ovsdb::IdlTxnResult& r) {
        txn_in_flight_ = false;
        if (r.ok()) {
            if (has_cfg) written_cfg_ = cfg;
        } else {
            vlog.warn("writing status to the database failed: {} {}", ovsdb::to_string(r.status), r.error);
            rewrite_ = true;
        }
        commit_done(r);
    });
}

void Bridge::commit_done(const ovsdb::IdlTxnResult& r) {
    if (r.ok()) {
        if (rewrite_ || written_cfg_ != applied_cfg_) write_status(applied_cfg_);
        return;
    }
    // Try again shortly (the replica catches up with what conflicted).
    retry_ = loop_.add_timer(std::chrono::milliseconds(100), [this] {
        if (rewrite_ || written_cfg_ != applied_cfg_) write_status(applied_cfg_);
    });
}

}  // namespace xvs::vswitchd
