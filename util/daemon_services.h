// What every daemon's main sets up once Daemon::start() has succeeded.
#pragma once

#include <memory>

#include "util/daemon.h"
#include "util/poll_loop.h"
#include "util/unixctl.h"
#include "util/vlog.h"

namespace xvs {

// Exit signals (logged to 'log') and the control socket's "exit" command
// stop 'loop'. Returns the control socket server, with the built-in
// commands and a version string naming the program, or nullptr when the
// daemon has no control socket.
Result<std::unique_ptr<UnixctlServer>> start_daemon_services(PollLoop& loop, const Daemon& daemon, VlogModule& log);

}  // namespace xvs
