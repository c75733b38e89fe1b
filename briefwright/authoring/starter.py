"""`briefwright init DIR`: a starter project that builds at once, for a desk adopting the tool.

It writes project settings with comments, one record of every kind, one brief, a .gitignore, the
GitHub Pages workflow (check, build the public channel, leak check, publish) and its sharded form (several runners,
then a merge; off until a desk moves it over the first), a README for the desk,
the JSON Schemas and the editor mapping to them. `--example glm-image` starts from this repository's
own topic instead. Nothing existing is ever overwritten.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from briefwright import __version__
from briefwright.authoring.schema import write_schemas
from briefwright.core.resources import EXAMPLES


class InitError(Exception):
    pass


PROJECT_YAML = """\
# Project settings: what every brief and page of the site says about who publishes it.
# yaml-language-server: $schema=schemas/project.schema.json
site_title: {title}
organisation: {organisation}
language: en
paper: A4                 # or Letter
review_days: 180          # a fact older than this is reported as stale
topic: One line saying what this desk covers, shown on the site's home page.

# House style, applied to HTML, PDF and charts without editing a template:
# logo: logo.svg          # SVG or PNG inside this folder: masthead, PDF and the site's icon
# colours:                # checked for WCAG AA contrast when you build
#   accent: "#1f4e79"
# fonts:
#   serif: "'Source Serif 4', Georgia, serif"

# This folder is meant for a public repository: every record in it must be TLP:CLEAR.
# Restricted records go in a private folder beside it, read only where it exists:
public_repository: true
# private_content: [../{name}-private]
"""

CONTENT_YAML = """\
# Example records, one of each kind: replace them with your own. Every fact names its sources.
# yaml-language-server: $schema=../schemas/content.schema.json
sources:
  - id: maker-announcement
    title: The Example Widget goes on sale
    publisher: Example Widget Co
    url: https://example.org/widget-announcement
    published: {year}
    retrieved: {today}
    kind: subject

  - id: trade-review
    title: Example Widget reviewed against its rival
    publisher: Example Trade Weekly
    url: https://example.org/widget-review
    published: {year}
    retrieved: {today}
    kind: press

  - id: buyer-interview       # said to you: who spoke, as the attribution rule allows; no publisher or url
    title: How a widget buyer chooses a supplier
    published: {today}
    kind: interview
    person: a purchasing manager at a widget buyer
    attribution: not-for-attribution   # or on-record (then a name), background, chatham-house (no person)

  - id: widget-handbook       # a book needs its author; pages says where
    title: The Widget Buyer's Handbook
    author: A. Example
    publisher: Example Books
    published: {year}
    pages: 41-43
    kind: book

facts:
  - id: widget-speed
    statement: The Example Widget makes **120 parts** an hour, its maker says.
    sources: [maker-announcement]
    status: claimed           # claimed by the subject: every brief labels it so
    confidence: low
    as_of: {today}
    quantity: {{value: 120, unit: parts/h, measure: output rate, label: Example Widget}}

  - id: rival-speed
    statement: The rival widget makes 90 parts an hour in an independent test.
    sources: [trade-review]
    status: reported
    confidence: moderate
    as_of: {today}
    quantity: {{value: 90, unit: parts/h, measure: output rate, label: Rival widget}}

  - id: buyers-wait-for-trials
    statement: Widget buyers usually run a trial before they switch supplier.
    sources: [buyer-interview, widget-handbook]
    status: reported
    confidence: moderate
    as_of: {today}

caveats:
  - id: speed-untested
    title: The maker's figure is untested
    body: No one outside the maker has measured the Example Widget's output rate.
    severity: critical        # shown beside the fact in every brief that uses it
    applies_to: [widget-speed]
    sources: [trade-review]

unknowns:
  - id: widget-price
    question: What will the Example Widget cost?
    why_it_matters: Price decides whether buyers switch from the rival.
    would_resolve: A published price list or a first large order.
    facts: [widget-speed]

judgments:
  - id: widget-adoption
    statement: Buyers will likely wait for an independent test before switching.
    likelihood: likely        # an ICD 203 term, also used in the statement
    confidence: low
    rests_on: [widget-speed, rival-speed]
    basis: The only figure in the widget's favour is the maker's own.

charts:
  - id: output-rates
    kind: bar
    title: Output rate, parts an hour
    facts: [widget-speed, rival-speed]
"""

BRIEF_YAML = """\
# A two-page brief for policymakers. `briefwright new brief ID --audience ...` starts another.
# yaml-language-server: $schema=../schemas/brief.schema.json
id: first-brief
title: The Example Widget, in brief
short_title: Example Widget brief
audience: policymaker
date: {today}
edition: 1
page_limit: 2
marking: CLEAR            # TLP 2.0; only CLEAR is published on the public site
bottom_line: >-
  The Example Widget's speed is only claimed; buyers will likely wait for an independent test.
sections:
  - title: Key judgments
    judgments: [widget-adoption]
  - title: What we know
    facts: [widget-speed, rival-speed, buyers-wait-for-trials]
    charts: [output-rates]
"""

GITIGNORE = """\
site/
shards/
.briefwright-cache/
.venv/
# editions/ stays tracked: each released edition's PDF and Word files are the record of what readers got.
"""

# The steps every job of the starter workflows opens with: the project, Python, WeasyPrint's libraries, Briefwright.
_INSTALL = """\
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install Briefwright and the libraries WeasyPrint needs
        run: |
          sudo apt-get update -qq
          sudo apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
          # The version this project was started with; point it at your organisation's package index or a
          # wheel it hosts (pip install https://.../briefwright-{version}-py3-none-any.whl) if it is not on PyPI.
          python -m pip install "briefwright=={version}"
"""

# The end both starter workflows share: the leak check, the Pages upload and the deploy job (after @NEEDS@).
_PUBLISH = """\
      - name: Check the site for restricted material (leak check)
        run: briefwright verify site --max-marking CLEAR
      - name: Upload the site for Pages
        if: github.event_name != 'pull_request'
        uses: actions/upload-pages-artifact@v3
        with:
          path: site

  deploy:
    if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main'
    needs: @NEEDS@
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
"""

WORKFLOW = """\
name: Check, build and publish the briefs

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: pages-${{{{ github.ref }}}}
  cancel-in-progress: ${{{{ github.event_name == 'pull_request' }}}}

jobs:
  build:
    # One runner builds everything. To spread the build over several, replace this file with the sharded form
    # that came with it: git mv -f .github/site-sharded.yml .github/workflows/site.yml (see its first lines).
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
@INSTALL@
      - name: Configure Pages
        id: pages
        if: github.event_name != 'pull_request'
        uses: actions/configure-pages@v5
      - name: Check the content (warnings count as errors)
        run: briefwright check --strict
      - name: Build the public site (TLP:CLEAR only)
        env:
          BASE_URL: ${{{{ steps.pages.outputs.base_url }}}}
        run: |
          if [ -n "$BASE_URL" ]; then
            briefwright build --force --max-marking CLEAR --base-url "$BASE_URL/"
          else
            briefwright build --force --max-marking CLEAR
          fi
""".replace("@INSTALL@\n", _INSTALL) + _PUBLISH.replace("@NEEDS@", "build")

SHARDED_WORKFLOW = """\
# The same site as site.yml, built by several runners at once: for a desk whose full rebuild (after a theme
# change, say) takes too long on one. GitHub does not run this file where it is. Switch it on in one step:
#   git mv -f .github/site-sharded.yml .github/workflows/site.yml && git commit -m "Build on several runners"
# (git revert that commit to go back). SHARDS below is how many runners build at once.
#
# Each shard job builds the editions (brief x language) that a stable hash of brief id and language gives it,
# and uploads them with a manifest; the merge job checks that the shards belong together (one channel, one
# machine fingerprint, one commit, every edition once), writes the pages that list briefs, runs the leak check
# and hands the site to deploy: the same bytes as the single build. The shards keep their build caches with
# actions/cache, keyed by the machine fingerprint (`briefwright --version --fingerprint`), so a shard reuses
# what an earlier run made on the same runner image and rebuilds only what changed.
name: Check, build in shards and publish the briefs

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

env:
  SHARDS: "4"  # 2 to 256 (GitHub's limit for one matrix)

concurrency:
  group: pages-${{{{ github.ref }}}}
  cancel-in-progress: ${{{{ github.event_name == 'pull_request' }}}}

jobs:
  plan:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    outputs:
      count: ${{{{ steps.plan.outputs.count }}}}
      shards: ${{{{ steps.plan.outputs.shards }}}}
      epoch: ${{{{ steps.plan.outputs.epoch }}}}
      base_url: ${{{{ steps.pages.outputs.base_url }}}}
    steps:
      - uses: actions/checkout@v4
      - name: Configure Pages
        id: pages
        if: github.event_name != 'pull_request'
        uses: actions/configure-pages@v5
      - name: The shards, and one build date for all of them
        id: plan
        run: |
          if ! [[ "$SHARDS" =~ ^[0-9]+$ ]] || [ "$SHARDS" -lt 2 ] || [ "$SHARDS" -gt 256 ]; then
            echo "::error::SHARDS must be a whole number from 2 to 256, not '$SHARDS'"
            exit 1
          fi
          echo "count=$SHARDS" >> "$GITHUB_OUTPUT"
          echo "shards=[$(seq -s, 1 "$SHARDS")]" >> "$GITHUB_OUTPUT"
          # Every job builds for the commit's date, so shards that run either side of midnight still agree.
          echo "epoch=$(git log -1 --format=%ct)" >> "$GITHUB_OUTPUT"

  shard:
    needs: plan
    runs-on: ubuntu-latest
    timeout-minutes: 60
    strategy:
      matrix:
        shard: ${{{{ fromJSON(needs.plan.outputs.shards) }}}}
    env:
      SOURCE_DATE_EPOCH: ${{{{ needs.plan.outputs.epoch }}}}
    steps:
@INSTALL@
      - name: Machine fingerprint (the build cache's key)
        id: machine
        run: echo "key=briefwright-$(briefwright --version --fingerprint)" >> "$GITHUB_OUTPUT"
      - name: Build cache, shared by the shards of every run on this fingerprint
        uses: actions/cache@v4
        with:
          # The parse cache is left out: its entries are signed with a key of the runner that wrote them.
          path: |
            .briefwright-cache
            !.briefwright-cache/parse
          key: ${{{{ steps.machine.outputs.key }}}}-${{{{ matrix.shard }}}}of${{{{ needs.plan.outputs.count }}}}-${{{{ github.sha }}}}
          restore-keys: |
            ${{{{ steps.machine.outputs.key }}}}-${{{{ matrix.shard }}}}of${{{{ needs.plan.outputs.count }}}}-
            ${{{{ steps.machine.outputs.key }}}}-
      - name: Check and build this shard of the public site (TLP:CLEAR only; warnings count as errors)
        env:
          BASE_URL: ${{{{ needs.plan.outputs.base_url }}}}
          SHARD: ${{{{ matrix.shard }}}}/${{{{ needs.plan.outputs.count }}}}
        run: |
          if [ -n "$BASE_URL" ]; then
            briefwright build --strict --shard "$SHARD" --out shard --max-marking CLEAR --base-url "$BASE_URL/"
          else
            briefwright build --strict --shard "$SHARD" --out shard --max-marking CLEAR
          fi
      - name: Upload this shard for the merge
        uses: actions/upload-artifact@v4
        with:
          name: shard-${{{{ matrix.shard }}}}
          path: shard
          if-no-files-found: error
          retention-days: 1

  merge:
    needs: [plan, shard]
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      SOURCE_DATE_EPOCH: ${{{{ needs.plan.outputs.epoch }}}}
    steps:
@INSTALL@
      - name: Download every shard
        uses: actions/download-artifact@v4
        with:
          pattern: shard-*
          path: shards
      - name: Merge the shards into one site (refused unless they belong together)
        run: briefwright merge shards/* --out site
""".replace("@INSTALL@\n", _INSTALL) + _PUBLISH.replace("@NEEDS@", "merge")

README = """\
# {title}

Briefs built with Briefwright {version} (the `briefwright` command; see the workflow for where CI installs it) from the facts,
sources, caveats, open questions and judgments in `content/`.

```sh
briefwright check            # every problem at once, each as file:line:col
briefwright build            # the public site into site/ (TLP:CLEAR only); open site/index.html
briefwright serve            # build, serve on localhost and rebuild as you edit
briefwright new fact ID      # a commented starting file; also `new brief ID --audience policymaker`
briefwright explain FACT-ID  # where a fact comes from and everything that uses it
briefwright docs             # where the guides are; `briefwright docs --open` shows them in a browser
```

The guides come with the tool, in the version this desk runs: `briefwright docs` prints their folder.
Start with the authoring guide (`authoring.md` there: adding sources, facts, caveats, briefs and charts,
and every field), then the theming guide (`theming.md`: house style). Their folder is not written here: it is
a path on the machine that installed the tool, and this repository may be public.

- `project.yaml`: the site's title, the organisation, paper size, house style (logo, colours, fonts).
- `content/*.yaml`: sources, facts, caveats, unknowns, judgments, events and charts.
- `briefs/*.yaml`: one brief per file, for one audience, with its TLP marking.
- `templates/` (optional): a file here overrides the theme's file of the same name;
  `{{% extends "default:base.html" %}}` extends the theme's and replaces single blocks.

This repository is public: keep restricted records (above TLP:CLEAR) in a private folder beside it,
such as `../{name}-private`, named under `private_content` in `project.yaml`; the build reads it only
where it exists. The workflow in `.github/workflows/`
checks the content, builds the public site, runs the leak check and publishes to GitHub Pages.
`.github/site-sharded.yml` is the same workflow spread over several runners (`briefwright build --shard K/N`
on each, then `briefwright merge`), for when one runner takes too long; its first lines say how to switch it on.
"""

VSCODE = """\
{
  "yaml.schemas": {
    "./schemas/content.schema.json": ["content/**/*.yaml"],
    "./schemas/brief.schema.json": ["briefs/*.yaml"],
    "./schemas/project.schema.json": ["project.yaml"]
  }
}
"""


def first_commit(folder: Path) -> str:
    """Make the new project a git repository with a first commit (an edition records the commit of its sources);
    says what it did, or how to do it by hand. A folder already inside a repository is left to it."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=60)
    by_hand = f"make it a git repository: cd {folder} && git init && git add -A && git commit -m 'First commit'"
    try:
        if git("rev-parse", "--show-toplevel").returncode == 0:
            return "it is inside a git repository already: commit the new files there"
        if git("init", "-q").returncode != 0:
            return by_hand
        identity = [] if git("config", "user.email").stdout.strip() else ["-c", "user.name=Briefwright",
                                                                            "-c", "user.email=briefwright@localhost"]
        git("add", "-A")
        done = git(*identity, "commit", "-q", "-m", "Start the project with briefwright init")
    except (OSError, subprocess.SubprocessError):
        return by_hand
    return "made it a git repository with a first commit" if done.returncode == 0 else by_hand


def init_project(folder: Path, today: dt.date, force: bool = False, example: str | None = None) -> list[Path]:
    """Write a starter project into `folder`; returns the files written. Never overwrites a file."""
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InitError(f"{folder} is not empty; pass --force to add the starter files that are missing "
                        "(no existing file is overwritten)")
    if example is not None and example not in EXAMPLES:
        raise InitError(f"no example '{example}'; examples: {', '.join(EXAMPLES)}")
    name = folder.resolve().name
    title = name.replace("-", " ").replace("_", " ").strip().capitalize() or "Briefs"
    values = {"title": title, "organisation": "Your organisation", "name": name, "today": today.isoformat(),
              "year": today.year, "version": __version__}
    files: dict[str, str] = {
        ".gitignore": GITIGNORE,
        ".github/workflows/site.yml": WORKFLOW.format(**values),
        ".github/site-sharded.yml": SHARDED_WORKFLOW.format(**values),
        "README.md": README.format(**values),
        ".vscode/settings.json": VSCODE,
    }
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    if example is None:
        files.update({"project.yaml": PROJECT_YAML.format(**values), "content/example.yaml": CONTENT_YAML.format(**values),
                      "briefs/first-brief.yaml": BRIEF_YAML.format(**values)})
    else:
        source = EXAMPLES[example]
        for item in ("project.yaml", "content", "briefs", "translations"):
            for path in ([source / item] if (source / item).is_file() else sorted((source / item).rglob("*.yaml"))):
                target = folder / path.relative_to(source)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
                    written.append(target)
    for relative, text in files.items():
        target = folder / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    if not (folder / "schemas").exists():
        written += write_schemas(folder / "schemas")
    return written
