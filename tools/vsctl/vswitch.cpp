#include "tools/vsctl/vswitch.h"

#include <algorithm>
#include <vector>

#include "tools/vsctl/fatal.h"

namespace xvs::vsctl {

namespace {

void verify_cache_columns(DbCopy& db, Row& ovs) {
    db.verify(ovs.uuid, "bridges");
    for (auto& bu : ovs.cols["bridges"].keys) db.verify(bu, "ports");
    for (auto& [pu, p] : db.rows("Port")) {
        db.verify(pu, "interfaces");
        db.verify(pu, "tag");
        db.verify(pu, "fake_bridge");
    }
}

// Fake bridges: ports of a real bridge with a tag and fake_bridge=true.
void add_fake_bridges(DbCopy& db, VswitchCache& c) {
    std::vector<std::string> real_names;
    for (auto& [bn, b] : c.bridges) real_names.push_back(bn);
    for (auto& bn : real_names) {
        BridgeInfo* real = &c.bridges[bn];
        for (auto& pu : real->row->cols["ports"].keys) {
            Row* p = db.find_row("Port", pu);
            if (!p) continue;
            auto& fb = p->cols["fake_bridge"];
            auto& tag = p->cols["tag"];
            if (!fb.keys.empty() && fb.keys[0] == true && !tag.keys.empty()) {
                std::string name = str_col(*p, "name");
                BridgeInfo& f = c.bridges[name];
                f.row = real->row;
                f.name = name;
                f.parent = real;
                f.vlan = tag.keys[0].get<int>();
            }
        }
    }
}

// A real bridge's ports (each on the fake bridge of its tag, if any) and
// their interfaces; the first of a name wins.
void add_ports(DbCopy& db, VswitchCache& c, BridgeInfo& b) {
    for (auto& pu : b.row->cols["ports"].keys) {
        Row* p = db.find_row("Port", pu);
        if (!p) continue;
        std::string pname = str_col(*p, "name");
        BridgeInfo* owner = &b;
        auto& tag = p->cols["tag"];
        if (!tag.keys.empty()) {
            for (auto& [fn, f] : c.bridges)
                if (f.parent == &b && f.vlan == tag.keys[0].get<int>()) owner = &f;
        }
        if (c.ports.count(pname)) continue;
        PortInfo& pt = c.ports[pname];
        pt.row = p;
        pt.bridge = owner;
        for (auto& iu : p->cols["interfaces"].keys) {
            Row* i = db.find_row("Interface", iu);
            if (!i) continue;
            std::string iname = str_col(*i, "name");
            if (c.ifaces.count(iname)) continue;
            c.ifaces[iname] = IfaceInfo{i, &pt};
        }
    }
}

}  // namespace

Row& ovs_row(DbCopy& db) {
    auto& rows = db.rows("Open_vSwitch");
    if (rows.empty()) db.insert_row("Open_vSwitch");
    return rows.begin()->second;
}

std::string str_col(Row& r, const std::string& col) {
    auto& d = r.cols[col];
    return d.keys.empty() ? "" : d.keys[0].get<std::string>();
}

void add_uuid(DbCopy& db, const std::string& table, Row& r, const std::string& col, const std::string& uuid) {
    Datum d = r.cols[col];
    d.keys.push_back(uuid);
    db.set_col(table, r, col, d);
}

void remove_uuid(DbCopy& db, const std::string& table, Row& r, const std::string& col, const std::string& uuid) {
    Datum d = r.cols[col];
    d.keys.erase(std::remove(d.keys.begin(), d.keys.end(), Json(uuid)), d.keys.end());
    db.set_col(table, r, col, d);
}

BridgeInfo& VswitchCache::need_bridge(const std::string& name) {
    auto it = bridges.find(name);
    if (it == bridges.end()) fatal("no bridge named {}", name);
    return it->second;
}

VswitchCache build_cache(DbCopy& db) {
    VswitchCache c;
    Row& ovs = ovs_row(db);
    verify_cache_columns(db, ovs);
    for (auto& bu : ovs.cols["bridges"].keys) {
        Row* br = db.find_row("Bridge", bu);
        if (!br) continue;
        std::string name = str_col(*br, "name");
        if (c.bridges.count(name)) continue;
        BridgeInfo& b = c.bridges[name];
        b.row = br;
        b.name = name;
    }
    add_fake_bridges(db, c);
    for (auto& [bn, b] : c.bridges)
        if (!b.parent) add_ports(db, c, b);
    return c;
}

}  // namespace xvs::vsctl
