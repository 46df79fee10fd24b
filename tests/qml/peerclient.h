// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// A python3-websockets client (tests/interop/peers/python_peer.py) as QML sees it, made by
// Fixture.startPythonClient(). Owned by the JS engine; stopping it (or its collection) ends the
// process.
#pragma once

#include <QtCore/QObject>
#include <QtCore/QVariantList>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace qtws::test {

class PeerProcess;

class PeerClient : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made by Fixture.startPythonClient()")

public:
    explicit PeerClient(std::unique_ptr<PeerProcess> process, QObject *parent = nullptr);
    ~PeerClient() override;

    Q_INVOKABLE bool isRunning() const;
    // 0 when every step of the script held; -1 while running.
    Q_INVOKABLE int exitCode() const;
    // The JSON events printed so far ({"type":"open"...}, {"type":"close","code":1001...}).
    Q_INVOKABLE QVariantList events() const;
    // Those of one type.
    Q_INVOKABLE QVariantList eventsOfType(const QString &type) const;
    Q_INVOKABLE QString diagnostics() const;

private:
    std::unique_ptr<PeerProcess> m_process;
};

} // namespace qtws::test
