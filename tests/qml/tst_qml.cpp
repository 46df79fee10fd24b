// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The Qt Quick Test runner of tests/qml/tst_*.qml (label qml, offscreen). The setup starts the
// fixture's servers once (Fixture, the QtWsTest module's singleton) and puts the build tree's
// QML module (import QtWs) on the import path.
#include "fixture.h"

#include <QtQml/QQmlEngine>
#include <QtQuickTest/quicktest.h>

class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable() { qtws::test::Fixture::instance(); }
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral(QTWS_QML_IMPORT_DIR));
    }
    void cleanupTestCase() { qtws::test::Fixture::destroyInstance(); }
};

QUICK_TEST_MAIN_WITH_SETUP(qml, Setup)

#include "tst_qml.moc"
