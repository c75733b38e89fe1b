"""Layer 7, site: the pages that span briefs (index, listings, search, feed) and the leak check on a built folder."""
