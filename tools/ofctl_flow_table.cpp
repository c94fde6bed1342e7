// diff-flows and replace-flows: two versions of a flow table side by side
// (a file's flows and a switch's, or two switches'), keyed as OpenFlow
// keys rules: table, match and priority.
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <tuple>

#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"
#include "tools/ofctl_commands.h"
#include "tools/ofctl_print.h"

namespace xvs::ofctl {

using namespace ofproto;

namespace {

// One version of a flow: what a flow mod sets besides its key.
struct FlowVersion {
    uint64_t cookie = 0;
    uint16_t idle_timeout = 0, hard_timeout = 0, importance = 0;
    uint16_t flags = 0;  // send_flow_rem only (a switch does not report flags before 1.3)
    OfActions actions;
    uint8_t table_id = 0;
};

// Ignores flags: a switch cannot be asked for them in every version.
bool same_version(const FlowVersion& a, const FlowVersion& b) {
    return a.cookie == b.cookie && a.idle_timeout == b.idle_timeout && a.hard_timeout == b.hard_timeout &&
           a.importance == b.importance && a.table_id == b.table_id &&
           format_of_actions(a.actions) == format_of_actions(b.actions);
}

struct FlowEntry {
    Match match;
    int32_t priority = 0;
    std::optional<FlowVersion> versions[2];
};

// Flows by (table, priority, match text); the text stands for the match
// since two matches with the same text are the same rule.
using Key = std::tuple<uint8_t, int32_t, std::string>;

struct FlowTables {
    std::map<Key, FlowEntry> entries;

    void insert(const Match& m, int32_t priority, FlowVersion v, int index) {
        Key key{v.table_id, -priority, format_match(m, priority)};
        auto& e = entries[key];
        e.match = m;
        e.priority = priority;
        e.versions[index] = std::move(v);
    }
};

// The flows of a file, as add commands (ovs-ofctl reads them so).
Protocols read_flows_from_file(const std::string& file, const NameMaps* names, FlowTables* tables, int index) {
    std::ifstream in;
    std::istream* is = &std::cin;
    if (file != "-") {
        in.open(file);
        if (!in) fatal(fmt::format("{}: open ({})", file, std::strerror(errno)));
        is = &in;
    }
    Protocols usable_all = kPAny;
    std::string line;
    int line_number = 0;
    while (std::getline(*is, line)) {
        line_number++;
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        if (line.find_first_not_of(" \t\n\r") == std::string::npos) continue;
        Protocols usable;
        std::string error;
        auto fm = parse_flow_mod(line, ParseCommand::Add, names, &usable, &error);
        if (!fm) fatal(fmt::format("{}:{}: {}", file, line_number, error));
        usable_all &= usable;
        FlowVersion v;
        v.cookie = fm->cookie;
        v.idle_timeout = fm->idle_timeout;
        v.hard_timeout = fm->hard_timeout;
        v.importance = fm->importance;
        v.flags = fm->flags & kFfSendFlowRem;
        v.actions = fm->actions;
        v.table_id = fm->table_id != 0xff ? fm->table_id : 0;
        tables->insert(fm->match, fm->priority, std::move(v), index);
    }
    return usable_all;
}

void read_flows_from_switch(Vconn& v, Protocols protocol, FlowTables* tables, int index) {
    OfpFlowStatsRequest req;
    for (auto& f : dump_flows(v, protocol, req)) {
        FlowVersion fv;
        fv.cookie = f.stats.cookie;
        fv.idle_timeout = f.stats.idle_timeout;
        fv.hard_timeout = f.stats.hard_timeout;
        fv.importance = f.stats.importance;
        fv.actions = std::move(f.stats.actions);
        fv.table_id = f.stats.table_id;
        tables->insert(f.stats.match, f.stats.priority, std::move(fv), index);
    }
}

std::string version_text(const FlowEntry& e, int index) {
    const auto& v = e.versions[index];
    if (!v) return {};
    std::string s;
    if (v->table_id) s += fmt::format("table={} ", v->table_id);
    s += format_match(e.match, e.priority);
    if (v->cookie) s += fmt::format(" cookie={:#x}", v->cookie);
    if (v->idle_timeout) s += fmt::format(" idle_timeout={}", v->idle_timeout);
    if (v->hard_timeout) s += fmt::format(" hard_timeout={}", v->hard_timeout);
    if (v->importance) s += fmt::format(" importance={}", v->importance);
    s += " actions=" + format_of_actions(v->actions) + "\n";
    return s;
}

OfpFlowMod flow_mod_of(const FlowEntry& e, int index, FlowModCommand command) {
    const auto& v = *e.versions[index];
    OfpFlowMod fm;
    fm.match = e.match;
    fm.priority = e.priority;
    fm.cookie = v.cookie;
    fm.modify_cookie = true;
    fm.table_id = v.table_id;
    fm.command = command;
    fm.idle_timeout = v.idle_timeout;
    fm.hard_timeout = v.hard_timeout;
    fm.importance = v.importance;
    fm.flags = v.flags;
    if (command == FlowModCommand::Add) fm.actions = v.actions;
    return fm;
}

}  // namespace

int cmd_replace_flows(Context& c) {
    constexpr int kFile = 0, kSwitch = 1;
    if (c.args.size() < 2) fatal("'replace-flows' command requires at least 2 arguments");
    const std::string& target = c.args[0];
    FlowTables tables;
    const NameMaps* names = c.names_to_accept(target);
    Protocols usable = read_flows_from_file(c.args[1], names, &tables, kFile);
    Protocols protocol;
    auto v = c.open(target, &protocol);
    protocol = set_protocol_for_flow_dump(*v, protocol, usable, c.opts.allowed);
    read_flows_from_switch(*v, protocol, &tables, kSwitch);

    std::vector<Bytes> requests;
    // Table by table: flows only on the switch go, flows only in the file
    // or different there come (again).
    for (int table = 0; table < 256; table++) {
        for (const auto& [key, e] : tables.entries) {
            if (std::get<0>(key) != table) continue;
            if (e.versions[kSwitch] && !e.versions[kFile]) {
                requests.push_back(
                    encode_flow_mod_for(protocol, flow_mod_of(e, kSwitch, FlowModCommand::DeleteStrict)));
            }
        }
        for (const auto& [key, e] : tables.entries) {
            if (std::get<0>(key) != table) continue;
            const auto& file_ver = e.versions[kFile];
            const auto& sw_ver = e.versions[kSwitch];
            if (file_ver && (c.opts.readd || !sw_ver || !same_version(*sw_ver, *file_ver))) {
                requests.push_back(encode_flow_mod_for(protocol, flow_mod_of(e, kFile, FlowModCommand::Add)));
            }
        }
    }
    for (const auto& r : requests) transact_noreply(*v, r, c.opts.verbosity);
    return 0;
}

int cmd_diff_flows(Context& c) {
    if (c.args.size() < 2) fatal("'diff-flows' command requires at least 2 arguments");
    FlowTables tables;
    for (int i = 0; i < 2; i++) {
        const std::string& source = c.args[i];
        struct stat st;
        if (source[0] == '/' || source[0] == '.' ||
            (source.find(':') == std::string::npos && !::stat(source.c_str(), &st))) {
            read_flows_from_file(source, nullptr, &tables, i);
        } else {
            Protocols protocol;
            auto v = c.open(source, &protocol);
            protocol = set_protocol_for_flow_dump(*v, protocol, kPAny, c.opts.allowed);
            read_flows_from_switch(*v, protocol, &tables, i);
        }
    }
    bool differences = false;
    for (const auto& [key, e] : tables.entries) {
        const auto& a = e.versions[0];
        const auto& b = e.versions[1];
        if (!a || !b || !same_version(*a, *b)) {
            std::string as = version_text(e, 0), bs = version_text(e, 1);
            if (!as.empty()) std::printf("-%s", as.c_str());
            if (!bs.empty()) std::printf("+%s", bs.c_str());
            differences = true;
        }
    }
    return differences ? 2 : 0;
}

}  // namespace xvs::ofctl
