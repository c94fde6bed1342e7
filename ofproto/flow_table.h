// OpenFlow's flow table semantics on a Pipeline: flow mods (add, modify,
// delete, strict and loose, with cookies, out_port/out_group filters and
// the overlap check), flow and aggregate statistics, and timeouts. Pure
// with respect to connections: what has to be told to controllers (flow
// removed messages) is returned.
#pragma once

#include <optional>
#include <vector>

#include "ofproto/ofp_msgs.h"
#include "ofproto/pipeline.h"

namespace xvs::ofproto {

struct FlowModOutcome {
    std::optional<OfpError> error;
    std::vector<OfpFlowRemoved> removed;  // rules deleted with OFPFF_SEND_FLOW_REM set
    bool changed = false;                 // the pipeline changed: revalidate
};

// Applies 'fm' received on a connection of 'version'. Rules that a
// NORMAL/fail-open flow of the bridge own are ordinary rules here.
FlowModOutcome apply_flow_mod(Pipeline& pipeline, const OfpFlowMod& fm, uint8_t version, Clock::time_point now);

// The rules a flow stats or aggregate request selects, as flow stats.
std::vector<OfpFlowStats> collect_flow_stats(const Pipeline& pipeline, const OfpFlowStatsRequest& req,
                                             Clock::time_point now);

// Removes rules whose idle or hard timeout has passed; returns the flow
// removed records of those with OFPFF_SEND_FLOW_REM.
std::vector<OfpFlowRemoved> expire_rules(Pipeline& pipeline, Clock::time_point now, bool* changed);

// Whether a rule's actions output to 'port' (OFPP_ANY: always true), as
// the out_port filter of flow mods and stats asks.
bool actions_output_to(const OfActions& actions, uint32_t port);

}  // namespace xvs::ofproto
