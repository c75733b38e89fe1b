"""Layer 3, check: the rules a project must keep before anything is made (references, integrity, markings, editions, themes)."""
