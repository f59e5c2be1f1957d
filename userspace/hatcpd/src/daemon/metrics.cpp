// SPDX-License-Identifier: GPL-2.0
#include "daemon/metrics.hpp"

#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "model/stats.hpp"

namespace hatcp::daemon {

namespace {

struct Family {
    std::string type;
    std::string help;
    std::vector<std::string> samples;
};

// Families in the order first seen, each printed once with its samples
// together, as the text format requires.
class Exposition {
public:
    void add(const std::string& name, std::string_view type, std::string_view help, const std::string& labels,
             const std::string& value)
    {
        auto [it, inserted] = families_.try_emplace(name);
        if (inserted) {
            order_.push_back(name);
            it->second.type = type;
            it->second.help = help;
        }
        it->second.samples.push_back(labels.empty() ? fmt::format("{} {}", name, value)
                                                    : fmt::format("{}{{{}}} {}", name, labels, value));
    }

    void add(const std::string& name, std::string_view type, std::string_view help, std::uint64_t value,
             const std::string& labels = "")
    {
        add(name, type, help, labels, std::to_string(value));
    }

    [[nodiscard]] std::string text() const
    {
        std::string out;
        for (const auto& name : order_) {
            const Family& family = families_.at(name);
            out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, family.type);
            for (const auto& sample : family.samples) {
                out += sample;
                out += '\n';
            }
        }
        return out;
    }

private:
    std::vector<std::string> order_;
    std::map<std::string, Family> families_;
};

// A kernel counter's metric: name, type, help, and a label when the counter
// is one value of a family (a drop reason).
struct Mapping {
    std::string_view metric;
    std::string_view type;
    std::string_view help;
    std::string_view label;
};

const std::map<std::string_view, Mapping>& mappings()
{
    static const std::string_view unprot_help = "Flows left unprotected, by reason.";
    static const std::string_view drop_help = "Channel messages dropped, by reason.";
    static const std::string_view seg_help = "Ingress segments on the primary, by what became of them.";
    static const std::string_view repl_help = "Replicated segments on the replica, by what became of them.";
    static const std::string_view refused_help = "Control requests refused by the module, by reason.";
    static const std::map<std::string_view, Mapping> table = {
        {"policies", {"hatcp_policies", "gauge", "Protected services configured in the module.", ""}},
        {"flows", {"hatcp_flows", "gauge", "Flows the module tracks now.", ""}},
        {"role_changes", {"hatcp_role_changes_total", "counter", "Role changes.", ""}},
        {"promotions", {"hatcp_promotions_total", "counter", "Promotions from replica to primary.", ""}},
        {"demotions", {"hatcp_demotions_total", "counter", "Demotions from primary to replica.", ""}},
        {"config_rejected", {"hatcp_requests_refused_total", "counter", refused_help, "config_rejected"}},
        {"malformed", {"hatcp_requests_refused_total", "counter", refused_help, "malformed"}},
        {"chan_tx", {"hatcp_channel_messages_sent_total", "counter", "Channel messages sent.", ""}},
        {"chan_rx", {"hatcp_channel_messages_received_total", "counter", "Channel messages accepted.", ""}},
        {"chan_tx_errors", {"hatcp_channel_send_errors_total", "counter", "Channel messages that could not be sent.", ""}},
        {"chan_drop_not_peer", {"hatcp_channel_drops_total", "counter", drop_help, "not_peer"}},
        {"chan_drop_malformed", {"hatcp_channel_drops_total", "counter", drop_help, "malformed"}},
        {"chan_drop_bad_mac", {"hatcp_channel_drops_total", "counter", drop_help, "bad_mac"}},
        {"chan_drop_replay", {"hatcp_channel_drops_total", "counter", drop_help, "replay"}},
        {"chan_drop_stale", {"hatcp_channel_drops_total", "counter", drop_help, "stale"}},
        {"chan_drop_unexpected", {"hatcp_channel_drops_total", "counter", drop_help, "unexpected"}},
        {"chan_drop_reasm", {"hatcp_channel_drops_total", "counter", drop_help, "reasm"}},
        {"chan_reasm_timeout", {"hatcp_channel_drops_total", "counter", drop_help, "reasm_timeout"}},
        {"chan_drop_reflected", {"hatcp_channel_drops_total", "counter", drop_help, "reflected"}},
        {"chan_drop_no_session", {"hatcp_channel_drops_total", "counter", drop_help, "no_session"}},
        {"chan_sessions",
         {"hatcp_channel_sessions_total", "counter", "Channel sessions established with the peer (nonces adopted).",
          ""}},
        {"chan_hello_unfresh",
         {"hatcp_channel_hellos_refused_total", "counter",
          "Channel handshakes not adopted, by reason: unfresh (not echoing our nonce: answered), old (an earlier "
          "peer start).",
          "unfresh"}},
        {"chan_hello_old",
         {"hatcp_channel_hellos_refused_total", "counter",
          "Channel handshakes not adopted, by reason: unfresh (not echoing our nonce: answered), old (an earlier "
          "peer start).",
          "old"}},
        {"flows_protected", {"hatcp_flows_protected_total", "counter", "Flows set up with a twin on the replica.", ""}},
        {"flows_unprotected", {"hatcp_flows_unprotected_total", "counter", "Flows left unprotected, any reason.", ""}},
        {"unprot_syncookie", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "syncookie"}},
        {"unprot_fastopen", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "fastopen"}},
        {"unprot_md5", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "md5"}},
        {"unprot_refused", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "refused"}},
        {"unprot_timeout", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "timeout"}},
        {"unprot_no_peer", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "no_peer"}},
        {"unprot_table_full", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "table_full"}},
        {"unprot_midstream", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "midstream"}},
        {"unprot_failover", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "failover"}},
        {"unprot_send_failed", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "send_failed"}},
        {"unprot_ipv6", {"hatcp_flows_unprotected_by_reason_total", "counter", unprot_help, "ipv6"}},
        {"seg_replicated", {"hatcp_segments_total", "counter", seg_help, "replicated"}},
        {"seg_released", {"hatcp_segments_total", "counter", seg_help, "released"}},
        {"seg_hold_timeout", {"hatcp_segments_total", "counter", seg_help, "hold_timeout"}},
        {"seg_hold_full", {"hatcp_segments_total", "counter", seg_help, "hold_full"}},
        {"seg_send_failed", {"hatcp_segments_total", "counter", seg_help, "send_failed"}},
        {"seg_unprotected", {"hatcp_segments_total", "counter", seg_help, "unprotected"}},
        {"seg_bad", {"hatcp_segments_total", "counter", seg_help, "bad"}},
        {"seg_out_of_window", {"hatcp_segments_total", "counter", seg_help, "out_of_window"}},
        {"held_segs", {"hatcp_held_segments", "gauge", "Segments the primary holds for the replica's ack now.", ""}},
        {"held_bytes", {"hatcp_held_bytes", "gauge", "Bytes the primary holds for the replica's ack now.", ""}},
        {"repl_queued", {"hatcp_replica_segments_total", "counter", repl_help, "queued"}},
        {"repl_injected", {"hatcp_replica_segments_total", "counter", repl_help, "injected"}},
        {"repl_retried", {"hatcp_replica_segments_total", "counter", repl_help, "retried"}},
        {"repl_duplicate", {"hatcp_replica_segments_total", "counter", repl_help, "duplicate"}},
        {"repl_queue_full", {"hatcp_replica_segments_total", "counter", repl_help, "queue_full"}},
        {"repl_source_full", {"hatcp_replica_segments_total", "counter", repl_help, "source_full"}},
        {"repl_unknown_flow", {"hatcp_replica_segments_total", "counter", repl_help, "unknown_flow"}},
        {"repl_bad_segment", {"hatcp_replica_segments_total", "counter", repl_help, "bad_segment"}},
        {"repl_align_failed", {"hatcp_replica_segments_total", "counter", repl_help, "align_failed"}},
        {"repl_suppressed", {"hatcp_replica_segments_total", "counter", repl_help, "suppressed"}},
        {"queued_segs", {"hatcp_queued_segments", "gauge", "Segments queued on the replica, not yet consumed.", ""}},
        {"queued_bytes", {"hatcp_queued_bytes", "gauge", "Bytes queued on the replica, not yet consumed.", ""}},
        // Failover and switchover: what promotions and demotions did.
        {"drain_flows",
         {"hatcp_draining_flows", "gauge", "Flows a promotion carried over, still draining the replica queue.", ""}},
        {"drain_ack_cut",
         {"hatcp_drain_ack_cuts_total", "counter", "Client ACKs cut to the socket's snd_nxt while a flow drains.", ""}},
        {"promote_kept",
         {"hatcp_promote_kept_flows_total", "counter", "Flows a promotion kept protected (the peer alive).", ""}},
        {"promote_auto",
         {"hatcp_promotions_by_module_total", "counter",
          "Promotions the module made itself: the VIP on a link that answers ARP, the peer silent or a replica.", ""}},
        {"promote_nudged",
         {"hatcp_promote_nudged_clients_total", "counter",
          "Clients a promotion told to retransmit at once (an RFC 6069 ICMP host unreachable).", ""}},
        {"repl_wire_forwarded",
         {"hatcp_replica_wire_forwarded_total", "counter",
          "Client segments the replica got from the wire after its demotion, sent on to the peer.", ""}},
        {"repl_wire_kept",
         {"hatcp_replica_wire_kept_total", "counter",
          "Client segments the replica got from the wire with the VIP here, kept for its promotion.", ""}},
        {"peer_lost",
         {"hatcp_peer_lost_total", "counter",
          "Times the peer went unreachable (heartbeats missed); a primary then serves unprotected.", ""}},
        {"seg_released_no_peer",
         {"hatcp_segments_released_no_peer_total", "counter",
          "Held segments let in unprotected when the peer was lost, instead of waiting for their timeout.", ""}},
        {"fwd_taken",
         {"hatcp_forwarded_segments_total", "counter", "Segments the peer forwarded, by fate.", "taken"}},
        {"fwd_dropped",
         {"hatcp_forwarded_segments_total", "counter", "Segments the peer forwarded, by fate.", "dropped"}},
        {"handover_kept",
         {"hatcp_handover_kept_flows_total", "counter", "Flows a demotion kept protected, as the replica.", ""}},
        {"handover_segs",
         {"hatcp_handover_segments_total", "counter", "Held segments a demotion queued for the flows it kept.", ""}},
        {"repl_wire_drop",
         {"hatcp_replica_wire_drops_total", "counter",
          "Client segments the replica got from the wire, not the primary, dropped.", ""}},
        {"repl_stale_aborted",
         {"hatcp_replica_stale_aborted_total", "counter",
          "Shadow sockets aborted when the peer came back, having unprotected them.", ""}},
    };
    return table;
}

void add_kernel(Exposition& out, const KernelSnapshot& snapshot)
{
    for (const auto role : {Role::standalone, Role::primary, Role::replica}) {
        out.add("hatcp_role", "gauge", "1 for the module's current role.", snapshot.role == role ? 1U : 0U,
                fmt::format("role=\"{}\"", role_name(role)));
    }
    bool heard = false;
    for (const auto& counter : snapshot.stats.counters) {
        const std::string name = counter_name(counter.attribute);
        if (name == "peer_last_rx_ms") {
            heard = true;
            out.add("hatcp_peer_last_heartbeat_seconds", "gauge",
                    "Seconds since the last valid channel message from the peer (absent before the first).", "",
                    fmt::format("{:.3f}", static_cast<double>(counter.value) / 1000.0));
            continue;
        }
        const auto found = mappings().find(name);
        if (found == mappings().end()) {
            out.add("hatcp_kernel_counter", "untyped", "Module counters this hatcpd has no name for.", counter.value,
                    fmt::format("name=\"{}\"", name));
            continue;
        }
        const Mapping& m = found->second;
        out.add(std::string{m.metric}, m.type, m.help, counter.value,
                m.label.empty() ? std::string{} : fmt::format("reason=\"{}\"", m.label));
    }
    out.add("hatcp_peer_heard", "gauge", "1 once the peer's first valid channel message arrived.", heard ? 1U : 0U);
    std::uint64_t lag_sum = 0;
    for (const auto& flow : snapshot.flows) {
        lag_sum += flow.lag_bytes.value_or(0);
    }
    out.add("hatcp_replica_lag_bytes_max", "gauge", "Largest replica lag of any flow (bytes received, not consumed).",
            max_lag_bytes(snapshot.flows));
    out.add("hatcp_replica_lag_bytes_sum", "gauge", "Replica lag summed over flows.", lag_sum);
}

} // namespace

std::string render_metrics(const DaemonStatus& status, const std::optional<KernelSnapshot>& snapshot)
{
    Exposition out;
    out.add("hatcpd_module_loaded", "gauge", "1 when the hatcp module answers in this namespace.",
            snapshot ? 1U : 0U);
    out.add("hatcpd_config_applied", "gauge", "1 when the configuration is in place in the module.",
            status.config_applied && status.drift.empty() ? 1U : 0U);
    out.add("hatcpd_config_applies_total", "counter", "Whole applications (start, module reloaded).",
            status.applies);
    out.add("hatcpd_reloads_total", "counter", "Configuration reloads (SIGHUP) applied.", status.reloads);
    out.add("hatcpd_reload_failures_total", "counter", "Configuration reloads refused.", status.reload_failures);
    out.add("hatcpd_sysctl_mismatches", "gauge", "Sysctls differing from the peer's at the last comparison.",
            status.sysctl_mismatches);
    if (snapshot) {
        add_kernel(out, *snapshot);
    }
    return out.text();
}

} // namespace hatcp::daemon
