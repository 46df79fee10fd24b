// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/headers.h>

#include <algorithm>

namespace qtws::http {

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

void Headers::append(QByteArrayView name, QByteArrayView value)
{
    m_fields.emplace_back(name.toByteArray(), value.toByteArray());
}

void Headers::set(QByteArrayView name, QByteArrayView value)
{
    auto first = std::find_if(m_fields.begin(), m_fields.end(),
        [&](const Field &f) { return equalsIgnoreCase(f.first, name); });
    if (first == m_fields.end()) {
        append(name, value);
        return;
    }
    first->second = value.toByteArray();
    const qsizetype keep = first - m_fields.begin();
    m_fields.erase(std::remove_if(m_fields.begin() + keep + 1, m_fields.end(),
                       [&](const Field &f) { return equalsIgnoreCase(f.first, name); }),
        m_fields.end());
}

qsizetype Headers::remove(QByteArrayView name)
{
    return m_fields.removeIf([&](const Field &f) { return equalsIgnoreCase(f.first, name); });
}

bool Headers::contains(QByteArrayView name) const
{
    return std::any_of(m_fields.begin(), m_fields.end(),
        [&](const Field &f) { return equalsIgnoreCase(f.first, name); });
}

qsizetype Headers::count(QByteArrayView name) const
{
    return std::count_if(m_fields.begin(), m_fields.end(),
        [&](const Field &f) { return equalsIgnoreCase(f.first, name); });
}

QByteArray Headers::value(QByteArrayView name) const
{
    for (const Field &f : m_fields) {
        if (equalsIgnoreCase(f.first, name))
            return f.second;
    }
    return {};
}

QList<QByteArray> Headers::values(QByteArrayView name) const
{
    QList<QByteArray> result;
    for (const Field &f : m_fields) {
        if (equalsIgnoreCase(f.first, name))
            result.append(f.second);
    }
    return result;
}

QList<QByteArray> Headers::listValues(QByteArrayView name) const
{
    QList<QByteArray> result;
    for (const Field &f : m_fields) {
        if (!equalsIgnoreCase(f.first, name))
            continue;
        for (const QByteArray &element : f.second.split(',')) {
            QByteArray trimmed = element.trimmed();
            if (!trimmed.isEmpty())
                result.append(std::move(trimmed));
        }
    }
    return result;
}

bool Headers::containsToken(QByteArrayView name, QByteArrayView token) const
{
    const QList<QByteArray> elements = listValues(name);
    return std::any_of(elements.begin(), elements.end(),
        [&](const QByteArray &e) { return equalsIgnoreCase(e, token); });
}

QByteArray Headers::serialize() const
{
    QByteArray out;
    for (const Field &f : m_fields) {
        out += f.first;
        out += ": ";
        out += f.second;
        out += "\r\n";
    }
    return out;
}

} // namespace qtws::http
