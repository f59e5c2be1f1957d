// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <functional>

#include "model/event.hpp"

namespace hatcp {

using EventHandler = std::function<void(const Event& event)>;

// A subscription to the kernel's hatcp events, for a poll()/epoll loop.
class EventSource {
public:
    EventSource() = default;
    virtual ~EventSource() = default;
    EventSource(const EventSource&) = delete;
    EventSource& operator=(const EventSource&) = delete;
    EventSource(EventSource&&) = delete;
    EventSource& operator=(EventSource&&) = delete;

    // Readable when events are waiting.
    [[nodiscard]] virtual int fd() const = 0;

    // Calls `handler` for every event waiting, without blocking. Returns
    // false when the kernel dropped events because we read too slowly.
    virtual bool receive(const EventHandler& handler) = 0;
};

} // namespace hatcp
