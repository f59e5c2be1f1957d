// SPDX-License-Identifier: GPL-2.0
#include "cli/words.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/usage_error.hpp"
#include "model/device.hpp"

namespace hatcp::cli {

Ipv4Address parse_address(std::string_view word)
{
    if (const auto address = Ipv4Address::parse(word)) {
        return *address;
    }
    throw UsageError{fmt::format("bad address \"{}\"", word)};
}

std::uint16_t parse_port(std::string_view word)
{
    // from_chars takes no sign and no spaces; the whole word must be digits.
    unsigned int port = 0;
    const char* end = std::to_address(word.end());
    const auto [stop, error] = std::from_chars(std::to_address(word.begin()), end, port);
    if (word.empty() || error != std::errc{} || stop != end || port == 0 ||
        port > std::numeric_limits<std::uint16_t>::max()) {
        throw UsageError{fmt::format("bad port \"{}\"", word)};
    }
    return static_cast<std::uint16_t>(port);
}

std::uint32_t parse_device(std::string_view word)
{
    if (const auto index = system_device_index(word)) {
        return *index;
    }
    throw UsageError{fmt::format("no such device \"{}\"", word)};
}

ChannelKey parse_key_file(const std::string& path)
{
    std::ifstream file{path, std::ios::binary};
    if (!file) {
        throw UsageError{fmt::format("cannot read key file \"{}\": {}", path, std::strerror(errno))};
    }
    // A key file is small: read one byte past the longest valid one.
    constexpr std::size_t longest = (2 * HATCP_KEY_LEN) + 2;
    std::string text(longest + 1, '\0');
    file.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(file.gcount()));
    if (text.ends_with("\r\n")) {
        text.resize(text.size() - 2);
    } else if (text.ends_with('\n')) {
        text.pop_back();
    }
    ChannelKey key{};
    const auto bad = [&path] {
        return UsageError{fmt::format("bad key file \"{}\": want 64 hex digits (32 bytes)", path)};
    };
    if (text.size() != 2 * key.size()) {
        throw bad();
    }
    for (std::size_t i = 0; i < key.size(); ++i) {
        const std::string_view digits = std::string_view{text}.substr(2 * i, 2);
        const char* end = std::to_address(digits.end());
        const auto [stop, error] = std::from_chars(std::to_address(digits.begin()), end, key.at(i), 16);
        if (error != std::errc{} || stop != end) {
            throw bad();
        }
    }
    return key;
}

Role parse_role(std::string_view word)
{
    if (const auto role = role_from_name(word)) {
        return *role;
    }
    throw UsageError{fmt::format("unknown role \"{}\" (standalone, primary or replica)", word)};
}

KeywordValues parse_keywords(const std::vector<std::string>& words, std::initializer_list<std::string_view> keywords,
                             std::string_view usage)
{
    KeywordValues values;
    for (auto word = words.begin(); word != words.end(); ++word) {
        if (std::find(keywords.begin(), keywords.end(), *word) == keywords.end()) {
            throw UsageError{fmt::format("unknown word \"{}\" (usage: hatcpctl {})", *word, usage)};
        }
        const auto value = std::next(word);
        if (value == words.end()) {
            throw UsageError{fmt::format("\"{}\" needs a value (usage: hatcpctl {})", *word, usage)};
        }
        if (!values.emplace(*word, *value).second) {
            throw UsageError{fmt::format("\"{}\" given twice (usage: hatcpctl {})", *word, usage)};
        }
        word = value;
    }
    return values;
}

} // namespace hatcp::cli
