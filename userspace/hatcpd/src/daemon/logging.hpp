// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace hatcp::daemon {

// The default spdlog logger: the journal, with each message's priority,
// when stderr is connected to it (JOURNAL_STREAM, as under systemd);
// otherwise stderr with timestamps.
void setup_logging();

} // namespace hatcp::daemon
