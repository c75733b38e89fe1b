"""Layer 8, builder: one build as a line of stages, the caches, the worker pool, shards, the atomic swap."""
