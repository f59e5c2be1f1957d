// SPDX-License-Identifier: GPL-2.0
/*
 * hatcp: how much memory the data path may pin, per flow and per network
 * namespace, on either side. The primary holds client segments until the
 * replica has them; the replica queues them until its application takes
 * them. Past a bound a segment is dropped (primary) or left unacknowledged
 * (replica) and the client's retransmission brings it back later.
 *
 * They are module parameters, writable at run time under
 * /sys/module/hatcp/parameters/, so an appliance can size them to its
 * memory and window settings. The lower limits keep one 64 KB GRO body
 * admissible; the upper ones keep the byte counts far from overflow.
 */
#include <linux/moduleparam.h>
#include "bounds.h"

static unsigned int hold_flow_max_kb = 8192;
static unsigned int hold_net_max_mb = 128;
static unsigned int queue_flow_max_kb = 8192;
static unsigned int queue_net_max_mb = 128;
static unsigned int queue_src_max_mb = 32;

static int set_flow_kb(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 128, 1U << 20);
}

static int set_net_mb(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 1U << 16);
}

static const struct kernel_param_ops flow_kb_ops = {
	.set = set_flow_kb,
	.get = param_get_uint,
};

static const struct kernel_param_ops net_mb_ops = {
	.set = set_net_mb,
	.get = param_get_uint,
};

module_param_cb(hold_flow_max_kb, &flow_kb_ops, &hold_flow_max_kb, 0644);
MODULE_PARM_DESC(hold_flow_max_kb,
		 "Primary: KiB held per flow awaiting the replica (128..1048576, default 8192)");
module_param_cb(hold_net_max_mb, &net_mb_ops, &hold_net_max_mb, 0644);
MODULE_PARM_DESC(hold_net_max_mb,
		 "Primary: MiB held per network namespace (1..65536, default 128)");
module_param_cb(queue_flow_max_kb, &flow_kb_ops, &queue_flow_max_kb, 0644);
MODULE_PARM_DESC(queue_flow_max_kb,
		 "Replica: KiB queued per flow for the application (128..1048576, default 8192)");
module_param_cb(queue_net_max_mb, &net_mb_ops, &queue_net_max_mb, 0644);
MODULE_PARM_DESC(queue_net_max_mb,
		 "Replica: MiB queued per network namespace (1..65536, default 128)");
module_param_cb(queue_src_max_mb, &net_mb_ops, &queue_src_max_mb, 0644);
MODULE_PARM_DESC(queue_src_max_mb,
		 "Replica: MiB queued per client address (1..65536, default 32)");

u32 hatcp_hold_flow_max(void)
{
	return READ_ONCE(hold_flow_max_kb) << 10;
}

u64 hatcp_hold_net_max(void)
{
	return (u64)READ_ONCE(hold_net_max_mb) << 20;
}

u32 hatcp_queue_flow_max(void)
{
	return READ_ONCE(queue_flow_max_kb) << 10;
}

u64 hatcp_queue_net_max(void)
{
	return (u64)READ_ONCE(queue_net_max_mb) << 20;
}

u64 hatcp_queue_src_max(void)
{
	return (u64)READ_ONCE(queue_src_max_mb) << 20;
}
