// One invocation's commands, run as ovs-vsctl runs them: read the
// database, run every command against the copy (see db_copy.h), commit
// the changes in one transaction; start over when a guard of the commit
// fails (another client changed what was read) or a wait-until condition
// does not hold yet. Then print each command's output and, unless
// --no-wait, wait for cur_cfg to reach the next_cfg the commit set.
#pragma once

#include <vector>

#include "tools/vsctl/command.h"
#include "tools/vsctl/command_line.h"
#include "tools/vsctl/db_client.h"

namespace xvs::vsctl {

// Returns the exit status.
int execute(DbClient& client, const GlobalOptions& opts, std::vector<Command>& commands);

}  // namespace xvs::vsctl
