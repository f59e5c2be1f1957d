// SPDX-License-Identifier: GPL-2.0
#include "netlink/attribute_io.hpp"

#include <cstring>

#include <fmt/format.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>

#include "netlink/errors.hpp"

namespace hatcp::netlink {

namespace {

template <typename T>
T read_exact(const nlattr* attr, std::string_view what)
{
    if (nla_len(attr) != static_cast<int>(sizeof(T))) {
        throw ProtocolError{fmt::format("attribute {} has {} bytes, expected {}", what, nla_len(attr), sizeof(T))};
    }
    T value{};
    std::memcpy(&value, nla_data(attr), sizeof(T)); // attribute data is only 4-byte aligned
    return value;
}

void check_put(int result)
{
    if (result < 0) {
        throw TransportError{"building a request", result};
    }
}

} // namespace

void parse_attributes(nlattr** table, int max, nlattr* head, int length, std::string_view what)
{
    // No libnl policy: lengths are checked by the typed readers, and types
    // above `max` are skipped, which is what we want for a newer kernel.
    const int result = nla_parse(table, max, head, length, nullptr);
    if (result < 0) {
        throw ProtocolError{fmt::format("malformed attributes in {}: {}", what, nl_geterror(-result))};
    }
}

void parse_genl_attributes(nlattr** table, int max, nlmsghdr* header)
{
    if (genlmsg_valid_hdr(header, 0) == 0) {
        throw ProtocolError{"message too short for a generic netlink header"};
    }
    auto* genl_header = static_cast<genlmsghdr*>(nlmsg_data(header));
    parse_attributes(table, max, genlmsg_attrdata(genl_header, 0), genlmsg_attrlen(genl_header, 0), "message");
}

std::uint8_t read_u8(const nlattr* attr, std::string_view what)
{
    return read_exact<std::uint8_t>(attr, what);
}

std::uint16_t read_u16(const nlattr* attr, std::string_view what)
{
    return read_exact<std::uint16_t>(attr, what);
}

std::uint32_t read_u32(const nlattr* attr, std::string_view what)
{
    return read_exact<std::uint32_t>(attr, what);
}

std::uint64_t read_u64(const nlattr* attr, std::string_view what)
{
    return read_exact<std::uint64_t>(attr, what);
}

std::optional<std::uint64_t> read_unsigned(const nlattr* attr)
{
    switch (nla_len(attr)) {
    case sizeof(std::uint8_t):
        return read_u8(attr, "");
    case sizeof(std::uint16_t):
        return read_u16(attr, "");
    case sizeof(std::uint32_t):
        return read_u32(attr, "");
    case sizeof(std::uint64_t):
        return read_u64(attr, "");
    default:
        return std::nullopt;
    }
}

std::uint8_t genl_command(nlmsghdr* header)
{
    if (genlmsg_valid_hdr(header, 0) == 0) {
        throw ProtocolError{"message too short for a generic netlink header"};
    }
    return static_cast<const genlmsghdr*>(nlmsg_data(header))->cmd;
}

void put_u8(nl_msg* message, int type, std::uint8_t value)
{
    check_put(nla_put_u8(message, type, value));
}

void put_u16(nl_msg* message, int type, std::uint16_t value)
{
    check_put(nla_put_u16(message, type, value));
}

void put_u32(nl_msg* message, int type, std::uint32_t value)
{
    check_put(nla_put_u32(message, type, value));
}

void put_bytes(nl_msg* message, int type, std::span<const std::uint8_t> bytes)
{
    check_put(nla_put(message, type, static_cast<int>(bytes.size()), bytes.data()));
}

void put_flag(nl_msg* message, int type)
{
    check_put(nla_put_flag(message, type));
}

nlattr* start_nest(nl_msg* message, int type)
{
    // libnl 3.7 sets NLA_F_NESTED itself; or-ing it in keeps older ones right.
    nlattr* nest = nla_nest_start(message, type | NLA_F_NESTED);
    if (nest == nullptr) {
        throw TransportError{"building a request", NLE_NOMEM};
    }
    return nest;
}

void end_nest(nl_msg* message, nlattr* nest)
{
    check_put(nla_nest_end(message, nest));
}

} // namespace hatcp::netlink
