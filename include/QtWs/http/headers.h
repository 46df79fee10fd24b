// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>

#include <utility>

namespace qtws::http {

// An HTTP header field list (RFC 9110 §5): ordered as received, names compared without regard
// to case, repeated names kept (Set-Cookie cannot be joined; others may be, RFC 9110 §5.3).
// Names and values are bytes: HTTP field values are not necessarily UTF-8.
class QTWS_EXPORT Headers
{
public:
    using Field = std::pair<QByteArray, QByteArray>;

    Headers() = default;
    Headers(std::initializer_list<Field> fields) : m_fields(fields) { }

    // Appends a field, keeping any with the same name.
    void append(QByteArrayView name, QByteArrayView value);
    // Replaces every field called name by one field (appended if there was none).
    void set(QByteArrayView name, QByteArrayView value);
    // Removes every field called name; returns how many were removed.
    qsizetype remove(QByteArrayView name);

    bool contains(QByteArrayView name) const;
    qsizetype count(QByteArrayView name) const;
    // The first value of name, or a null QByteArray when absent.
    QByteArray value(QByteArrayView name) const;
    // Every value of name, in order.
    QList<QByteArray> values(QByteArrayView name) const;
    // The comma-separated list elements of every field called name, trimmed, empty elements
    // dropped (RFC 9110 §5.6.1), e.g. "Connection: keep-alive, Upgrade" → {keep-alive, Upgrade}.
    QList<QByteArray> listValues(QByteArrayView name) const;
    // True when the comma-separated lists of name contain token (compared without case).
    bool containsToken(QByteArrayView name, QByteArrayView token) const;

    const QList<Field> &fields() const { return m_fields; }
    qsizetype size() const { return m_fields.size(); }
    bool isEmpty() const { return m_fields.isEmpty(); }
    auto begin() const { return m_fields.cbegin(); }
    auto end() const { return m_fields.cend(); }
    void clear() { m_fields.clear(); }
    void reserve(qsizetype n) { m_fields.reserve(n); }

    // "Name: value\r\n" for each field, in order.
    QByteArray serialize() const;

    friend bool operator==(const Headers &, const Headers &) = default;

private:
    QList<Field> m_fields{};
};

// ASCII case-insensitive comparison, as HTTP field names and tokens need.
QTWS_EXPORT bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b);

} // namespace qtws::http
