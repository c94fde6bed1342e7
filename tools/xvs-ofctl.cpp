// xvs-ofctl: the ovs-ofctl command language for OpenFlow switches (xvs
// and Open vSwitch alike): the same commands, options, flow syntax and
// output, down to the transaction ids in printed replies. Targets are
// bridge names (<rundir>/<bridge>.mgmt, rundir $OVS_RUNDIR or /run/xvs),
// socket files, unix:PATH or tcp:IP:PORT.
//
// The pieces: tools/ofctl_protocol (flow protocols and versions),
// ofctl_parse (flow syntax), ofctl_vconn (the connection), ofctl_print
// (messages as text), ofctl_commands / ofctl_flow_table / ofctl_monitor
// (the commands).
#include <fmt/format.h>
#include <signal.h>
#include <strings.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ofproto/meta_flow.h"
#include "tools/ofctl_commands.h"
#include "util/daemon.h"
#include "util/options.h"
#include "util/version.h"

namespace {

using namespace xvs::ofctl;

const char* const kProgram = "xvs-ofctl";

struct Command {
    const char* name;
    int min_args, max_args;
    int (*handler)(Context&);
};

const Command kCommands[] = {
    {"show", 1, 1, cmd_show},
    {"monitor", 1, 3, cmd_monitor},
    {"snoop", 1, 1, cmd_snoop},
    {"dump-desc", 1, 1, cmd_dump_desc},
    {"dump-tables", 1, 1, cmd_dump_tables},
    {"dump-flows", 1, 2, cmd_dump_flows},
    {"dump-aggregate", 1, 2, cmd_dump_aggregate},
    {"add-flow", 2, 2, cmd_add_flow},
    {"add-flows", 2, 2, cmd_add_flows},
    {"mod-flows", 2, 2, cmd_mod_flows},
    {"del-flows", 1, 2, cmd_del_flows},
    {"replace-flows", 2, 2, cmd_replace_flows},
    {"diff-flows", 2, 2, cmd_diff_flows},
    {"packet-out", 2, 1 << 30, cmd_packet_out},
    {"dump-ports", 1, 2, cmd_dump_ports},
    {"dump-ports-desc", 1, 2, cmd_dump_ports_desc},
    {"get-frags", 1, 1, cmd_get_frags},
    {"set-frags", 2, 2, cmd_set_frags},
    {"probe", 1, 1, cmd_probe},
};

void usage() {
    std::printf(
        "%s: OpenFlow switch management utility\n"
        "usage: %s [OPTIONS] COMMAND [ARG...]\n"
        "\nFor OpenFlow switches:\n"
        "  show SWITCH                 show OpenFlow information\n"
        "  dump-desc SWITCH            print switch description\n"
        "  dump-tables SWITCH          print table stats\n"
        "  get-frags SWITCH            print fragment handling behavior\n"
        "  set-frags SWITCH FRAG_MODE  set fragment handling behavior\n"
        "      FRAG_MODE: normal, drop, reassemble, nx-match\n"
        "  dump-ports SWITCH [PORT]    print port statistics\n"
        "  dump-ports-desc SWITCH [PORT]  print port descriptions\n"
        "  dump-flows SWITCH           print all flow entries\n"
        "  dump-flows SWITCH FLOW      print matching FLOWs\n"
        "  dump-aggregate SWITCH       print aggregate flow statistics\n"
        "  dump-aggregate SWITCH FLOW  print aggregate stats for FLOWs\n"
        "  add-flow SWITCH FLOW        add flow described by FLOW\n"
        "  add-flows SWITCH FILE       add flows from FILE\n"
        "  mod-flows SWITCH FLOW       modify actions of matching FLOWs\n"
        "  del-flows SWITCH [FLOW]     delete matching FLOWs\n"
        "  replace-flows SWITCH FILE   replace flows with those in FILE\n"
        "  diff-flows SOURCE1 SOURCE2  compare flows from two sources\n"
        "  packet-out SWITCH IN_PORT ACTIONS PACKET...\n"
        "                              execute ACTIONS on PACKET\n"
        "  monitor SWITCH [MISSLEN] [invalid_ttl]\n"
        "                              print packets received from SWITCH\n"
        "  snoop SWITCH                snoop on SWITCH and its controller\n"
        "\nFor OpenFlow switches and controllers:\n"
        "  probe TARGET                probe whether TARGET is up\n"
        "SWITCH or TARGET is an active OpenFlow connection method.\n"
        "\nActive OpenFlow connection methods:\n"
        "  tcp:HOST[:PORT]             PORT (default: 6653) at remote HOST\n"
        "  unix:FILE                   Unix domain socket named FILE\n"
        "\nOpenFlow version options:\n"
        "  -V, --version               display version information\n"
        "  -O, --protocols             set allowed OpenFlow versions\n"
        "                              (default: OpenFlow10)\n"
        "\nOther options:\n"
        "  --strict                    use strict match for flow commands\n"
        "  --readd                     replace flows that haven't changed\n"
        "  -F, --flow-format=FORMAT    force particular flow format\n"
        "  -P, --packet-in-format=FRMT force particular packet in format\n"
        "  -m, --more                  be more verbose printing OpenFlow\n"
        "  --timestamp                 (monitor, snoop) print timestamps\n"
        "  -t, --timeout=SECS          give up after SECS seconds\n"
        "  --sort[=field]              sort in ascending order\n"
        "  --rsort[=field]             sort in descending order\n"
        "  --names                     accepted (port and table names are not shown yet)\n"
        "  --no-names                  show port numbers, but not names\n"
        "  -h, --help                  display this help message\n"
        "  -V, --version               display version information\n",
        kProgram, kProgram);
    std::fputs(xvs::daemon_usage(xvs::DaemonDirs::from_env(), kProgram).c_str(), stdout);
}

// Written before the alarm is armed: the handler may only write(2).
char g_timeout_message[128];

extern "C" void on_alarm(int) {
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, g_timeout_message, std::strlen(g_timeout_message));
    ::signal(SIGALRM, SIG_DFL);
    ::raise(SIGALRM);
}

}  // namespace

int main(int argc, char* argv[]) {
    using xvs::OptionArg;
    using Value = std::optional<std::string_view>;
    Context ctx;
    Options& o = ctx.opts;
    o.dirs = xvs::DaemonDirs::from_env();
    o.rundir = o.dirs.rundir;
    unsigned timeout = 0;
    bool help = false, version = false, list_options = false;
    std::vector<SortKey> sort;

    xvs::OptionParser p;
    auto flag = [&](const char* name, char short_name, std::function<void()> fn) {
        p.add({name, short_name, OptionArg::None, [fn](Value) -> xvs::Status {
                   fn();
                   return {};
               }});
    };
    p.add({"timeout", 't', OptionArg::Required, [&](Value v) -> xvs::Status {
               std::string s(*v);
               char* end = nullptr;
               unsigned long t = std::strtoul(s.c_str(), &end, 10);
               if (s.empty() || *end || !t || t > 0xffffffffUL) {
                   return xvs::make_error("value {} on -t or --timeout is invalid", s);
               }
               timeout = unsigned(t);
               return {};
           }});
    flag("strict", 0, [&] { o.strict = true; });
    flag("readd", 0, [&] { o.readd = true; });
    p.add({"flow-format", 'F', OptionArg::Required, [&](Value v) -> xvs::Status {
               std::string err;
               auto ps = protocols_from_string(*v, &err);
               if (!ps) return xvs::Error{err};
               o.allowed = *ps;
               return {};
           }});
    p.add({"packet-in-format", 'P', OptionArg::Required, [&](Value v) -> xvs::Status {
               static const char* const kFormats[] = {"standard", "nxt_packet_in", "nxt_packet_in2"};
               for (int i = 0; i < 3; i++) {
                   if (!strcasecmp(std::string(*v).c_str(), kFormats[i])) {
                       o.packet_in_format = i;
                       return {};
                   }
               }
               if (*v == "openflow10") {
                   o.packet_in_format = 0;
                   return {};
               }
               if (*v == "nxm") {
                   o.packet_in_format = 1;
                   return {};
               }
               return xvs::make_error("unknown packet-in format `{}'", *v);
           }});
    flag("more", 'm', [&] { o.verbosity++; });
    flag("timestamp", 0, [&] { o.timestamp = true; });
    auto add_sort = [&](bool descending, Value v) -> xvs::Status {
        SortKey k;
        k.descending = descending;
        if (v && strcasecmp(std::string(*v).c_str(), "priority")) {
            k.field = xvs::ofproto::mf_from_name(*v);
            if (!k.field) return xvs::make_error("{}: unknown field name", *v);
        }
        sort.push_back(k);
        return {};
    };
    p.add({"sort", 0, OptionArg::Optional, [&](Value v) { return add_sort(false, v); }});
    p.add({"rsort", 0, OptionArg::Optional, [&](Value v) { return add_sort(true, v); }});
    flag("names", 0, [&] { o.use_names = 1; });
    flag("no-names", 0, [&] { o.use_names = 0; });
    flag("stats", 0, [&] { o.show_stats = true; });
    flag("no-stats", 0, [&] { o.show_stats = false; });
    flag("help", 'h', [&] { help = true; });
    flag("option", 'o', [&] { list_options = true; });
    flag("version", 'V', [&] { version = true; });
    p.add({"protocols", 'O', OptionArg::Required, [&](Value v) -> xvs::Status {
               std::string err;
               auto vs = versions_from_string(*v, &err);
               if (!vs) return xvs::Error{err};
               o.versions = *vs;
               return {};
           }});
    p.add({"color", 0, OptionArg::Optional, [&](Value) -> xvs::Status { return {}; }});
    flag("may-create", 0, [] {});
    flag("read-only", 0, [] {});
    xvs::add_daemon_options(p, o.daemon, o.dirs, kProgram);

    auto rest = p.parse(argc, argv);
    if (!rest) fatal(rest.message());
    if (help) {
        usage();
        return 0;
    }
    if (list_options) {
        std::fputs(p.option_list().c_str(), stdout);
        return 0;
    }
    if (version) {
        std::printf("%s (xvs) %s\n", kProgram, xvs::xvs_version().c_str());
        std::printf("OpenFlow versions 0x1:0x6\n");
        return 0;
    }
    if (!timeout) {
        // As ovs-ofctl: the environment's default when -t is not given.
        const char* env = std::getenv("OVS_CTL_TIMEOUT");
        if (env && *env) timeout = unsigned(std::strtoul(env, nullptr, 10));
    }
    if (timeout) {
        std::snprintf(g_timeout_message, sizeof g_timeout_message, "%s: timed out after %u seconds\n", kProgram,
                      timeout);
        ::signal(SIGALRM, on_alarm);
        ::alarm(timeout);
    }
    ::signal(SIGPIPE, SIG_IGN);
    if (!sort.empty()) {
        // A last pass by priority, highest first.
        sort.push_back(SortKey{nullptr, true});
    }
    o.sort = sort;

    Protocols version_protocols = protocols_of_versions(o.versions);
    if (!(o.allowed & version_protocols)) {
        fatal(
            fmt::format("None of the enabled OpenFlow versions ({}) supports any of the enabled flow formats ({}).  "
                        "(Use -O to enable additional OpenFlow versions or -F to enable additional flow formats.)",
                        version_bitmap_names(o.versions), protocols_to_string(o.allowed)));
    }
    o.allowed &= version_protocols;
    o.versions &= versions_of_protocols(o.allowed);

    const auto& args = *rest;
    if (args.empty()) fatal("missing command name; use --help for help");
    for (const auto& c : kCommands) {
        if (args[0] != c.name) continue;
        int n = int(args.size()) - 1;
        if (n < c.min_args) fatal(fmt::format("'{}' command requires at least {} arguments", c.name, c.min_args));
        if (n > c.max_args) fatal(fmt::format("'{}' command takes at most {} arguments", c.name, c.max_args));
        ctx.args.assign(args.begin() + 1, args.end());
        int rc = c.handler(ctx);
        std::fflush(stdout);
        return rc;
    }
    fatal(fmt::format("unknown command '{}'; use --help for help", args[0]));
}
