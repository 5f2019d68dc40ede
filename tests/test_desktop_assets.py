"""The app's desktop assets: an icon the running app reads from the package, PNGs rendered from it, a
freedesktop entry and AppStream metainfo (resources/ at the top level)."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons" / "hicolor"


def test_the_running_app_has_its_icon():
    from PySide6.QtWidgets import QApplication

    from writer_app.ui.app import app_icon

    QApplication.instance() or QApplication([])
    icon = app_icon()
    assert not icon.isNull() and not icon.pixmap(64, 64).isNull()


def test_the_desktop_icons_are_rendered_from_the_packaged_svg():
    svg = ROOT / "writer_app" / "resources" / "icons" / "writer-app.svg"
    assert (ICONS / "scalable" / "apps" / "writer-app.svg").read_bytes() == svg.read_bytes()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(ICONS / f"{size}x{size}" / "apps" / "writer-app.png"))
        assert (image.width(), image.height()) == (size, size)


def test_the_desktop_entry_and_metainfo_say_what_desktops_read():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(ROOT / "resources" / "writer-app.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"].split()[0] == "writer-app"
    assert desktop["Icon"] == "writer-app" and "Name[zh_CN]" in desktop and "Comment[zh_CN]" in desktop
    assert desktop["Categories"].endswith(";")
    info = ET.parse(ROOT / "resources" / "io.github.writer_app.metainfo.xml").getroot()
    assert info.get("type") == "desktop-application" and info.findtext("id") == "io.github.writer_app"
    assert info.find("launchable").text == "writer-app.desktop"
    assert info.findtext("summary") and info.find("description/p") is not None
