// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtCore/QSocketNotifier>

namespace cli {

// Reads standard input line by line from the event loop: a QSocketNotifier wakes it when input
// is there (a terminal, a pipe; a regular file is always readable), so there is no reader thread
// and no polling. A line ends at '\n' (a '\r' before it is dropped); an unterminated last line
// is delivered at EOF.
class StdinReader : public QObject
{
    Q_OBJECT

public:
    // Longest line held; a longer one is delivered in pieces of this size (one message each).
    static constexpr qsizetype maxLineBytes = 16 * 1024 * 1024;

    explicit StdinReader(QObject *parent = nullptr);

    // Starts reading (nothing is read before: e.g. not before the connection is open).
    void start();
    // While paused, standard input is not read (backpressure: the pipe fills and the writer
    // waits). Lines already read are delivered.
    void setPaused(bool paused);
    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    void lineRead(const QByteArray &line);
    // End of input (after the last lineRead), or a read error (reported on stderr first).
    void finished();

private:
    void readAvailable();
    void finish();

    QSocketNotifier m_notifier;
    QByteArray m_buffer;
    bool m_started = false;
    bool m_paused = false;
    bool m_finished = false;
};

} // namespace cli
