/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HATCP_BOUNDS_H
#define _HATCP_BOUNDS_H

#include <linux/types.h>

/* Memory bounds of the data path, in bytes; module parameters set them. */
u32 hatcp_hold_flow_max(void);
u64 hatcp_hold_net_max(void);
u32 hatcp_queue_flow_max(void);
u64 hatcp_queue_net_max(void);
u64 hatcp_queue_src_max(void);

#endif
