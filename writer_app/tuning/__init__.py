"""Tuning a model on the writer's own texts (writer-app models tune)."""
