// SPDX-License-Identifier: GPL-2.0
#include "netlink/exchange.hpp"

#include <cstdint>
#include <exception>
#include <optional>

#include <netlink/errno.h>
#include <netlink/handlers.h>

#include "netlink/ack.hpp"
#include "netlink/errors.hpp"
#include "netlink/handles.hpp"

namespace hatcp::netlink {

namespace {

// Shared by the libnl callbacks of one exchange.
struct Exchange {
    const MessageHandler* on_message = nullptr;
    std::uint32_t sequence = 0;
    nlmsghdr* current = nullptr; // the message libnl is processing
    bool done = false;
    bool interrupted = false;
    std::optional<AckStatus> failure;
    std::exception_ptr handler_error;
};

Exchange& exchange_of(void* arg)
{
    return *static_cast<Exchange*>(arg);
}

// libnl gives the error callback only struct nlmsgerr; remembering each
// message's header lets it reach the extended ack TLVs that follow.
int on_message_in(nl_msg* message, void* arg)
{
    exchange_of(arg).current = nlmsg_hdr(message);
    return NL_OK;
}

int on_sequence_check(nl_msg* message, void* arg)
{
    return nlmsg_hdr(message)->nlmsg_seq == exchange_of(arg).sequence ? NL_OK : NL_SKIP;
}

int on_valid(nl_msg* message, void* arg)
{
    Exchange& exchange = exchange_of(arg);
    nlmsghdr* header = nlmsg_hdr(message);
    if ((header->nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
        exchange.interrupted = true;
    }
    // An exception must not unwind through libnl's C code: keep the first
    // one and read on, so the socket is left clean for the next exchange.
    if (!exchange.handler_error) {
        try {
            (*exchange.on_message)(header);
        } catch (...) {
            exchange.handler_error = std::current_exception();
        }
    }
    return NL_OK;
}

int on_ack(nl_msg* /*message*/, void* arg)
{
    exchange_of(arg).done = true;
    return NL_STOP;
}

int on_finish(nl_msg* message, void* arg)
{
    Exchange& exchange = exchange_of(arg);
    nlmsghdr* header = nlmsg_hdr(message);
    if ((header->nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
        exchange.interrupted = true;
    }
    if (AckStatus status = parse_done_message(header); status.error != 0) {
        exchange.failure = std::move(status);
    }
    exchange.done = true;
    return NL_STOP;
}

int on_error(sockaddr_nl* /*peer*/, nlmsgerr* /*error*/, void* arg)
{
    Exchange& exchange = exchange_of(arg);
    exchange.failure = parse_error_message(exchange.current);
    exchange.done = true;
    return NL_STOP;
}

// NLM_F_DUMP_INTR: noted in on_valid/on_finish; reading goes on to DONE.
int on_dump_interrupted(nl_msg* /*message*/, void* arg)
{
    exchange_of(arg).interrupted = true;
    return NL_OK;
}

void run(nl_sock* socket, nl_msg* message, const MessageHandler& on_message)
{
    Exchange exchange;
    exchange.on_message = &on_message;

    CallbacksPtr callbacks = make_callbacks();
    nl_cb* cb = callbacks.get();
    nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_message_in, &exchange);
    nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_sequence_check, &exchange);
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &exchange);
    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &exchange);
    nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &exchange);
    nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_interrupted, &exchange);
    nl_cb_err(cb, NL_CB_CUSTOM, on_error, &exchange);

    if (const int sent = nl_send_auto(socket, message); sent < 0) {
        throw TransportError{"sending a request", sent};
    }
    exchange.sequence = nlmsg_hdr(message)->nlmsg_seq;

    while (!exchange.done) {
        const int received = nl_recvmsgs(socket, cb);
        // on_error stops libnl with the errno turned into an NLE_* code;
        // the failure recorded has the real errno and the message.
        if (exchange.failure) {
            break;
        }
        if (received == -NLE_DUMP_INTR) {
            exchange.interrupted = true;
        } else if (received < 0) {
            throw TransportError{"receiving a reply", received};
        }
    }

    if (exchange.failure) {
        throw KernelError{exchange.failure->error, exchange.failure->message};
    }
    if (exchange.handler_error) {
        std::rethrow_exception(exchange.handler_error);
    }
    if (exchange.interrupted) {
        throw DumpInterrupted{};
    }
}

} // namespace

void request(nl_sock* socket, nl_msg* message, const MessageHandler& on_reply)
{
    run(socket, message, on_reply);
}

void dump(nl_sock* socket, nl_msg* message, const MessageHandler& on_message)
{
    run(socket, message, on_message);
}

} // namespace hatcp::netlink
