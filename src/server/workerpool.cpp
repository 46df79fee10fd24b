// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/workerpool_p.h"

#include <QtCore/QMetaObject>

#include <algorithm>

namespace qtws {

WorkerPool::~WorkerPool()
{
    stop();
}

int WorkerPool::resolve(int option)
{
    return option > 0 ? option : std::max(1, QThread::idealThreadCount());
}

void WorkerPool::start(int count, const Factory &factory)
{
    for (int i = 0; i < count; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("qtws worker %1").arg(i));
        thread->start();
        // An object of the worker's thread to run the factory in; it is deleted there.
        auto *anchor = new QObject;
        anchor->moveToThread(thread.get());
        QObject *engine = nullptr;
        QMetaObject::invokeMethod(
            anchor,
            [&] {
                engine = factory(i);
                anchor->deleteLater();
            },
            Qt::BlockingQueuedConnection);
        m_engines.push_back(engine);
        m_threads.push_back(std::move(thread));
    }
}

int WorkerPool::next()
{
    const int index = m_next;
    m_next = (m_next + 1) % size();
    return index;
}

void WorkerPool::stop()
{
    for (size_t i = 0; i < m_threads.size(); ++i) {
        if (QObject *engine = m_engines.at(i))
            QMetaObject::invokeMethod(
                engine, [engine] { delete engine; }, Qt::BlockingQueuedConnection);
        m_threads.at(i)->quit();
        m_threads.at(i)->wait();
    }
    m_engines.clear();
    m_threads.clear();
}

} // namespace qtws
