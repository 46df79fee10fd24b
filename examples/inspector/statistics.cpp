// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "statistics.h"

#include <algorithm>

using namespace std::chrono_literals;

namespace inspector {

Statistics::Statistics(QObject *parent) : QObject(parent)
{
    m_timer.setInterval(1s);
    connect(&m_timer, &QTimer::timeout, this, &Statistics::sample);
    m_timer.start();
}

void Statistics::recordIncoming(qint64 bytes)
{
    ++m_messagesIn;
    m_bytesIn += bytes;
    ++m_bucketIn;
}

void Statistics::recordOutgoing(qint64 bytes)
{
    ++m_messagesOut;
    m_bytesOut += bytes;
    ++m_bucketOut;
}

void Statistics::recordRoundTrip(qint64 ms)
{
    if (ms < 0)
        return;
    m_lastRtt = ms;
    m_minRtt = m_minRtt < 0 ? ms : qMin(m_minRtt, ms);
    m_rttSum += ms;
    ++m_rtts;
    Q_EMIT updated(); // rare and worth seeing at once
}

void Statistics::reset()
{
    m_messagesIn = m_messagesOut = m_bytesIn = m_bytesOut = 0;
    m_lastRtt = m_minRtt = -1;
    m_rttSum = 0;
    m_rtts = 0;
    m_bucketIn = m_bucketOut = 0;
    m_rateIn.clear();
    m_rateOut.clear();
    Q_EMIT updated();
}

void Statistics::sample()
{
    m_rateIn.append(m_bucketIn);
    m_rateOut.append(m_bucketOut);
    if (m_rateIn.size() > sampleCount) {
        m_rateIn.removeFirst();
        m_rateOut.removeFirst();
    }
    m_bucketIn = m_bucketOut = 0;
    Q_EMIT updated();
}

int Statistics::peakRate() const
{
    int peak = 0;
    for (const QList<int> *rates : {&m_rateIn, &m_rateOut})
        if (!rates->isEmpty())
            peak = qMax(peak, *std::max_element(rates->begin(), rates->end()));
    return peak;
}

} // namespace inspector
