// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "theme.h"

#include <QtGui/QFont>
#include <QtGui/QGuiApplication>
#include <QtGui/QPalette>
#include <QtQuickControls2/QQuickStyle>

namespace inspector {

void applyTheme()
{
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QPalette palette;
    const QColor window(0x1e, 0x1f, 0x22);
    const QColor base(0x2b, 0x2d, 0x30);
    const QColor text(0xdf, 0xe1, 0xe5);
    const QColor disabled(0x6f, 0x73, 0x7a);
    const QColor highlight(0x35, 0x74, 0xf0);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    palette.setColor(QPalette::ToolTipBase, base);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabled);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x33, 0x35, 0x39));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::white);
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x54, 0x8a, 0xf7));
    palette.setColor(QPalette::Light, QColor(0x43, 0x45, 0x4a));
    palette.setColor(QPalette::Midlight, QColor(0x39, 0x3b, 0x40));
    palette.setColor(QPalette::Mid, QColor(0x2f, 0x31, 0x35));
    palette.setColor(QPalette::Dark, QColor(0x19, 0x1a, 0x1c));
    palette.setColor(QPalette::Shadow, QColor(0x10, 0x10, 0x12));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    QGuiApplication::setPalette(palette);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(13);
    QGuiApplication::setFont(font);
}

} // namespace inspector
