// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

namespace inspector {

// Counters of one connection (or of a whole server): messages and bytes each way, round
// trips, and messages per second over the last minute for the live chart.
//
// record*() are called per message, so they only add; the properties are published once per
// second (the chart's resolution), which keeps a flood from turning into a flood of bindings.
class Statistics : public QObject
{
    Q_OBJECT
    Q_PROPERTY(qint64 messagesIn READ messagesIn NOTIFY updated)
    Q_PROPERTY(qint64 messagesOut READ messagesOut NOTIFY updated)
    Q_PROPERTY(qint64 bytesIn READ bytesIn NOTIFY updated)
    Q_PROPERTY(qint64 bytesOut READ bytesOut NOTIFY updated)
    Q_PROPERTY(qint64 lastRoundTrip READ lastRoundTrip NOTIFY updated)
    Q_PROPERTY(qint64 minRoundTrip READ minRoundTrip NOTIFY updated)
    Q_PROPERTY(double averageRoundTrip READ averageRoundTrip NOTIFY updated)
    Q_PROPERTY(int roundTrips READ roundTrips NOTIFY updated)
    // Messages per second, one sample per second, oldest first (at most sampleCount).
    Q_PROPERTY(QList<int> rateIn READ rateIn NOTIFY updated)
    Q_PROPERTY(QList<int> rateOut READ rateOut NOTIFY updated)
    Q_PROPERTY(int peakRate READ peakRate NOTIFY updated)

public:
    static constexpr int sampleCount = 60;

    explicit Statistics(QObject *parent = nullptr);

    void recordIncoming(qint64 bytes);
    void recordOutgoing(qint64 bytes);
    void recordRoundTrip(qint64 ms);
    Q_INVOKABLE void reset();
    // Closes the current one-second bucket now (the timer does it every second).
    Q_INVOKABLE void sample();

    qint64 messagesIn() const { return m_messagesIn; }
    qint64 messagesOut() const { return m_messagesOut; }
    qint64 bytesIn() const { return m_bytesIn; }
    qint64 bytesOut() const { return m_bytesOut; }
    qint64 lastRoundTrip() const { return m_lastRtt; }
    qint64 minRoundTrip() const { return m_minRtt; }
    double averageRoundTrip() const { return m_rtts ? double(m_rttSum) / m_rtts : -1.0; }
    int roundTrips() const { return m_rtts; }
    QList<int> rateIn() const { return m_rateIn; }
    QList<int> rateOut() const { return m_rateOut; }
    int peakRate() const;

Q_SIGNALS:
    void updated();

private:
    qint64 m_messagesIn = 0, m_messagesOut = 0, m_bytesIn = 0, m_bytesOut = 0;
    qint64 m_lastRtt = -1, m_minRtt = -1, m_rttSum = 0;
    int m_rtts = 0;
    int m_bucketIn = 0, m_bucketOut = 0;
    QList<int> m_rateIn, m_rateOut;
    QTimer m_timer;
};

} // namespace inspector
