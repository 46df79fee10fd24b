// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "peerclient.h"

#include "peerprocess.h"

namespace qtws::test {

PeerClient::PeerClient(std::unique_ptr<PeerProcess> process, QObject *parent)
    : QObject(parent), m_process(std::move(process))
{ }

PeerClient::~PeerClient() = default;

bool PeerClient::isRunning() const
{
    return m_process->isRunning();
}

int PeerClient::exitCode() const
{
    return m_process->exitCode();
}

QVariantList PeerClient::events() const
{
    QVariantList list;
    for (const QJsonObject &event : m_process->events())
        list.append(event.toVariantMap());
    return list;
}

QVariantList PeerClient::eventsOfType(const QString &type) const
{
    QVariantList list;
    for (const QJsonObject &event : m_process->events(type))
        list.append(event.toVariantMap());
    return list;
}

QString PeerClient::diagnostics() const
{
    return m_process->diagnostics();
}

} // namespace qtws::test
