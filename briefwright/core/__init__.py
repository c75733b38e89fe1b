"""Layer 1, core: what every other layer uses and that depends on nothing else in the engine: the content model
(vocabulary, values, records), diagnostics, engine words (i18n), Markdown, audiences, the machine, the content-addressed stores."""
