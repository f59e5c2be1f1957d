// SPDX-License-Identifier: GPL-2.0
#include "model/stats.hpp"

#include <array>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <linux/hatcp.h>

namespace hatcp {

namespace {

// Every counter of enum hatcp_stats_attr, named after its enumerator in
// lower case. Gauges (marked) and counters are printed alike; the uapi
// header says which is which.
constexpr std::array<std::pair<std::uint16_t, std::string_view>, 74> counter_names{{
    {HATCP_STATS_A_POLICIES, "policies"}, // gauge
    {HATCP_STATS_A_FLOWS, "flows"},       // gauge
    {HATCP_STATS_A_ROLE_CHANGES, "role_changes"},
    {HATCP_STATS_A_PROMOTIONS, "promotions"},
    {HATCP_STATS_A_DEMOTIONS, "demotions"},
    {HATCP_STATS_A_CONFIG_REJECTED, "config_rejected"},
    {HATCP_STATS_A_MALFORMED, "malformed"},
    {HATCP_STATS_A_CHAN_TX, "chan_tx"},
    {HATCP_STATS_A_CHAN_RX, "chan_rx"},
    {HATCP_STATS_A_CHAN_TX_ERRORS, "chan_tx_errors"},
    {HATCP_STATS_A_CHAN_DROP_NOT_PEER, "chan_drop_not_peer"},
    {HATCP_STATS_A_CHAN_DROP_MALFORMED, "chan_drop_malformed"},
    {HATCP_STATS_A_CHAN_DROP_BAD_MAC, "chan_drop_bad_mac"},
    {HATCP_STATS_A_CHAN_DROP_REPLAY, "chan_drop_replay"},
    {HATCP_STATS_A_PEER_LAST_RX_MS, "peer_last_rx_ms"}, // gauge
    // The data path: gauges say so, the rest count events.
    {HATCP_STATS_A_FLOWS_PROTECTED, "flows_protected"},
    {HATCP_STATS_A_FLOWS_UNPROTECTED, "flows_unprotected"},
    {HATCP_STATS_A_UNPROT_SYNCOOKIE, "unprot_syncookie"},
    {HATCP_STATS_A_UNPROT_FASTOPEN, "unprot_fastopen"},
    {HATCP_STATS_A_UNPROT_MD5, "unprot_md5"},
    {HATCP_STATS_A_UNPROT_REFUSED, "unprot_refused"},
    {HATCP_STATS_A_UNPROT_TIMEOUT, "unprot_timeout"},
    {HATCP_STATS_A_UNPROT_NO_PEER, "unprot_no_peer"},
    {HATCP_STATS_A_UNPROT_TABLE_FULL, "unprot_table_full"},
    {HATCP_STATS_A_UNPROT_MIDSTREAM, "unprot_midstream"},
    {HATCP_STATS_A_SEG_REPLICATED, "seg_replicated"},
    {HATCP_STATS_A_SEG_RELEASED, "seg_released"},
    {HATCP_STATS_A_SEG_HOLD_TIMEOUT, "seg_hold_timeout"},
    {HATCP_STATS_A_SEG_HOLD_FULL, "seg_hold_full"},
    {HATCP_STATS_A_SEG_SEND_FAILED, "seg_send_failed"},
    {HATCP_STATS_A_SEG_UNPROTECTED, "seg_unprotected"},
    {HATCP_STATS_A_HELD_SEGS, "held_segs"},   // gauge
    {HATCP_STATS_A_HELD_BYTES, "held_bytes"}, // gauge
    {HATCP_STATS_A_REPL_QUEUED, "repl_queued"},
    {HATCP_STATS_A_REPL_INJECTED, "repl_injected"},
    {HATCP_STATS_A_REPL_RETRIED, "repl_retried"},
    {HATCP_STATS_A_REPL_DUPLICATE, "repl_duplicate"},
    {HATCP_STATS_A_REPL_QUEUE_FULL, "repl_queue_full"},
    {HATCP_STATS_A_REPL_UNKNOWN_FLOW, "repl_unknown_flow"},
    {HATCP_STATS_A_REPL_BAD_SEGMENT, "repl_bad_segment"},
    {HATCP_STATS_A_REPL_ALIGN_FAILED, "repl_align_failed"},
    {HATCP_STATS_A_REPL_SUPPRESSED, "repl_suppressed"},
    {HATCP_STATS_A_QUEUED_SEGS, "queued_segs"},   // gauge
    {HATCP_STATS_A_QUEUED_BYTES, "queued_bytes"}, // gauge
    {HATCP_STATS_A_CHAN_DROP_STALE, "chan_drop_stale"},
    {HATCP_STATS_A_CHAN_DROP_UNEXPECTED, "chan_drop_unexpected"},
    {HATCP_STATS_A_CHAN_REASM_TIMEOUT, "chan_reasm_timeout"},
    {HATCP_STATS_A_CHAN_DROP_REASM, "chan_drop_reasm"},
    {HATCP_STATS_A_UNPROT_FAILOVER, "unprot_failover"},
    {HATCP_STATS_A_DRAIN_FLOWS, "drain_flows"}, // gauge
    {HATCP_STATS_A_DRAIN_ACK_CUT, "drain_ack_cut"},
    {HATCP_STATS_A_HANDOVER_KEPT, "handover_kept"},
    {HATCP_STATS_A_HANDOVER_SEGS, "handover_segs"},
    {HATCP_STATS_A_PROMOTE_KEPT, "promote_kept"},
    {HATCP_STATS_A_REPL_WIRE_DROP, "repl_wire_drop"},
    {HATCP_STATS_A_REPL_STALE_ABORTED, "repl_stale_aborted"},
    {HATCP_STATS_A_PROMOTE_AUTO, "promote_auto"},
    {HATCP_STATS_A_PROMOTE_NUDGED, "promote_nudged"},
    {HATCP_STATS_A_REPL_WIRE_FORWARDED, "repl_wire_forwarded"},
    {HATCP_STATS_A_FWD_TAKEN, "fwd_taken"},
    {HATCP_STATS_A_FWD_DROPPED, "fwd_dropped"},
    {HATCP_STATS_A_REPL_WIRE_KEPT, "repl_wire_kept"},
    {HATCP_STATS_A_PEER_LOST, "peer_lost"},
    {HATCP_STATS_A_SEG_RELEASED_NO_PEER, "seg_released_no_peer"},
    {HATCP_STATS_A_SEG_BAD, "seg_bad"},
    {HATCP_STATS_A_SEG_OUT_OF_WINDOW, "seg_out_of_window"},
    {HATCP_STATS_A_UNPROT_SEND_FAILED, "unprot_send_failed"},
    {HATCP_STATS_A_UNPROT_IPV6, "unprot_ipv6"},
    {HATCP_STATS_A_REPL_SOURCE_FULL, "repl_source_full"},
    // The channel's handshake.
    {HATCP_STATS_A_CHAN_SESSIONS, "chan_sessions"},
    {HATCP_STATS_A_CHAN_DROP_REFLECTED, "chan_drop_reflected"},
    {HATCP_STATS_A_CHAN_DROP_NO_SESSION, "chan_drop_no_session"},
    {HATCP_STATS_A_CHAN_HELLO_UNFRESH, "chan_hello_unfresh"},
    {HATCP_STATS_A_CHAN_HELLO_OLD, "chan_hello_old"},
}};

// A new counter in the uapi must get a name here, in the uapi's order.
static_assert(counter_names.size() == HATCP_STATS_A_MAX - HATCP_STATS_A_PAD);
static_assert([] {
    std::uint16_t expected = HATCP_STATS_A_PAD + 1;
    for (const auto& [attribute, name] : counter_names) {
        if (attribute != expected++ || name.empty()) {
            return false;
        }
    }
    return true;
}());

} // namespace

std::string counter_name(std::uint16_t attribute)
{
    for (const auto& [known, name] : counter_names) {
        if (known == attribute) {
            return std::string{name};
        }
    }
    return fmt::format("attr_{}", attribute);
}

Json stats_json(const Stats& stats)
{
    Json object = Json::object();
    for (const Counter& counter : stats.counters) {
        object[counter_name(counter.attribute)] = counter.value;
    }
    return object;
}

std::string stats_text(const Stats& stats)
{
    std::string text;
    for (const Counter& counter : stats.counters) {
        text += fmt::format("{} {}\n", counter_name(counter.attribute), counter.value);
    }
    return text;
}

} // namespace hatcp
