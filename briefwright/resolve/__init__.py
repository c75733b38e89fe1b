"""Layer 4, resolve: a brief into the one immutable object every format prints (citations numbered, caveats carried)."""
