// OpenFlow's flow table semantics on a Pipeline: flow mods (add, modify,
// delete, strict and loose, with cookies, out_port/out_group filters and
// the overlap check), flow and aggregate statistics, and timeouts. Pure
// with respect to connections: what has to be told to controllers (flow
// removed messages) is returned.
#pragma once

#include <map>
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
// NORMAL/fail-open flow of the bridge own are ordinary rules here. Rules
// deleted or modified that held the last learn(...,delete_learned) of a
// (table, cookie) take that learn action's flows with them (here and in
// every function below that deletes rules).
FlowModOutcome apply_flow_mod(Pipeline& pipeline, const OfpFlowMod& fm, uint8_t version, Clock::time_point now);

// ---- learn ----

// Applies the flow a learn action built (Open vSwitch's
// ofproto_flow_mod_learn()): a rule that is already exactly that flow
// (match, priority, actions, cookie, timeouts, flags) is only refreshed
// (its hard timeout starts again, no revalidation needed); otherwise the
// flow is added, replacing a rule with the same match and priority and
// keeping its counters, unless 'limit' (nonzero) rules with its cookie
// already are in its table (OFPFMFC_TABLE_FULL: nothing learned).
FlowModOutcome apply_learned_flow(Pipeline& pipeline, const OfpFlowMod& fm, uint32_t limit, Clock::time_point now);
// Whether apply_learned_flow() would put the flow in place now (what
// learn's result_dst reports).
bool learned_flow_fits(const Pipeline& pipeline, const OfpFlowMod& fm, uint32_t limit);
// fin_timeout: lowers the rule's timeouts to these (0: unchanged; a rule
// without a timeout gets it).
void reduce_rule_timeouts(OfRule& rule, uint16_t idle_timeout, uint16_t hard_timeout);

// The rules a flow stats or aggregate request selects, as flow stats.
std::vector<OfpFlowStats> collect_flow_stats(const Pipeline& pipeline, const OfpFlowStatsRequest& req,
                                             Clock::time_point now);

// Removes rules whose idle or hard timeout has passed; returns the flow
// removed records of those with OFPFF_SEND_FLOW_REM.
std::vector<OfpFlowRemoved> expire_rules(Pipeline& pipeline, Clock::time_point now, bool* changed);

// Whether a rule's actions output to 'port' (OFPP_ANY: always true), as
// the out_port filter of flow mods and stats asks.
bool actions_output_to(const OfActions& actions, uint32_t port);
// Whether actions (nested ones included) name 'group' (OFPG_ANY: always).
bool actions_use_group(const OfActions& actions, uint32_t group);

// Whether actions (nested ones included) use meter 'meter'.
bool actions_use_meter(const OfActions& actions, uint32_t meter);
// Deletes the rules that use 'meter' (its meter was deleted), reporting
// those with OFPFF_SEND_FLOW_REM with reason OFPRR_METER_DELETE.
FlowModOutcome delete_rules_using_meter(Pipeline& pipeline, uint32_t meter, Clock::time_point now);

// A copy of a pipeline's rules and groups, to put back when a bundle
// fails half way (rules come back with new ids).
struct PipelineSnapshot {
    struct SavedRule {
        uint8_t table_id;
        Match match;
        int32_t priority;
        OfActions actions;
        uint64_t cookie;
        uint16_t idle_timeout, hard_timeout, flags, importance;
        Clock::time_point created, modified, last_used;
        uint64_t packets, bytes;
    };
    std::vector<SavedRule> rules;
    std::map<uint32_t, OfGroup> groups;
};
PipelineSnapshot snapshot_pipeline(const Pipeline& pipeline);
void restore_pipeline(Pipeline& pipeline, const PipelineSnapshot& snapshot);

// ---- Groups ----

// Applies a group mod as Open vSwitch does: add (an existing id:
// OFPGMFC_GROUP_EXISTS; an id above OFPG_MAX: OFPGMFC_INVALID_GROUP),
// modify (unknown: OFPGMFC_UNKNOWN_GROUP; the group is replaced, its
// counters restart), add-or-modify, delete (OFPG_ALL: every group; an
// unknown id is no error; the rules that name a deleted group are deleted
// too, reported with reason OFPRR_GROUP_DELETE), and 1.5's insert/remove
// bucket (the group keeps its type; OFPGMFC_UNKNOWN_BUCKET,
// OFPGMFC_BUCKET_EXISTS). Bucket actions are checked by the caller.
FlowModOutcome apply_group_mod(Pipeline& pipeline, const OfpGroupMod& gm, Clock::time_point now);

// Statistics and descriptions of 'group' (OFPG_ALL: every group), by id.
std::vector<OfpGroupStats> collect_group_stats(const Pipeline& pipeline, uint32_t group, Clock::time_point now);
std::vector<OfpGroupDesc> collect_group_desc(const Pipeline& pipeline, uint32_t group);

}  // namespace xvs::ofproto
