// The Open vSwitch, bridge, port, interface, controller, manager, fail-mode
// and external-id commands, on the VswitchCache view of the database.
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "tools/vsctl/command.h"
#include "tools/vsctl/db_args.h"
#include "tools/vsctl/fatal.h"
#include "tools/vsctl/value_parser.h"
#include "tools/vsctl/vswitch.h"

namespace xvs::vsctl {

namespace {

// Inserts a row and sets the given columns, in order.
std::string new_row(DbCopy& db, const std::string& table, std::initializer_list<std::pair<const char*, Datum>> cols) {
    std::string uuid = db.insert_row(table);
    Row& r = *db.find_row(table, uuid);
    for (auto& [col, value] : cols) db.set_col(table, r, col, value);
    return uuid;
}

void cmd_init(Context& ctx, Command&) {
    ovs_row(ctx.db);
}

// --may-exist add-br of a bridge that exists: fine if it is what was asked.
void check_existing_bridge(const Command& cmd, const BridgeInfo& b) {
    auto& a = cmd.args;
    const std::string& name = a[0];
    if (a.size() == 3) {
        std::string asked = fmt::format("\"--may-exist add-br {} {} {}\" but {}", name, a[1], a[2], name);
        if (!b.parent) fatal("{} is not a VLAN bridge", asked);
        if (b.parent->name != a[1]) fatal("{} has the wrong parent {}", asked, b.parent->name);
        if (std::to_string(b.vlan) != a[2]) fatal("{} is a VLAN bridge for the wrong VLAN {}", asked, b.vlan);
    } else if (b.parent) {
        fatal("\"--may-exist add-br {}\" but {} is a VLAN bridge for VLAN {}", name, name, b.vlan);
    }
}

void cmd_add_br(Context& ctx, Command& cmd) {
    auto& a = cmd.args;
    if (a.size() == 2) fatal("'add-br' command takes exactly 1 or 3 arguments");
    DbCopy& db = ctx.db;
    VswitchCache c = build_cache(db);
    const std::string& name = a[0];
    if (c.bridges.count(name)) {
        if (!cmd.has("--may-exist"))
            fatal("cannot create a bridge named {} because a bridge named {} already exists", name, name);
        return check_existing_bridge(cmd, c.bridges[name]);
    }
    if (c.ports.count(name))
        fatal("cannot create a bridge named {} because a port named {} already exists on bridge {}", name, name,
              c.ports[name].bridge->name);
    if (c.ifaces.count(name))
        fatal("cannot create a bridge named {} because an interface named {} already exists on bridge {}", name, name,
              c.ifaces[name].port->bridge->name);
    std::string iu = new_row(db, "Interface", {{"name", single(name)}, {"type", single("internal")}});
    std::string pu = new_row(db, "Port", {{"name", single(name)}, {"interfaces", single(iu)}});
    if (a.size() == 1) {
        std::string bu = new_row(db, "Bridge", {{"name", single(name)}, {"ports", single(pu)}});
        return add_uuid(db, "Open_vSwitch", ovs_row(db), "bridges", bu);
    }
    auto parent = c.bridges.find(a[1]);
    if (parent == c.bridges.end()) fatal("parent bridge {} does not exist", a[1]);
    if (parent->second.parent) fatal("cannot create bridge with fake bridge as parent");
    char* end;
    long vlan = strtol(a[2].c_str(), &end, 10);
    if (*end || a[2].empty() || vlan < 0 || vlan > 4095) fatal("vlan must be between 0 and 4095 (got {})", a[2]);
    Row& pr = *db.find_row("Port", pu);
    db.set_col("Port", pr, "fake_bridge", single(true));
    db.set_col("Port", pr, "tag", single(vlan));
    add_uuid(db, "Bridge", *parent->second.row, "ports", pu);
}

void cmd_del_br(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    auto it = c.bridges.find(cmd.args[0]);
    if (it == c.bridges.end()) {
        if (cmd.has("--if-exists")) return;
        fatal("no bridge named {}", cmd.args[0]);
    }
    BridgeInfo& b = it->second;
    if (!b.parent) return remove_uuid(ctx.db, "Open_vSwitch", ovs_row(ctx.db), "bridges", b.row->uuid);
    // A fake bridge: its ports, which are on its parent, go.
    for (auto& [pn, p] : c.ports)
        if (p.bridge == &b) remove_uuid(ctx.db, "Bridge", *b.row, "ports", p.row->uuid);
}

void cmd_list_br(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    for (auto& [bn, b] : c.bridges) {
        if (cmd.has("--real") && b.parent) continue;
        if (cmd.has("--fake") && !b.parent) continue;
        cmd.output += bn + "\n";
    }
}

void cmd_br_exists(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    if (!c.bridges.count(cmd.args[0])) std::exit(2);
}

void cmd_br_to_vlan(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    cmd.output += std::to_string(c.need_bridge(cmd.args[0]).vlan) + "\n";
}

void cmd_br_to_parent(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    BridgeInfo& b = c.need_bridge(cmd.args[0]);
    cmd.output += (b.parent ? b.parent->name : b.name) + "\n";
}

void cmd_list_ports(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    BridgeInfo& b = c.need_bridge(cmd.args[0]);
    for (auto& [pn, p] : c.ports)
        if (p.bridge == &b && pn != b.name) cmd.output += pn + "\n";
}

void cmd_list_ifaces(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    BridgeInfo& b = c.need_bridge(cmd.args[0]);
    for (auto& [in, i] : c.ifaces)
        if (i.port->bridge == &b && in != b.name) cmd.output += in + "\n";
}

// add-port BRIDGE PORT [COLUMN[:KEY]=VALUE]...,
// add-bond BRIDGE PORT IFACE... [COLUMN[:KEY]=VALUE]...
void cmd_add_port(Context& ctx, Command& cmd) {
    auto& a = cmd.args;
    DbCopy& db = ctx.db;
    VswitchCache c = build_cache(db);
    BridgeInfo& b = c.need_bridge(a[0]);
    const std::string& pname = a[1];
    std::vector<std::string> ifnames;
    size_t i = 2;
    if (cmd.name == "add-bond") {
        while (i < a.size() && a[i].find('=') == std::string::npos) ifnames.push_back(a[i++]);
        if (ifnames.size() < 2)
            fatal("add-bond requires at least 2 interfaces, but only {} were specified", ifnames.size());
    } else {
        ifnames.push_back(pname);
    }
    if (c.ports.count(pname)) {
        PortInfo& p = c.ports[pname];
        if (!cmd.has("--may-exist"))
            fatal("cannot create a port named {} because a port named {} already exists on bridge {}", pname, pname,
                  p.bridge->name);
        if (p.bridge != &b)
            fatal("\"--may-exist add-port {} {}\" but {} is actually attached to bridge {}", a[0], pname, pname,
                  p.bridge->name);
        return;
    }
    for (auto& in : ifnames)
        if (c.ifaces.count(in))
            fatal("cannot create an interface named {} because an interface named {} already exists on bridge {}", in,
                  in, c.ifaces[in].port->bridge->name);
    Datum ifs;
    for (auto& in : ifnames) ifs.keys.push_back(new_row(db, "Interface", {{"name", single(in)}}));
    std::string pu = new_row(db, "Port", {{"name", single(pname)}, {"interfaces", ifs}});
    Row& pr = *db.find_row("Port", pu);
    if (b.parent) db.set_col("Port", pr, "tag", single(b.vlan));
    for (; i < a.size(); i++) apply_set(ctx, "Port", pr, a[i]);
    add_uuid(db, "Bridge", *b.row, "ports", pu);
}

// The port del-port names, checked against the bridge if one is given.
PortInfo* port_to_delete(VswitchCache& c, const Command& cmd) {
    auto& a = cmd.args;
    const std::string& pname = a.back();
    PortInfo* p = nullptr;
    if (auto it = c.ports.find(pname); it != c.ports.end()) p = &it->second;
    if (!p && cmd.has("--with-iface")) {
        if (auto ii = c.ifaces.find(pname); ii != c.ifaces.end()) p = ii->second.port;
    }
    if (!p) {
        if (a.size() == 2) c.need_bridge(a[0]);
        if (cmd.has("--if-exists")) return nullptr;
        fatal("no {} named {}", cmd.has("--with-iface") ? "port or interface" : "port", pname);
    }
    if (p->bridge->name == pname && !p->bridge->parent)
        fatal(
            "cannot delete port {} because it is the local port for bridge {} (deleting this port requires "
            "deleting the entire bridge)",
            pname, pname);
    if (a.size() == 2) {
        BridgeInfo& b = c.need_bridge(a[0]);
        if (p->bridge != &b) {
            if (p->bridge->parent == &b)
                fatal("bridge {} does not have a port {} (although its child bridge {} does)", a[0], pname,
                      p->bridge->name);
            fatal("bridge {} does not have a port {}", a[0], pname);
        }
    }
    return p;
}

void cmd_del_port(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    if (PortInfo* p = port_to_delete(c, cmd)) remove_uuid(ctx.db, "Bridge", *p->bridge->row, "ports", p->row->uuid);
}

void cmd_port_to_br(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    auto it = c.ports.find(cmd.args[0]);
    if (it == c.ports.end()) fatal("no port named {}", cmd.args[0]);
    cmd.output += it->second.bridge->name + "\n";
}

void cmd_iface_to_br(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    auto it = c.ifaces.find(cmd.args[0]);
    if (it == c.ifaces.end()) fatal("no interface named {}", cmd.args[0]);
    cmd.output += it->second.port->bridge->name + "\n";
}

// Where the *-controller and *-manager commands find their list: a
// bridge's controllers, or Open_vSwitch's managers.
struct RemoteList {
    Row* owner;
    const char* owner_table;
    const char* column;
    const char* table;  // of the rows listed
};

RemoteList remote_list(Context& ctx, VswitchCache& c, const Command& cmd) {
    if (cmd.name.ends_with("-manager")) return {&ovs_row(ctx.db), "Open_vSwitch", "manager_options", "Manager"};
    return {&c.need_bridge(cmd.args[0]).real_row(), "Bridge", "controller", "Controller"};
}

// set-controller BRIDGE TARGET..., set-manager TARGET...
void cmd_set_remotes(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    RemoteList list = remote_list(ctx, c, cmd);
    DbCopy& db = ctx.db;
    Datum d;
    for (size_t i = cmd.name == "set-manager" ? 0 : 1; i < cmd.args.size(); i++) {
        std::string u = new_row(db, list.table, {{"target", single(cmd.args[i])}});
        if (cmd.has("--inactivity-probe"))
            db.set_col(
                list.table, *db.find_row(list.table, u), "inactivity_probe",
                parse_datum(cmd.opts.at("--inactivity-probe"), db.column(list.table, "inactivity_probe"), ctx.symbols));
        d.keys.push_back(u);
    }
    // The old rows are garbage collected once unreferenced.
    db.set_col(list.owner_table, *list.owner, list.column, d);
}

void cmd_del_remotes(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    RemoteList list = remote_list(ctx, c, cmd);
    ctx.db.set_col(list.owner_table, *list.owner, list.column, Datum{});
}

void cmd_get_remotes(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    RemoteList list = remote_list(ctx, c, cmd);
    std::vector<std::string> targets;
    for (auto& u : list.owner->cols[list.column].keys)
        if (Row* r = ctx.db.find_row(list.table, u)) targets.push_back(str_col(*r, "target"));
    std::sort(targets.begin(), targets.end());
    for (auto& t : targets) cmd.output += t + "\n";
}

void cmd_get_fail_mode(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    auto& d = c.need_bridge(cmd.args[0]).real_row().cols["fail_mode"];
    if (!d.keys.empty()) cmd.output += d.keys[0].get<std::string>() + "\n";
}

void cmd_del_fail_mode(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    ctx.db.set_col("Bridge", c.need_bridge(cmd.args[0]).real_row(), "fail_mode", Datum{});
}

void cmd_set_fail_mode(Context& ctx, Command& cmd) {
    VswitchCache c = build_cache(ctx.db);
    Row& br = c.need_bridge(cmd.args[0]).real_row();
    const std::string& mode = cmd.args[1];
    if (mode != "standalone" && mode != "secure") fatal("fail-mode must be \"standalone\" or \"secure\"");
    ctx.db.set_col("Bridge", br, "fail_mode", single(mode));
}

// Where a bridge keeps its external ids: a fake bridge keeps them on its
// port, with a prefix.
struct ExternalIds {
    Row* row;
    const char* table;
    std::string prefix;
};

ExternalIds external_ids_of(VswitchCache& c, const std::string& bridge) {
    BridgeInfo& b = c.need_bridge(bridge);
    if (b.parent) return {c.ports.at(b.name).row, "Port", "fake-bridge-"};
    return {b.row, "Bridge", ""};
}

// br-set-external-id BRIDGE KEY [VALUE]: no value removes the key.
void cmd_br_set_external_id(Context& ctx, Command& cmd) {
    auto& a = cmd.args;
    VswitchCache c = build_cache(ctx.db);
    ExternalIds ids = external_ids_of(c, a[0]);
    Datum d = ids.row->cols["external_ids"];
    std::string key = ids.prefix + a[1];
    for (size_t i = 0; i < d.keys.size(); i++) {
        if (d.keys[i] == key) {
            d.keys.erase(d.keys.begin() + i);
            d.vals.erase(d.vals.begin() + i);
            break;
        }
    }
    if (a.size() == 3) {
        d.keys.push_back(key);
        d.vals.push_back(a[2]);
    }
    ctx.db.set_col(ids.table, *ids.row, "external_ids", d);
}

// br-get-external-id BRIDGE [KEY]: one value, or every KEY=VALUE.
void cmd_br_get_external_id(Context& ctx, Command& cmd) {
    auto& a = cmd.args;
    VswitchCache c = build_cache(ctx.db);
    ExternalIds ids = external_ids_of(c, a[0]);
    Datum d = ids.row->cols["external_ids"];
    for (size_t i = 0; i < d.keys.size(); i++) {
        std::string k = d.keys[i];
        if (k.rfind(ids.prefix, 0) != 0) continue;
        k = k.substr(ids.prefix.size());
        if (a.size() == 2) {
            if (k == a[1]) cmd.output += d.vals[i].get<std::string>() + "\n";
        } else {
            cmd.output += k + "=" + d.vals[i].get<std::string>() + "\n";
        }
    }
}

// What ovs-vsctl resets: remotes and SSL, each bridge's controllers, fail
// mode, mirrors, NetFlow/sFlow/IPFIX, flood VLANs and other_config (but
// "hwaddr"), ports' other_config, interfaces' policing, and every row of
// the tables those pointed to.
void cmd_emer_reset(Context& ctx, Command&) {
    DbCopy& db = ctx.db;
    Row& ovs = ovs_row(db);
    db.set_col("Open_vSwitch", ovs, "manager_options", Datum{});
    db.set_col("Open_vSwitch", ovs, "ssl", Datum{});
    for (auto& [u, br] : db.rows("Bridge")) {
        for (const char* col : {"controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix", "flood_vlans"})
            db.set_col("Bridge", br, col, Datum{});
        Datum oc = br.cols["other_config"], keep;
        for (size_t i = 0; i < oc.keys.size(); i++) {
            if (oc.keys[i] == "hwaddr") {
                keep.keys.push_back(oc.keys[i]);
                keep.vals.push_back(oc.vals[i]);
            }
        }
        db.set_col("Bridge", br, "other_config", keep);
    }
    for (auto& [u, port] : db.rows("Port")) db.set_col("Port", port, "other_config", Datum{});
    for (auto& [u, iface] : db.rows("Interface")) {
        db.set_col("Interface", iface, "ingress_policing_rate", single(0));
        db.set_col("Interface", iface, "ingress_policing_burst", single(0));
    }
    for (const char* t :
         {"Mirror", "Controller", "Manager", "NetFlow", "SSL", "sFlow", "IPFIX", "Flow_Sample_Collector_Set"}) {
        std::vector<std::string> us;
        for (auto& [u, r] : db.rows(t)) us.push_back(u);
        for (auto& u : us) db.delete_row(t, u);
    }
}

const CommandSpec kCommands[] = {
    {"init", 0, 0, {}, Access::RW, cmd_init},
    {"emer-reset", 0, 0, {}, Access::RW, cmd_emer_reset},
    {"add-br", 1, 3, {"--may-exist"}, Access::RW, cmd_add_br},
    {"del-br", 1, 1, {"--if-exists"}, Access::RW, cmd_del_br},
    {"list-br", 0, 0, {"--real", "--fake"}, Access::RO, cmd_list_br},
    {"br-exists", 1, 1, {}, Access::RO, cmd_br_exists},
    {"br-to-vlan", 1, 1, {}, Access::RO, cmd_br_to_vlan},
    {"br-to-parent", 1, 1, {}, Access::RO, cmd_br_to_parent},
    {"br-set-external-id", 2, 3, {}, Access::RW, cmd_br_set_external_id},
    {"br-get-external-id", 1, 2, {}, Access::RO, cmd_br_get_external_id},
    {"list-ports", 1, 1, {}, Access::RO, cmd_list_ports},
    {"add-port", 2, kManyArgs, {"--may-exist"}, Access::RW, cmd_add_port},
    {"add-bond", 4, kManyArgs, {"--may-exist", "--fake-iface"}, Access::RW, cmd_add_port},
    {"del-port", 1, 2, {"--if-exists", "--with-iface"}, Access::RW, cmd_del_port},
    {"port-to-br", 1, 1, {}, Access::RO, cmd_port_to_br},
    {"list-ifaces", 1, 1, {}, Access::RO, cmd_list_ifaces},
    {"iface-to-br", 1, 1, {}, Access::RO, cmd_iface_to_br},
    {"get-controller", 1, 1, {}, Access::RO, cmd_get_remotes},
    {"del-controller", 1, 1, {}, Access::RW, cmd_del_remotes},
    {"set-controller", 1, kManyArgs, {"--inactivity-probe"}, Access::RW, cmd_set_remotes},
    {"get-manager", 0, 0, {}, Access::RO, cmd_get_remotes},
    {"del-manager", 0, 0, {}, Access::RW, cmd_del_remotes},
    {"set-manager", 0, kManyArgs, {"--inactivity-probe"}, Access::RW, cmd_set_remotes},
    {"get-fail-mode", 1, 1, {}, Access::RO, cmd_get_fail_mode},
    {"del-fail-mode", 1, 1, {}, Access::RW, cmd_del_fail_mode},
    {"set-fail-mode", 2, 2, {}, Access::RW, cmd_set_fail_mode},
};

}  // namespace

std::span<const CommandSpec> vswitch_commands() {
    return kCommands;
}

}  // namespace xvs::vsctl
