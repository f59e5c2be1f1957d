// SPDX-License-Identifier: GPL-2.0
#include "daemon/logging.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

namespace hatcp::daemon {

namespace {

// JOURNAL_STREAM is "DEV:INODE" of the journal's stream; it is inherited
// by children whose stderr goes elsewhere, so compare it with ours.
bool stderr_is_journal()
{
    const char* stream = std::getenv("JOURNAL_STREAM"); // NOLINT(concurrency-mt-unsafe): before any thread
    if (stream == nullptr) {
        return false;
    }
    struct stat st {};
    if (fstat(fileno(stderr), &st) != 0) {
        return false;
    }
    const std::string ours = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    return ours == stream;
}

} // namespace

void setup_logging()
{
    std::shared_ptr<spdlog::logger> logger;
    if (stderr_is_journal()) {
        logger = std::make_shared<spdlog::logger>("hatcpd", std::make_shared<spdlog::sinks::systemd_sink_st>("hatcpd"));
        logger->set_pattern("%v");
    } else {
        logger = std::make_shared<spdlog::logger>("hatcpd", std::make_shared<spdlog::sinks::stderr_sink_st>());
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e hatcpd[%P] %l: %v");
    }
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

} // namespace hatcp::daemon
