// xvs-ofctl's commands that talk to one switch: show, the dumps, flow mods,
// packet-out, and the helpers they share. (diff-flows and replace-flows,
// which compare flow tables, are in ofctl_flow_table.cpp; monitor and snoop
// in ofctl_monitor.cpp.)
#include "tools/ofctl_commands.h"

#include <fmt/format.h>
#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"
#include "tools/ofctl_print.h"

namespace xvs::ofctl {

using namespace ofproto;

namespace {

void print(const Bytes& msg, int verbosity, FILE* out = stdout) {
    std::fputs(ofp_to_string(msg, verbosity).c_str(), out);
}

// Prints every reply to 'request' (a multipart request: all its parts; an
// error ends it too), as ovs-ofctl's dump_transaction().
void dump_transaction(Context& c, Vconn& v, const Bytes& request) {
    auto req_id = ofp_identify(request);
    if (req_id && req_id->multipart) {
        uint32_t xid = ofp_header(request).xid;
        v.send(request);
        for (;;) {
            Bytes reply = v.recv();
            if (ofp_header(reply).xid != xid) continue;
            print(reply, c.opts.verbosity + 1);
            auto id = ofp_identify(reply);
            if (id && id->kind == OfpMsgKind::Error) break;
            if (!id || !id->multipart || std::string_view(id->name).ends_with("request")) {
                fatal("received bad reply: " + ofp_to_string(reply, c.opts.verbosity + 1));
            }
            if (!(id->mp_flags & kOfpMpReplyMore)) break;
        }
    } else {
        Bytes reply = v.transact(request);
        print(reply, c.opts.verbosity + 1);
    }
}

void dump_trivial(Context& c, OfpMsgKind kind) {
    Protocols p;
    auto v = c.open(c.args[0], &p);
    dump_transaction(c, *v, *encode_empty_request(kind, v->version(), alloc_xid()));
}

// The names a switch gives its ports: from the features reply before 1.3
// (unless it may be cut), from port descriptions after.
void fetch_port_names(Context& c, const std::string& target, NameMaps* names) {
    Protocols p;
    auto v = c.open(target, &p);
    std::vector<OfpPortInfo> ports;
    bool need_desc = v->version() >= kOfp13;
    if (!need_desc) {
        Bytes reply = v->transact(*encode_empty_request(OfpMsgKind::FeaturesRequest, v->version(), alloc_xid()));
        auto f = decode_features_reply(reply);
        if (std::holds_alternative<OfpError>(f)) fatal(fmt::format("{}: received bad features reply", target));
        const auto& fr = std::get<OfpFeaturesReply>(f);
        if (fr.has_ports) {
            ports = fr.features.ports;
        } else {
            need_desc = true;
        }
    }
    if (need_desc) {
        Bytes req = encode_port_desc_request(v->version(), 0xffffffff, alloc_xid());
        uint32_t xid = ofp_header(req).xid;
        v->send(req);
        for (;;) {
            Bytes reply = v->recv();
            if (ofp_header(reply).xid != xid) continue;
            auto d = decode_port_desc_reply(reply);
            if (std::holds_alternative<OfpError>(d)) fatal("received bad reply: " + ofp_to_string(reply, 1));
            for (auto& port : std::get<std::vector<OfpPortInfo>>(d)) ports.push_back(port);
            if (!(ofp_identify(reply)->mp_flags & kOfpMpReplyMore)) break;
        }
    }
    for (const auto& port : ports) names->ports.emplace(port.name, uint16_t(port.port_no));
}

// Table names: table statistics before 1.3, table features after (each
// entry's name sits at a fixed offset).
void fetch_table_names(Context& c, const std::string& target, NameMaps* names) {
    Protocols p;
    auto v = c.open(target, &p);
    bool features = v->version() >= kOfp13;
    Bytes req = *encode_empty_request(features ? OfpMsgKind::TableFeaturesRequest : OfpMsgKind::TableStatsRequest,
                                      v->version(), alloc_xid());
    uint32_t xid = ofp_header(req).xid;
    v->send(req);
    for (;;) {
        Bytes reply = v->recv();
        if (ofp_header(reply).xid != xid) continue;
        auto id = ofp_identify(reply);
        if (!id || (id->kind != OfpMsgKind::TableStatsReply && id->kind != OfpMsgKind::TableFeaturesReply)) {
            fatal("received bad reply: " + ofp_to_string(reply, 1));
        }
        if (features) {
            size_t ofs = id->hdr_len;
            while (ofs + 40 <= reply.size()) {
                uint16_t len = uint16_t(reply[ofs] << 8 | reply[ofs + 1]);
                uint8_t table = reply[ofs + 2];
                std::string name(reinterpret_cast<const char*>(&reply[ofs + 8]), 32);
                name.resize(name.find('\0') == std::string::npos ? 32 : name.find('\0'));
                if (!name.empty()) names->tables.emplace(name, table);
                if (len < 64) break;
                ofs += len;
            }
        } else {
            auto t = decode_table_stats_reply(reply);
            if (auto* tables = std::get_if<std::vector<OfpTableStatsEntry>>(&t)) {
                for (const auto& e : *tables) {
                    if (!e.stats.name.empty()) names->tables.emplace(e.stats.name, e.stats.table_id);
                }
            }
        }
        if (!(id->mp_flags & kOfpMpReplyMore)) break;
    }
}

// A target that is a bridge name (no ':'): ovs-ofctl looks its names up.
bool fetches_names(const std::string& target) {
    return target.find(':') == std::string::npos;
}

// The port a command names: a number or reserved name without asking the
// switch, else a name the switch reports.
uint16_t port_of(Context& c, const std::string& target, const std::string& text) {
    if (text.empty() || text[0] != '-') {
        if (auto p = mf_parse_port(text)) return *p;
    }
    if (auto p = parse_port(text, c.ports_to_accept(target))) return *p;
    fatal(fmt::format("{}: unknown port `{}'", target, text));
}

}  // namespace

// ---- Context ---------------------------------------------------------------------------

std::unique_ptr<Vconn> Context::open(const std::string& target, Protocols* protocol) {
    auto v = Vconn::open(target, opts.versions, opts.rundir);
    *protocol = protocol_of_version(v->version());
    if (!*protocol) fatal(fmt::format("{}: unsupported OpenFlow version 0x{:02x}", target, v->version()));
    return v;
}

Context::Fetched& Context::names_of(const std::string& target) {
    auto& slot = names_[target];
    if (!slot) slot = std::make_unique<Fetched>();
    return *slot;
}

const NameMaps* Context::ports_to_accept(const std::string& target) {
    if (opts.use_names == 0) return nullptr;
    Fetched& f = names_of(target);
    if (!f.ports && fetches_names(target)) fetch_port_names(*this, target, &f.names);
    f.ports = true;
    return &f.names;
}

const NameMaps* Context::names_to_accept(const std::string& target) {
    if (opts.use_names == 0) return nullptr;
    ports_to_accept(target);
    Fetched& f = names_of(target);
    if (!f.tables && fetches_names(target)) fetch_table_names(*this, target, &f.names);
    f.tables = true;
    return &f.names;
}

// ---- Protocols ---------------------------------------------------------------------------

namespace {

// Asks the switch to move from protocol *cur to 'want' (flow format and
// table id extension, within one version). False if the switch refused.
bool try_set_protocol(Vconn& v, Protocols want, Protocols* cur) {
    for (;;) {
        if (version_of_protocol(*cur) != version_of_protocol(want)) return false;
        Bytes request;
        Protocols next = *cur;
        if (protocol_base(*cur) != protocol_base(want)) {
            bool nxm = protocol_is_nxm(want);
            request = encode_nx_set_flow_format(nxm ? 2 : 0, alloc_xid());
            next = protocol_set_tid(nxm ? kP10Nxm : kP10Std, protocol_has_tid(*cur));
        } else if (protocol_has_tid(*cur) != protocol_has_tid(want)) {
            request = encode_nx_flow_mod_table_id(protocol_has_tid(want), alloc_xid());
            next = protocol_set_tid(*cur, protocol_has_tid(want));
        } else {
            return *cur == want;
        }
        if (v.transact_noreply(request)) return false;
        *cur = next;
    }
}

}  // namespace

Protocols set_protocol_for_flow_dump(Vconn& v, Protocols current, Protocols usable, Protocols allowed) {
    static const Protocols kOrder[] = {kP15Oxm, kP14Oxm, kP13Oxm, kP12Oxm, kP11Std, kP10Nxm, kP10Std};
    for (Protocols f : kOrder) {
        if ((f & usable & allowed) && try_set_protocol(v, f, &current)) return f;
    }
    if (usable & allowed) {
        fatal(fmt::format("switch does not support any of the usable flow formats ({})", protocols_to_string(usable)));
    }
    fatal(fmt::format("none of the usable flow formats ({}) is among the allowed flow formats ({})",
                      protocols_to_string(usable), protocols_to_string(allowed)));
}

std::unique_ptr<Vconn> open_for_flow_mod(Context& c, const std::string& target, Protocols usable, Protocols* protocol) {
    Protocols allowed = c.opts.allowed;
    if (!(usable & allowed)) {
        fatal(fmt::format("none of the usable flow formats ({}) is among the allowed flow formats ({})",
                          protocols_to_string(usable), protocols_to_string(allowed)));
    }
    auto v = c.open(target, protocol);
    if (usable & allowed & *protocol) return v;
    for (int i = 0; i < 32; i++) {
        Protocols f = 1u << i;
        if (f != *protocol && (f & usable & allowed) && try_set_protocol(*v, f, protocol)) {
            *protocol = f;
            return v;
        }
    }
    fatal(fmt::format("switch does not support any of the usable flow formats ({})", protocols_to_string(usable)));
}

void transact_noreply(Vconn& v, const Bytes& request, int verbosity) {
    if (auto reply = v.transact_noreply(request)) {
        std::fflush(stdout);
        print(*reply, verbosity + 2, stderr);
        std::exit(1);
    }
}

Bytes encode_flow_mod_for(Protocols protocol, const OfpFlowMod& fm) {
    return encode_flow_mod(version_of_protocol(protocol), protocol_is_nxm(protocol), fm, alloc_xid(),
                           protocol_has_tid(protocol));
}

std::vector<OfpFlowStatsEntry> dump_flows(Vconn& v, Protocols protocol, const OfpFlowStatsRequest& req) {
    Bytes request =
        encode_flow_stats_request(version_of_protocol(protocol), protocol_is_nxm(protocol), req, alloc_xid());
    uint32_t xid = ofp_header(request).xid;
    v.send(request);
    std::vector<OfpFlowStatsEntry> flows;
    for (;;) {
        Bytes reply = v.recv();
        if (ofp_header(reply).xid != xid) continue;
        auto id = ofp_identify(reply);
        if (!id || id->kind != OfpMsgKind::FlowStatsReply) {
            std::fprintf(stderr, "received bad reply: %s", ofp_to_string(reply, 1).c_str());
            fatal("dump flows (Protocol error)");
        }
        auto d = decode_flow_stats_reply(reply);
        if (auto* e = std::get_if<OfpError>(&d)) {
            fatal(fmt::format("dump flows (Protocol error: {})", ofp_error_name(e->err)));
        }
        for (auto& f : std::get<std::vector<OfpFlowStatsEntry>>(d)) {
            // NXST_FLOW's ages are not read on this path (ovs-ofctl reads
            // them only when printing whole replies); 1.5's idle time is.
            if (id->form == OfpForm::Nx) {
                f.idle_age.reset();
                f.hard_age.reset();
            }
            flows.push_back(std::move(f));
        }
        if (!(id->mp_flags & kOfpMpReplyMore)) break;
    }
    return flows;
}

// ---- show, dumps ----------------------------------------------------------------------------

int cmd_show(Context& c) {
    Protocols p;
    auto v = c.open(c.args[0], &p);
    Bytes reply = v->transact(*encode_empty_request(OfpMsgKind::FeaturesRequest, v->version(), alloc_xid()));
    bool has_ports = false;
    auto f = decode_features_reply(reply);
    if (auto* fr = std::get_if<OfpFeaturesReply>(&f)) has_ports = fr->has_ports;
    if (!has_ports && v->version() < kOfp13 && reply.size() > 32 && ofp_header(reply).length == reply.size()) {
        // The list may be cut: print the features alone, ports come from port descriptions.
        reply.resize(32);
        reply[2] = 0;
        reply[3] = 32;
    }
    print(reply, c.opts.verbosity + 1);
    if (!has_ports) dump_transaction(c, *v, encode_port_desc_request(v->version(), 0xffffffff, alloc_xid()));
    dump_trivial(c, OfpMsgKind::GetConfigRequest);
    return 0;
}

int cmd_dump_desc(Context& c) {
    dump_trivial(c, OfpMsgKind::DescRequest);
    return 0;
}

int cmd_dump_tables(Context& c) {
    dump_trivial(c, OfpMsgKind::TableStatsRequest);
    return 0;
}

int cmd_dump_ports(Context& c) {
    Protocols p;
    auto v = c.open(c.args[0], &p);
    uint32_t port = c.args.size() > 1 ? port_of(c, c.args[0], c.args[1]) : 0xffffffff;
    if (port == kOfppNone) port = 0xffffffff;
    dump_transaction(c, *v, encode_port_stats_request(v->version(), port, alloc_xid()));
    return 0;
}

int cmd_dump_ports_desc(Context& c) {
    Protocols p;
    auto v = c.open(c.args[0], &p);
    uint32_t port = c.args.size() > 1 ? port_of(c, c.args[0], c.args[1]) : 0xffffffff;
    if (port == kOfppNone) port = 0xffffffff;
    dump_transaction(c, *v, encode_port_desc_request(v->version(), port, alloc_xid()));
    return 0;
}

namespace {

// Parses the selection and opens the switch with a protocol for it.
std::unique_ptr<Vconn> prepare_dump_flows(Context& c, bool aggregate, OfpFlowStatsRequest* req, Protocols* protocol) {
    const std::string& target = c.args[0];
    std::string match = c.args.size() > 1 ? c.args[1] : "";
    const NameMaps* names = match.empty() ? nullptr : c.names_to_accept(target);
    Protocols usable;
    std::string error;
    auto r = parse_flow_stats_request(match, aggregate, names, &usable, &error);
    if (!r) fatal(error);
    *req = *r;
    auto v = c.open(target, protocol);
    *protocol = set_protocol_for_flow_dump(*v, *protocol, usable, c.opts.allowed);
    return v;
}

// The value OVS compares for a sort key: the field's bits in the flow, even
// for flows where it does not apply. OVS keeps IPv4 and IPv6 addresses
// apart, where xvs's flow shares their bits: the other family reads zero.
MfValue sort_value(const MfField& f, const Match& m) {
    MfValue v, mask;
    mf_get_match(f, m, &v, &mask);
    MfValue type;
    mf_get_match(mf_field(MfId::EthType), m, &type, &mask);
    bool ipv6 = type.b[14] == 0x86 && type.b[15] == 0xdd;
    bool v4_field = f.id == MfId::Ipv4Src || f.id == MfId::Ipv4Dst || f.id == MfId::ArpSpa || f.id == MfId::ArpTpa;
    bool v6_field = f.id == MfId::Ipv6Src || f.id == MfId::Ipv6Dst;
    if ((v4_field && ipv6) || (v6_field && !ipv6)) return MfValue{};
    return v;
}

// --sort/--rsort order: fields the flow does not match go last either way.
int compare_flows(const std::vector<SortKey>& keys, const OfpFlowStatsEntry& a, const OfpFlowStatsEntry& b) {
    for (const auto& k : keys) {
        int ret = 0;
        if (!k.field) {
            int pa = a.stats.priority, pb = b.stats.priority;
            ret = pa < pb ? -1 : pa > pb;
        } else {
            const Match& ma = a.stats.match;
            const Match& mb = b.stats.match;
            bool ina = mf_prereqs_ok(*k.field, ma.flow, nullptr) && mf_is_set_in_match(*k.field, ma);
            bool inb = mf_prereqs_ok(*k.field, mb.flow, nullptr) && mf_is_set_in_match(*k.field, mb);
            if (ina != inb) return ina ? -1 : 1;
            MfValue va = sort_value(*k.field, ma), vb = sort_value(*k.field, mb);
            ret = std::memcmp(va.b + 16 - k.field->n_bytes, vb.b + 16 - k.field->n_bytes, k.field->n_bytes);
        }
        if (ret) return k.descending ? -ret : ret;
    }
    return 0;
}

}  // namespace

int cmd_dump_flows(Context& c) {
    OfpFlowStatsRequest req;
    Protocols protocol;
    if (c.opts.sort.empty() && c.opts.use_names <= 0 && c.opts.show_stats) {
        auto v = prepare_dump_flows(c, false, &req, &protocol);
        dump_transaction(
            c, *v,
            encode_flow_stats_request(version_of_protocol(protocol), protocol_is_nxm(protocol), req, alloc_xid()));
        return 0;
    }
    auto v = prepare_dump_flows(c, false, &req, &protocol);
    auto flows = dump_flows(*v, protocol, req);
    if (!c.opts.sort.empty()) {
        std::stable_sort(flows.begin(), flows.end(),
                         [&](const auto& a, const auto& b) { return compare_flows(c.opts.sort, a, b) < 0; });
    }
    for (const auto& f : flows) std::printf(" %s\n", format_flow_stats(f, c.opts.show_stats).c_str());
    return 0;
}

int cmd_dump_aggregate(Context& c) {
    OfpFlowStatsRequest req;
    Protocols protocol;
    auto v = prepare_dump_flows(c, true, &req, &protocol);
    dump_transaction(
        c, *v, encode_flow_stats_request(version_of_protocol(protocol), protocol_is_nxm(protocol), req, alloc_xid()));
    return 0;
}

// ---- Flow mods ----------------------------------------------------------------------------------

namespace {

void flow_mods(Context& c, const std::vector<OfpFlowMod>& fms, Protocols usable) {
    Protocols protocol;
    auto v = open_for_flow_mod(c, c.args[0], usable, &protocol);
    std::string dump;
    for (const auto& fm : fms) {
        Bytes msg = encode_flow_mod_for(protocol, fm);
        if (c.opts.verbosity == 5) {
            dump += hex_dump(msg, 0, true);
        } else if (c.opts.verbosity > 5) {
            for (uint8_t b : msg) dump += fmt::format("{:02x}", b);
            dump += '\n';
        }
        transact_noreply(*v, msg, c.opts.verbosity);
    }
    std::fputs(dump.c_str(), stdout);
}

int flow_mod_file(Context& c, ParseCommand command) {
    const NameMaps* names = c.names_to_accept(c.args[0]);
    if (c.args.size() < 2) fatal("'add-flows' command requires at least 2 arguments");
    Protocols usable;
    std::string error;
    auto fms = parse_flow_mod_file(c.args[1], command, names, &usable, &error);
    if (!fms) fatal(error);
    flow_mods(c, *fms, usable);
    return 0;
}

int flow_mod(Context& c, ParseCommand command) {
    if (c.args.size() > 1 && c.args[1] == "-") return flow_mod_file(c, command);
    const NameMaps* names = c.names_to_accept(c.args[0]);
    Protocols usable;
    std::string error;
    auto fm = parse_flow_mod(c.args.size() > 1 ? c.args[1] : "", command, names, &usable, &error);
    if (!fm) fatal(error);
    flow_mods(c, {*fm}, usable);
    return 0;
}

}  // namespace

int cmd_add_flow(Context& c) {
    return flow_mod(c, ParseCommand::Add);
}
int cmd_add_flows(Context& c) {
    return flow_mod_file(c, ParseCommand::FromText);
}
int cmd_mod_flows(Context& c) {
    return flow_mod(c, c.opts.strict ? ParseCommand::ModifyStrict : ParseCommand::Modify);
}
int cmd_del_flows(Context& c) {
    return flow_mod(c, c.opts.strict ? ParseCommand::DeleteStrict : ParseCommand::Delete);
}

// ---- packet-out, probe, frags ------------------------------------------------------------------

namespace {

// Hex bytes (spaces and dots allowed between them) as an Ethernet frame.
Bytes eth_from_hex(const std::string& hex) {
    auto bytes = bytes_from_hex(hex);
    if (!bytes) fatal("Trailing garbage in packet data");
    Bytes out = std::move(*bytes);
    if (out.size() < 14) fatal("Packet data too short for Ethernet");
    return out;
}

Protocols packet_out_usable(const OfActions& actions) {
    // As for flow actions: push_vlan needs 1.1+, set_field the field's
    // protocols (all of them, for the fields a packet-out can set here).
    Protocols p = kPAny;
    for (const auto& a : actions) {
        if (std::holds_alternative<ActPushVlan>(a)) p &= kPOf11Up;
        if (std::holds_alternative<ActMeter>(a)) p &= kPOf15Up;
    }
    return p;
}

}  // namespace

int cmd_packet_out(Context& c) {
    if (c.args.size() > 3) {
        const std::string& target = c.args[0];
        c.names_to_accept(target);
        std::string error;
        auto actions = parse_of_actions(c.args[2], &error, false);
        if (!actions) fatal(error);
        OfpPacketOut po;
        po.in_port = port_of(c, target, c.args[1]);
        po.actions = *actions;
        Protocols protocol;
        auto v = open_for_flow_mod(c, target, packet_out_usable(*actions), &protocol);
        for (size_t i = 3; i < c.args.size(); i++) {
            po.packet = eth_from_hex(c.args[i]);
            transact_noreply(*v, encode_packet_out(version_of_protocol(protocol), po, alloc_xid()), c.opts.verbosity);
        }
        return 0;
    }
    if (c.args.size() == 2) {
        // "in_port=... packet=... actions=..."
        const std::string& target = c.args[0];
        const NameMaps* names = c.names_to_accept(target);
        std::string text = c.args[1];
        OfpPacketOut po;
        po.in_port = kOfppNone;
        size_t at = text.find("actions=");
        if (at == std::string::npos) fatal("must specify an action");
        std::string act_text = text.substr(at + 8);
        std::string rest = text.substr(0, at);
        std::string error;
        auto actions = parse_of_actions(act_text, &error, false);
        if (!actions) fatal(error);
        po.actions = *actions;
        bool have_packet = false;
        size_t i = 0;
        while (i < rest.size()) {
            size_t end = rest.find_first_of(", \t", i);
            if (end == std::string::npos) end = rest.size();
            std::string item = rest.substr(i, end - i);
            i = end + 1;
            if (item.empty()) continue;
            size_t eq = item.find_first_of("=:");
            std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
            if (key == "in_port") {
                auto p = parse_port(value, names);
                if (!p) fatal(fmt::format("{} is not a valid OpenFlow port", value));
                po.in_port = *p;
            } else if (key == "packet") {
                po.packet = eth_from_hex(value);
                have_packet = true;
            } else {
                fatal(fmt::format("unknown keyword {}", key));
            }
        }
        if (!have_packet) fatal("must specify packet");
        Protocols protocol;
        auto v = open_for_flow_mod(c, target, packet_out_usable(po.actions), &protocol);
        transact_noreply(*v, encode_packet_out(version_of_protocol(protocol), po, alloc_xid()), c.opts.verbosity);
        return 0;
    }
    fatal(fmt::format("Too many arguments ({})", c.args.size() + 1));
}

int cmd_probe(Context& c) {
    Protocols p;
    auto v = c.open(c.args[0], &p);
    Bytes reply = v->transact(*encode_empty_request(OfpMsgKind::EchoRequest, v->version(), alloc_xid()));
    if (reply.size() != kOfpHeaderLen) fatal("reply does not match request");
    return 0;
}

int cmd_get_frags(Context& c) {
    Protocols p;
    auto v = c.open(c.args[0], &p);
    Bytes reply = v->transact(*encode_empty_request(OfpMsgKind::GetConfigRequest, v->version(), alloc_xid()));
    auto cfg = decode_get_config_reply(reply);
    auto* conf = std::get_if<OfpSwitchConfig>(&cfg);
    if (!conf) fatal(fmt::format("{}: bad reply to config request", c.args[0]));
    static const char* const kNames[] = {"normal", "drop", "reassemble", "nx-match"};
    std::printf("%s\n", kNames[conf->flags & 3]);
    return 0;
}

int cmd_set_frags(Context& c) {
    static const char* const kNames[] = {"normal", "drop", "reassemble", "nx-match"};
    if (c.args.size() < 2) fatal("'set-frags' command requires at least 2 arguments");
    int mode = -1;
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(c.args[1].c_str(), kNames[i])) mode = i;
    }
    if (mode < 0) fatal(fmt::format("{}: unknown fragment handling mode", c.args[1]));
    Protocols p;
    auto v = c.open(c.args[0], &p);
    auto fetch = [&] {
        Bytes reply = v->transact(*encode_empty_request(OfpMsgKind::GetConfigRequest, v->version(), alloc_xid()));
        auto cfg = decode_get_config_reply(reply);
        auto* conf = std::get_if<OfpSwitchConfig>(&cfg);
        if (!conf) fatal(fmt::format("{}: bad reply to config request", c.args[0]));
        return *conf;
    };
    OfpSwitchConfig conf = fetch();
    if ((conf.flags & 3) != mode) {
        conf.flags = uint16_t((conf.flags & ~3) | mode);
        transact_noreply(*v, encode_set_config(v->version(), conf, alloc_xid()), c.opts.verbosity);
        conf = fetch();
        if ((conf.flags & 3) != mode) {
            fatal(
                fmt::format("{}: setting fragment handling mode failed (this switch probably doesn't support mode "
                            "\"{}\")",
                            c.args[0], kNames[mode]));
        }
    }
    return 0;
}

}  // namespace xvs::ofctl
