// xvs-test-daemon: the smallest daemon built from the common plumbing
// (daemon options, vlog, event loop, unixctl), for the end-to-end tests of
// what every xvs daemon shares. Nothing here is a stand-in for a real
// daemon's function; it only exposes the plumbing.
//
// Options: the common daemon and logging options, plus
//   --fail-init=MESSAGE  fail start-up with MESSAGE once the control socket
//                        exists (to test the --detach failure path)
//   --init-delay=MS      take MS milliseconds to initialise, before the
//                        control socket exists (so a --detach that returned
//                        before start-up completed would be seen)
// Commands, besides the built-in ones:
//   test/echo ARG...     replies with its arguments (1 to 3 of them)
//   test/log LEVEL TEXT  logs TEXT at LEVEL in module test_daemon
//   test/hang            never replies (for client timeouts)
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "util/daemon.h"
#include "util/daemon_services.h"
#include "util/options.h"
#include "util/poll_loop.h"
#include "util/unixctl.h"
#include "util/version.h"
#include "util/vlog.h"

namespace {

const std::string kProgram = "xvs-test-daemon";
xvs::VlogModule vlog("test_daemon");

void add_test_commands(xvs::UnixctlServer& server, std::vector<xvs::UnixctlReply>& held) {
    server.add_command("test/echo", "ARG...", 1, 3,
                       [](const std::vector<std::string>& args) -> xvs::Result<std::string> {
                           std::string out;
                           for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
                           return out;
                       });
    server.add_command("test/log", "LEVEL TEXT", 2, 2,
                       [](const std::vector<std::string>& args) -> xvs::Result<std::string> {
                           auto level = xvs::parse_log_level(args[0]);
                           if (!level || *level == xvs::LogLevel::Off)
                               return xvs::make_error("unknown level \"{}\"", args[0]);
                           vlog.log(*level, "{}", args[1]);
                           return std::string();
                       });
    server.add_async_command("test/hang", "", 0, 0,
                             [&held](const auto&, xvs::UnixctlReply reply) { held.push_back(std::move(reply)); });
}

}  // namespace

int main(int argc, char* argv[]) {
    auto dirs = xvs::DaemonDirs::from_env();
    xvs::DaemonOptions opts;
    std::optional<std::string> fail_init;
    int init_delay_ms = 0;
    bool help = false;
    xvs::OptionParser parser;
    xvs::add_daemon_options(parser, opts, dirs, kProgram);
    parser.add({"fail-init", 0, xvs::OptionArg::Required, [&](std::optional<std::string_view> v) -> xvs::Status {
                    fail_init = std::string(*v);
                    return {};
                }});
    parser.add({"init-delay", 0, xvs::OptionArg::Required, [&](std::optional<std::string_view> v) -> xvs::Status {
                    init_delay_ms = std::atoi(std::string(*v).c_str());
                    return {};
                }});
    parser.add({"help", 'h', xvs::OptionArg::None, [&](std::optional<std::string_view>) -> xvs::Status {
                    help = true;
                    return {};
                }});
    auto rest = parser.parse(argc, argv);
    if (!rest) {
        std::fprintf(stderr, "%s: %s\n", kProgram.c_str(), rest.message().c_str());
        return 1;
    }
    if (help) {
        std::printf("%s: a daemon that only exposes xvs's common plumbing\nusage: %s [OPTIONS]\n%s%s", kProgram.c_str(),
                    kProgram.c_str(), xvs::daemon_usage(dirs, kProgram).c_str(),
                    xvs::vlog_usage(dirs, kProgram).c_str());
        return 0;
    }
    if (!rest->empty()) {
        std::fprintf(stderr, "%s: unexpected argument \"%s\"\n", kProgram.c_str(), rest->front().c_str());
        return 1;
    }

    xvs::Daemon daemon(kProgram, opts, dirs);
    if (auto st = daemon.start(); !st) return daemon.startup_failed(st.message());

    xvs::PollLoop loop;
    std::this_thread::sleep_for(std::chrono::milliseconds(init_delay_ms));
    auto server = xvs::start_daemon_services(loop, daemon, vlog);
    if (!server) return daemon.startup_failed(server.message());
    std::vector<xvs::UnixctlReply> held;
    if (*server) add_test_commands(**server, held);
    if (fail_init) return daemon.startup_failed(*fail_init);

    daemon.ready();
    vlog.info("{} (xvs) {} started", kProgram, xvs::xvs_version());
    int rc = loop.run();
    vlog.info("exiting");
    return rc;
}
