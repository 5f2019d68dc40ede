"""The model store and the exporters. torch / transformers / optimum are imported lazily, here alone."""
