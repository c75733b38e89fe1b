"""Layer 9 (beside authoring, serve, links): `editions audit`, rebuilding released editions from their recorded commits."""
