// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <netlink/attr.h>
#include <netlink/msg.h>

// Typed, length-checked access to netlink attributes on top of libnl. Every
// reader throws ProtocolError for an attribute whose length does not match
// its uapi type, and every writer throws TransportError when the message is
// full.
namespace hatcp::netlink {

// Attributes by type, like the kernel's tb[]: entry N is the last attribute
// of type N, or null. Types above Max (from a newer kernel) are left out.
template <int Max>
using AttributeTable = std::array<nlattr*, Max + 1>;

// Fills `table` (max + 1 entries) from the attributes in [head, head + length).
void parse_attributes(nlattr** table, int max, nlattr* head, int length, std::string_view what);

template <int Max>
AttributeTable<Max> parse_nested(nlattr* nest, std::string_view what)
{
    AttributeTable<Max> table{};
    parse_attributes(table.data(), Max, static_cast<nlattr*>(nla_data(nest)), nla_len(nest), what);
    return table;
}

// The top-level attributes of a generic netlink message with no family header.
void parse_genl_attributes(nlattr** table, int max, nlmsghdr* header);

template <int Max>
AttributeTable<Max> parse_genl_message(nlmsghdr* header)
{
    AttributeTable<Max> table{};
    parse_genl_attributes(table.data(), Max, header);
    return table;
}

// Calls f(attr) for each attribute inside `nest`, unknown types included.
template <typename F>
void for_each_nested(nlattr* nest, F&& f)
{
    int remaining = nla_len(nest);
    for (auto* attr = static_cast<nlattr*>(nla_data(nest)); nla_ok(attr, remaining) != 0;
         attr = nla_next(attr, &remaining)) {
        f(attr);
    }
}

std::uint8_t read_u8(const nlattr* attr, std::string_view what);
std::uint16_t read_u16(const nlattr* attr, std::string_view what);
std::uint32_t read_u32(const nlattr* attr, std::string_view what);
std::uint64_t read_u64(const nlattr* attr, std::string_view what);

// An unsigned number of 1, 2, 4 or 8 bytes, whichever the attribute has;
// nullopt for any other length.
std::optional<std::uint64_t> read_unsigned(const nlattr* attr);

// The genl command of a message; throws ProtocolError if it has no genl header.
std::uint8_t genl_command(nlmsghdr* header);

void put_u8(nl_msg* message, int type, std::uint8_t value);
void put_u16(nl_msg* message, int type, std::uint16_t value);
void put_u32(nl_msg* message, int type, std::uint32_t value);
void put_bytes(nl_msg* message, int type, std::span<const std::uint8_t> bytes);
// A flag: an attribute with no payload, present or not.
void put_flag(nl_msg* message, int type);

// A nested attribute, with NLA_F_NESTED set as the kernel's strict
// validation demands; close it with end_nest().
nlattr* start_nest(nl_msg* message, int type);
void end_nest(nl_msg* message, nlattr* nest);

} // namespace hatcp::netlink
