"""Layer 5, render: the sandboxed templates and the charts, from a resolved brief."""
