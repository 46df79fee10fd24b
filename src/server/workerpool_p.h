// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>
#include <QtCore/QThread>

#include <functional>
#include <memory>
#include <vector>

namespace qtws {

// The threads of a multi-threaded server: each runs its own event loop and owns one engine, a
// QObject made in that thread by the factory (a single-threaded server that serves the
// connections handed to it). Everything an engine creates (sockets, WebSockets, the handler's
// objects) lives in its thread.
class WorkerPool
{
public:
    using Factory = std::function<QObject *(int index)>;

    WorkerPool() = default;
    ~WorkerPool();
    WorkerPool(const WorkerPool &) = delete;
    WorkerPool &operator=(const WorkerPool &) = delete;

    // Starts count threads and makes their engines; returns once every engine exists.
    void start(int count, const Factory &factory);
    int size() const { return int(m_engines.size()); }
    QObject *engine(int index) const { return m_engines.at(size_t(index)); }
    // Round robin over the engines, for the next accepted connection.
    int next();
    // Deletes each engine in its own thread, then ends and joins the threads.
    void stop();

    // The number of threads for a worker count option: 0 means one per core.
    static int resolve(int option);

private:
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<QObject *> m_engines;
    int m_next = 0;
};

} // namespace qtws
