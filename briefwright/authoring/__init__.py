"""Layer 9 (beside serve, editions, links): the commands that help a desk write (explain, new, schema, init, docs, doctor)."""
