// SPDX-License-Identifier: GPL-2.0
#include "netlink/event_subscriber.hpp"

#include <cerrno>
#include <exception>

#include <linux/hatcp.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/handlers.h>

#include "netlink/ctrl_codec.hpp"
#include "netlink/errors.hpp"
#include "netlink/event_codec.hpp"
#include "netlink/handles.hpp"

namespace hatcp::netlink {

namespace {

// Room for a burst of events before the kernel starts dropping them.
constexpr int receive_buffer_bytes = 1 << 20;

struct Receiving {
    const EventHandler* handler = nullptr;
    int family = 0;
    bool family_removed = false;
    std::exception_ptr error;
};

// Multicast messages carry the kernel's sequence numbers, not ours.
int accept_any_sequence(nl_msg* /*message*/, void* /*arg*/)
{
    return NL_OK;
}

void handle(Receiving& receiving, nlmsghdr* header)
{
    if (header->nlmsg_type == receiving.family) {
        if (const auto event = decode_event_message(header)) {
            (*receiving.handler)(*event);
        }
    } else if (is_family_removal(header, HATCP_GENL_NAME)) {
        receiving.family_removed = true;
    }
}

int on_message(nl_msg* message, void* arg)
{
    auto& receiving = *static_cast<Receiving*>(arg);
    if (receiving.error || receiving.family_removed) {
        return NL_SKIP;
    }
    // Exceptions must not unwind through libnl's C code.
    try {
        handle(receiving, nlmsg_hdr(message));
    } catch (...) {
        receiving.error = std::current_exception();
    }
    return NL_OK;
}

void join(nl_sock* socket, int group, const char* what)
{
    if (const int result = nl_socket_add_membership(socket, group); result < 0) {
        if (result == -NLE_PERM) {
            throw KernelError{EPERM, ""};
        }
        throw TransportError{what, result};
    }
}

} // namespace

EventSubscriber::EventSubscriber()
{
    nl_sock* socket = socket_.get();
    // Both groups are resolved before either is joined: once joined, an
    // event can arrive between a resolve request and its reply, and libnl
    // takes it for the reply (the group is then "not found").
    const int events = socket_.resolve_group(HATCP_MCGRP_EVENTS);
    const int controller = genl_ctrl_resolve_grp(socket, "nlctrl", "notify");
    if (controller < 0) {
        throw TransportError{"resolving the nlctrl notify group", controller};
    }
    join(socket, events, "joining the hatcp events group");
    join(socket, controller, "joining the nlctrl notify group");
    if (const int result = nl_socket_set_buffer_size(socket, receive_buffer_bytes, 0); result < 0) {
        throw TransportError{"sizing the receive buffer", result};
    }
    if (const int result = nl_socket_set_nonblocking(socket); result < 0) {
        throw TransportError{"making the socket non-blocking", result};
    }
}

int EventSubscriber::fd() const
{
    return nl_socket_get_fd(socket_.get());
}

bool EventSubscriber::receive(const EventHandler& handler)
{
    Receiving receiving;
    receiving.handler = &handler;
    receiving.family = socket_.family();
    const CallbacksPtr callbacks = make_callbacks();
    nl_cb_set(callbacks.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_sequence, nullptr);
    nl_cb_set(callbacks.get(), NL_CB_VALID, NL_CB_CUSTOM, on_message, &receiving);

    bool complete = true;
    for (;;) {
        const int result = nl_recvmsgs(socket_.get(), callbacks.get());
        if (receiving.error) {
            std::rethrow_exception(receiving.error);
        }
        if (receiving.family_removed) {
            throw FamilyRemoved{};
        }
        if (result == -NLE_AGAIN) {
            return complete; // drained
        }
        if (result == -NLE_NOMEM) {
            complete = false; // ENOBUFS: the kernel dropped events for us
        } else if (result < 0) {
            throw TransportError{"receiving events", result};
        }
    }
}

} // namespace hatcp::netlink
