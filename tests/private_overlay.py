"""An example private folder for the GLM-Image topic: the desk's own restricted working, kept out of the
public repository. Its one figure is computed from the public facts' quantities each time, so this
repository holds no restricted record, only the recipe a desk would follow.

    python tests/private_overlay.py ../glm-image-private    # then: python build.py --max-marking AMBER
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULES_PER_SERVER = 8  # from the public fact atlas-800t-config


def _peak(project_root: Path, fact_id: str) -> float:
    sys.path.insert(0, str(REPO))
    from briefwright.core.diagnostics import Collector
    from briefwright.source.load import load_project
    project = load_project(project_root, Collector())
    assert project is not None
    quantity = project.facts[fact_id].quantity
    assert quantity is not None and quantity.unit == "TFLOPS"
    return quantity.value


def write_overlay(folder: Path, project_root: Path = REPO) -> Path:
    """Write the example private folder (content/ and briefs/) and return it."""
    b910, c910, h20 = (_peak(project_root, f) for f in ("ascend-910b-fp16", "ascend-910c-fp16", "h20-fp16"))
    per_server = {name: f"{MODULES_PER_SERVER * value:,.0f}" for name, value in
                  (("910b", b910), ("910c", c910), ("h20", h20))}
    (folder / "content").mkdir(parents=True, exist_ok=True)
    (folder / "briefs").mkdir(exist_ok=True)
    (folder / "content" / "desk.yaml").write_text(f"""# The desk's own working for clients (TLP:AMBER): never in the public repository.
sources:
  - id: desk-atlas-server-estimate
    title: Peak throughput of one Atlas 800T A2 server against one eight-H20 server (desk working note)
    publisher: Briefwright Policy Desk
    published: 2026-11
    retrieved: 2026-11-27
    kind: internal
    marking: AMBER
    note: >-
      Method: {MODULES_PER_SERVER} accelerator modules per server (atlas-800t-config) times the published peak
      dense FP16 figure per module (ascend-910b-fp16, ascend-910c-fp16, h20-fp16). Uncertainty: which Ascend
      part the servers carried is not settled, the per-chip figures come from single secondary sources, and
      peaks are not training speed.

facts:
  - id: atlas-server-peak-estimate
    statement: >-
      The desk estimates, from published peak figures, that one Atlas 800T A2 server offers about
      {per_server['910b']} TFLOPS of dense FP16 if its {MODULES_PER_SERVER} modules are Ascend 910Bs, and about
      {per_server['910c']} if they are 910Cs at the disputed figure, against about {per_server['h20']} for a
      server of {MODULES_PER_SERVER} Nvidia H20s. These are peaks, not training speed, and which Ascend part
      the servers carried is not settled.
    sources: [desk-atlas-server-estimate, worldtoday-atlas, boardor-ascend, willitrunai-h20]
    status: estimated
    confidence: low
    as_of: 2026-11-27
    tags: [hardware, market]
""", encoding="utf-8")
    annex = folder / "briefs" / "market-client-annex.yaml"
    annex.write_text("""# Client annex to the market note. Its TLP:AMBER is derived: it shows the desk's own estimate.
id: market-client-annex
title: "Client annex: one Atlas server against one H20 server, on peak figures"
short_title: Market note, client annex
audience: market
date: 2026-11-27
edition: 1
page_limit: 3
marking: AMBER
bottom_line: >-
  On published peak figures an Atlas 800T A2 server outruns a server of eight H20s whichever Ascend it
  carries; peaks are not training speed, and the desk's figure is an estimate, not a measurement.
sections:
  - title: The desk's estimate
    facts: [atlas-server-peak-estimate, atlas-800t-config]
    charts: [fp16-throughput]
""", encoding="utf-8")
    return folder


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python tests/private_overlay.py FOLDER  (outside the repository, e.g. ../glm-image-private)")
    target = Path(sys.argv[1]).resolve()
    if target.is_relative_to(REPO):
        raise SystemExit(f"{target} is inside the repository; a private folder belongs beside it")
    print(f"wrote {write_overlay(target)}")
