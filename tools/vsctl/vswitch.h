// The Open_vSwitch schema as the bridge and port commands see it: the root
// row, and bridges, ports and interfaces by name, with fake bridges (a
// port with a tag and fake_bridge=true that stands for a VLAN of its
// parent bridge), as ovs-vsctl's cache has them.
#pragma once

#include <map>
#include <string>

#include "tools/vsctl/db_copy.h"

namespace xvs::vsctl {

// The Open_vSwitch row; inserted when the database has none (what "init"
// does, and what any command that needs it does too).
Row& ovs_row(DbCopy& db);
// A string column's value, "" when empty.
std::string str_col(Row& r, const std::string& col);

// Adds a uuid to, or removes it from, a set-of-uuids column.
void add_uuid(DbCopy& db, const std::string& table, Row& r, const std::string& col, const std::string& uuid);
void remove_uuid(DbCopy& db, const std::string& table, Row& r, const std::string& col, const std::string& uuid);

struct BridgeInfo {
    Row* row = nullptr;  // the Bridge; for a fake bridge, its parent's
    std::string name;
    BridgeInfo* parent = nullptr;  // fake bridges only
    int vlan = 0;
    // The Bridge row that holds this bridge's settings.
    Row& real_row() const { return parent ? *parent->row : *row; }
};
struct PortInfo {
    Row* row;
    BridgeInfo* bridge;
};
struct IfaceInfo {
    Row* row;
    PortInfo* port;
};

// Points into itself: moved, never copied.
struct VswitchCache {
    std::map<std::string, BridgeInfo> bridges;
    std::map<std::string, PortInfo> ports;
    std::map<std::string, IfaceInfo> ifaces;

    VswitchCache() = default;
    VswitchCache(VswitchCache&&) = default;
    VswitchCache(const VswitchCache&) = delete;
    VswitchCache& operator=(const VswitchCache&) = delete;

    // Fails with "no bridge named NAME".
    BridgeInfo& need_bridge(const std::string& name);
};

// Builds the cache, verifying the columns it reads (the bridges list,
// each bridge's ports, each port's interfaces, tag and fake_bridge): a
// concurrent change to any of them makes the commit start over.
VswitchCache build_cache(DbCopy& db);

}  // namespace xvs::vsctl
