"""Layer 2, source: reading a project: YAML with line marks, records decoded and parsed, the parse cache's codec, the Project."""
