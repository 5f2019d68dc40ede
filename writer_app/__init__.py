"""writer_app: a local, offline writing assistant."""

import os

# onnxruntime >= 1.29 sends usage telemetry on Linux unless this is set before it initialises (setting
# it later, or disable_telemetry_events(), does not stop it). Every entry point imports this package
# first, so nothing leaves the machine.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
