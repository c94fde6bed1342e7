#include "util/daemon_services.h"

#include "util/version.h"

namespace xvs {

Result<std::unique_ptr<UnixctlServer>> start_daemon_services(PollLoop& loop, const Daemon& daemon, VlogModule& log) {
    if (auto st = loop.handle_exit_signals([&loop, &log](int signo) {
            log.info("terminating on signal {}", signo);
            loop.stop(0);
        });
        !st)
        return st.error();
    std::string path = daemon.unixctl_path();
    if (path.empty()) return std::unique_ptr<UnixctlServer>();
    if (auto st = daemon.make_rundir_for(path); !st) return st.error();
    UnixctlServer::Options so;
    so.version = fmt::format("{} (xvs) {}", daemon.program(), xvs_version());
    so.on_exit = [&loop] { loop.stop(0); };
    return UnixctlServer::create(loop, path, so);
}

}  // namespace xvs
