// The bridge layer of xvs-vswitchd: reads the Open_vSwitch database through
// the IDL, turns it into the switch's configuration, applies it, and writes
// back what Open vSwitch writes (interface ofport/ifindex/MAC/state/errors
// and statistics, the bridge's datapath_id, and cur_cfg = next_cfg once a
// change is live, which is what ovs-vsctl waits for).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "ofproto/connmgr.h"
#include "ofproto/switch.h"
#include "ovsdb/idl.h"
#include "util/poll_loop.h"

namespace xvs::vswitchd {

class Bridge {
public:
    // Registers the tables and columns it needs with 'idl' and takes its
    // lock ("ovs_vswitchd", as ovs-vswitchd does).
    // rundir: where each bridge's OpenFlow service socket <bridge>.mgmt goes.
    Bridge(PollLoop& loop, ovsdb::Idl& idl, ofproto::Switch& sw, std::string rundir);
    ~Bridge();

    // Applies the database when it changed; call on IDL changes.
    void run();
    // Rewrites interface statistics and states (every stats interval).
    void update_stats();
    // A network device appeared, changed or went away: attach what waits
    // for it, detach what lost it.
    void devices_changed();

    static constexpr std::chrono::milliseconds kStatsInterval{5000};

private:
    ofproto::SwitchConfig build_config(int64_t& next_cfg) const;
    void write_status(std::optional<int64_t> cur_cfg);
    void commit_done(const ovsdb::IdlTxnResult& r);
    void configure_openflow();
    std::optional<std::string> datapath_id(const ovsdb::IdlRow& br) const;

    PollLoop& loop_;
    ovsdb::Idl& idl_;
    ofproto::Switch& sw_;
    std::optional<ofproto::SwitchConfig> applied_;
    std::map<std::string, ofproto::IfaceStatus> status_;
    int64_t applied_cfg_ = -1;  // next_cfg that the running configuration reflects
    int64_t written_cfg_ = -1;  // cur_cfg we have committed
    bool txn_in_flight_ = false;
    bool rewrite_ = false;  // status changed while a transaction was in flight
    PollLoop::Timer retry_;
    std::string rundir_;
    std::map<std::string, std::unique_ptr<ofproto::ConnMgr>> connmgrs_;  // by bridge name
};

}  // namespace xvs::vswitchd
