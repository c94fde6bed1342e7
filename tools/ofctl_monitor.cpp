// monitor and snoop: print what a switch sends (packet-ins, flow removed,
// port status, ...) on stderr as it comes, as ovs-ofctl does, answering
// the switch's echo requests. Also a control socket
// (<rundir>/xvs-ofctl.<pid>.ctl) with ovs-ofctl's monitor commands: exit,
// ofctl/barrier, ofctl/send, ofctl/set-output-file, ofctl/block and
// ofctl/unblock.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <functional>

#include "tools/ofctl_commands.h"
#include "tools/ofctl_print.h"
#include "util/daemon.h"
#include "util/poll_loop.h"
#include "util/unixctl.h"

namespace xvs::ofctl {

using namespace ofproto;

namespace {

std::string wall_timestamp() {
    timeval tv;
    ::gettimeofday(&tv, nullptr);
    std::tm tm;
    ::localtime_r(&tv.tv_sec, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return fmt::format("{}.{:03}: ", buf, tv.tv_usec / 1000);
}

// Hex text as an OpenFlow message.
std::optional<Bytes> openflow_from_hex(const std::string& hex, std::string* error) {
    auto bytes = bytes_from_hex(hex);
    if (!bytes) {
        *error = "Trailing garbage in hex data";
        return std::nullopt;
    }
    Bytes out = std::move(*bytes);
    if (out.size() < kOfpHeaderLen) {
        *error = "Message too short for OpenFlow";
        return std::nullopt;
    }
    if (out.size() != ofp_header(out).length) {
        *error = "Message size does not match length in OpenFlow header";
        return std::nullopt;
    }
    return out;
}

bool set_packet_in_format(Vconn& v, PacketInFormat fmt, bool must_succeed, int verbosity) {
    Bytes msg = encode_nx_set_packet_in_format(v.version(), fmt, alloc_xid());
    if (must_succeed) {
        transact_noreply(v, msg, verbosity);
        return true;
    }
    return !v.transact_noreply(msg);
}

OfpSwitchConfig fetch_config(Vconn& v) {
    Bytes reply = v.transact(*encode_empty_request(OfpMsgKind::GetConfigRequest, v.version(), alloc_xid()));
    auto c = decode_get_config_reply(reply);
    auto* cfg = std::get_if<OfpSwitchConfig>(&c);
    if (!cfg) fatal(fmt::format("{}: bad reply to config request", v.name()));
    return *cfg;
}

// The monitor's control commands; set_blocked stops or resumes reading.
void add_monitor_commands(Context& c, Vconn& v, UnixctlServer& srv, const bool& blocked,
                          std::function<void(bool)> set_blocked, std::optional<UnixctlReply>& barrier_waiter,
                          uint32_t& barrier_xid) {
    srv.add_command("ofctl/send", "OFMSG...", 1, kUnixctlAnyArgs,
                    [&](const std::vector<std::string>& args) -> Result<std::string> {
                        std::string reply;
                        bool ok = true;
                        for (const auto& a : args) {
                            std::string err;
                            auto msg = openflow_from_hex(a, &err);
                            if (!msg) {
                                reply += err + "\n";
                                ok = false;
                                continue;
                            }
                            std::fputs(("send: " + ofp_to_string(*msg, c.opts.verbosity)).c_str(), stderr);
                            v.send(*msg);
                            reply += "sent\n";
                        }
                        if (!ok) return Error{reply};
                        return reply;
                    });
    srv.add_async_command("ofctl/barrier", "", 0, 0, [&](const std::vector<std::string>&, UnixctlReply reply) {
        if (barrier_waiter && barrier_waiter->pending()) {
            reply.error("already waiting for barrier reply");
            return;
        }
        Bytes msg = *encode_empty_request(OfpMsgKind::BarrierRequest, v.version(), alloc_xid());
        barrier_xid = ofp_header(msg).xid;
        v.send(msg);
        barrier_waiter.emplace(std::move(reply));
    });
    srv.add_command("ofctl/set-output-file", "FILE", 1, 1,
                    [&](const std::vector<std::string>& args) -> Result<std::string> {
                        int fd = ::open(args[0].c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0666);
                        if (fd < 0) return Error{std::strerror(errno)};
                        std::fflush(stderr);
                        ::dup2(fd, STDERR_FILENO);
                        ::close(fd);
                        return std::string();
                    });
    srv.add_command("ofctl/block", "", 0, 0,
                    [&blocked, set_blocked](const std::vector<std::string>&) -> Result<std::string> {
                        if (blocked) return std::string("already blocking");
                        set_blocked(true);
                        return std::string();
                    });
    srv.add_command("ofctl/unblock", "", 0, 0,
                    [&blocked, set_blocked](const std::vector<std::string>&) -> Result<std::string> {
                        if (!blocked) return std::string("already unblocked");
                        set_blocked(false);
                        return std::string();
                    });
}

int monitor_vconn(Context& c, Vconn& v, bool reply_to_echo) {
    PollLoop loop;
    bool blocked = false;
    std::optional<UnixctlReply> barrier_waiter;
    uint32_t barrier_xid = 0;

    // --detach and --pidfile, as ovs-ofctl takes them; what is printed goes
    // to stderr, which stays open.
    Daemon daemon("xvs-ofctl", c.opts.daemon, c.opts.dirs);
    if (auto st = daemon.start(); !st) return daemon.startup_failed(st.message());
    UnixctlServer::Options uopts;
    uopts.on_exit = [&] { loop.stop(0); };
    std::unique_ptr<UnixctlServer> server;
    if (std::string ctl = daemon.unixctl_path(); !ctl.empty()) {
        if (auto st = daemon.make_rundir_for(ctl); !st) return daemon.startup_failed(st.message());
        auto created = UnixctlServer::create(loop, ctl, uopts);
        if (!created) return daemon.startup_failed("failed to create unixctl server (" + created.message() + ")");
        server = std::move(*created);
    }
    int saved_stderr = ::dup(STDERR_FILENO);
    daemon.ready();
    if (saved_stderr >= 0) {
        ::dup2(saved_stderr, STDERR_FILENO);
        ::close(saved_stderr);
    }
    auto drain = [&] {
        while (!blocked) {
            bool closed = false;
            auto msg = v.try_recv(&closed);
            if (closed) fatal("vconn_recv (End of file)");
            if (!msg) break;
            if (c.opts.timestamp) std::fputs(wall_timestamp().c_str(), stderr);
            std::fputs(ofp_to_string(*msg, c.opts.verbosity + 2).c_str(), stderr);
            std::fflush(stderr);
            auto id = ofp_identify(*msg);
            if (!id) continue;
            if (id->kind == OfpMsgKind::BarrierReply && barrier_waiter && ofp_header(*msg).xid == barrier_xid) {
                barrier_waiter->ok("");
                barrier_waiter.reset();
            } else if (id->kind == OfpMsgKind::EchoRequest && reply_to_echo) {
                v.send(encode_echo_reply(*msg));
            }
        }
    };
    auto watch = loop.watch_fd(v.fd(), POLLIN, [&](short) { drain(); });
    auto set_blocked = [&](bool b) {
        blocked = b;
        watch.set_events(b ? 0 : POLLIN);
        if (!b) loop.defer(drain);
    };
    if (server) add_monitor_commands(c, v, *server, blocked, set_blocked, barrier_waiter, barrier_xid);
    (void)loop.handle_exit_signals([&](int) { loop.stop(0); });
    drain();
    return loop.run();
}

}  // namespace

int cmd_monitor(Context& c) {
    Protocols protocol;
    auto v = c.open(c.args[0], &protocol);
    for (size_t i = 1; i < c.args.size(); i++) {
        const std::string& arg = c.args[i];
        if (std::isdigit(static_cast<unsigned char>(arg[0]))) {
            OfpSwitchConfig cfg = fetch_config(*v);
            cfg.miss_send_len = uint16_t(std::atoi(arg.c_str()));
            transact_noreply(*v, encode_set_config(v->version(), cfg, alloc_xid()), c.opts.verbosity);
        } else if (arg == "invalid_ttl") {
            if (v->version() >= kOfp13) {
                fatal(
                    "invalid_ttl requires one of the OpenFlow versions OpenFlow10, OpenFlow11, OpenFlow12 but none "
                    "is enabled (use -O)");
            }
            OfpSwitchConfig cfg = fetch_config(*v);
            if (!(cfg.flags & 4)) {
                cfg.flags |= 4;
                transact_noreply(*v, encode_set_config(v->version(), cfg, alloc_xid()), c.opts.verbosity);
                if (!(fetch_config(*v).flags & 4)) {
                    fatal(
                        "setting invalid_ttl_to_controller failed (this switch probably doesn't support this "
                        "flag)");
                }
            }
        } else {
            fatal(fmt::format("{}: unsupported \"monitor\" argument", arg));
        }
    }
    if (c.opts.packet_in_format >= 0) {
        set_packet_in_format(*v, PacketInFormat(c.opts.packet_in_format), true, c.opts.verbosity);
    } else if (!set_packet_in_format(*v, PacketInFormat::Nxt2, false, c.opts.verbosity) && v->version() == kOfp10) {
        set_packet_in_format(*v, PacketInFormat::Nxt, false, c.opts.verbosity);
    }
    return monitor_vconn(c, *v, true);
}

int cmd_snoop(Context& c) {
    // A bridge's snoop socket (<rundir>/<bridge>.snoop) copies its
    // controller traffic; names cannot be asked for there.
    c.opts.use_names = 0;
    auto v = Vconn::open(c.args[0], c.opts.versions, c.opts.rundir, "snoop");
    return monitor_vconn(c, *v, false);
}

}  // namespace xvs::ofctl
