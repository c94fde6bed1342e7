// xvs-ofctl's commands and what they share: the options, the port and
// table names fetched from a switch, opening a connection with the flow
// protocol a command needs, and the request patterns (a dump printed as
// the replies come, a change that only answers with an error).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ofproto/meta_flow.h"
#include "ofproto/ofp_replies.h"
#include "tools/ofctl_parse.h"
#include "tools/ofctl_protocol.h"
#include "tools/ofctl_vconn.h"
#include "util/daemon.h"

namespace xvs::ofctl {

// --sort / --rsort keys: a field, or the priority (field null).
struct SortKey {
    const ofproto::MfField* field = nullptr;
    bool descending = false;
};

struct Options {
    uint32_t versions = 1u << 1;  // -O; OpenFlow 1.0 by default, as ovs-ofctl
    Protocols allowed = kPAny;    // -F
    bool strict = false;          // --strict
    bool readd = false;           // --readd
    bool timestamp = false;       // --timestamp (monitor, snoop)
    int verbosity = 0;            // -m
    bool show_stats = true;       // --stats / --no-stats
    int use_names = -1;           // --names / --no-names (-1: names are accepted, not shown)
    int packet_in_format = -1;    // -P
    std::vector<SortKey> sort;    // --sort, --rsort (priority last, descending)
    std::string rundir;           // $OVS_RUNDIR
    // monitor and snoop: --detach, --pidfile, --unixctl, ... (stderr, where
    // they print, stays open when detached, as in ovs-ofctl).
    DaemonOptions daemon;
    DaemonDirs dirs;
};

// What every command gets.
struct Context {
    Options opts;
    std::vector<std::string> args;  // the command's arguments (args[0] is the switch)

    // Opens 'target' with the allowed versions; returns the connection and
    // its starting protocol.
    std::unique_ptr<Vconn> open(const std::string& target, Protocols* protocol);
    // The port and table names of 'target' when names are accepted (a
    // bridge name: ovs-ofctl asks the switch once per target, which costs
    // transaction ids that the printed replies show), else null.
    const NameMaps* names_to_accept(const std::string& target);
    // Only the port names (one connection fewer, as ovs-ofctl when a
    // command takes a port but no flow).
    const NameMaps* ports_to_accept(const std::string& target);

private:
    struct Fetched {
        NameMaps names;
        bool ports = false, tables = false;
    };
    Fetched& names_of(const std::string& target);
    std::map<std::string, std::unique_ptr<Fetched>> names_;
};

// Each command takes the context and returns the exit status.
int cmd_show(Context& c);
int cmd_dump_desc(Context& c);
int cmd_dump_tables(Context& c);
int cmd_dump_ports(Context& c);
int cmd_dump_ports_desc(Context& c);
int cmd_dump_flows(Context& c);
int cmd_dump_aggregate(Context& c);
int cmd_add_flow(Context& c);
int cmd_add_flows(Context& c);
int cmd_mod_flows(Context& c);
int cmd_del_flows(Context& c);
int cmd_replace_flows(Context& c);
int cmd_diff_flows(Context& c);
int cmd_packet_out(Context& c);
int cmd_monitor(Context& c);
int cmd_snoop(Context& c);
int cmd_probe(Context& c);
int cmd_get_frags(Context& c);
int cmd_set_frags(Context& c);

// Shared by the command files.
// Switches the connection to a protocol among 'usable' that flow dumps
// prefer (1.5 down to 1.0 with the 1.0 match), as ovs-ofctl does; fatal
// when none works.
Protocols set_protocol_for_flow_dump(Vconn& v, Protocols current, Protocols usable, Protocols allowed);
// Opens 'target' for flow mods needing one of 'usable'.
std::unique_ptr<Vconn> open_for_flow_mod(Context& c, const std::string& target, Protocols usable, Protocols* protocol);
// Sends 'request' with a barrier; an error reply is printed on stderr and
// the program exits 1.
void transact_noreply(Vconn& v, const ofproto::Bytes& request, int verbosity);
// The flows a switch has (all tables), decoded; fatal on errors.
std::vector<ofproto::OfpFlowStatsEntry> dump_flows(Vconn& v, Protocols protocol,
                                                   const ofproto::OfpFlowStatsRequest& req);
ofproto::Bytes encode_flow_mod_for(Protocols protocol, const ofproto::OfpFlowMod& fm);

}  // namespace xvs::ofctl
