"""Layer 9 (beside authoring, editions, links): `serve`, a live preview that rebuilds what changed."""
