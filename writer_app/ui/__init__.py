"""PySide6 only here: the window, the editor with ghost text, dialogs and the model worker thread."""
