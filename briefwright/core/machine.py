"""What this machine brings to a build: the system text libraries, the fonts fontconfig resolves, and the
versions of the packages that write output bytes. The build cache keys everything it lays out on this
fingerprint, so a cached PDF made without a font, or by other library versions or other engine code, is never
reused after the machine or the engine changes. `briefwright --version --verbose` and `doctor` show it.

Read through ctypes from the same shared libraries WeasyPrint loads (Pango, HarfBuzz, fontconfig), so neither
`check` nor the parent of a build has to import the layout libraries to know them.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import importlib.metadata
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent  # briefwright/, every layer's files

# Packages whose code decides the bytes of an output file (layout, PDF writing, font subsetting, images, Word).
OUTPUT_PACKAGES = ("weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2", "tinyhtml5", "pillow", "pikepdf",
                   "python-docx", "lxml", "matplotlib", "numpy", "jinja2", "markdown", "nh3", "brotli", "zopfli",
                   "pagefind", "pagefind-bin-extended")  # the search index (search.py)

# The scripts the theme's own fonts (Latin, Greek, Cyrillic) do not cover: characters that show the script, one
# that a font for it must hold, the fontconfig language to ask for, and where such a font comes from.
@dataclass(frozen=True)
class Script:
    name: str
    chars: re.Pattern[str]
    sample: str
    fc_lang: str
    debian: str
    cask: str


SCRIPTS = {
    "han": Script("Chinese (Han)", re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), "中文", "zh-cn",
                  "fonts-noto-cjk", "font-noto-serif-cjk-sc"),
    "kana": Script("Japanese (kana)", re.compile("[\u3040-\u30ff]"), "かな", "ja", "fonts-noto-cjk",
                   "font-noto-serif-cjk-jp"),
    "hangul": Script("Korean (Hangul)", re.compile("[\u1100-\u11ff\uac00-\ud7af]"), "한국", "ko", "fonts-noto-cjk",
                     "font-noto-serif-cjk-kr"),
}
LANGUAGE_SCRIPTS = {"zh": ("han",), "ja": ("kana", "han"), "ko": ("hangul",)}
# BCP 47 tags as fontconfig names the languages whose fonts it knows (orth files): zh-Hans is zh-cn to it.
_FC_LANG = {"zh-hans": "zh-cn", "zh-hant": "zh-tw", "zh-sg": "zh-sg", "zh-hk": "zh-hk", "zh-tw": "zh-tw", "zh": "zh-cn"}


def fc_lang(lang: str) -> str:
    low = lang.lower()
    return _FC_LANG.get(low, low.split("-")[0])


# The font sets fontconfig keeps, and the pattern fields read here (fontconfig.h).
_FC_MATCH_PATTERN = 0
_FC_RESULT_MATCH = 0


def _load(*names: str) -> ctypes.CDLL | None:
    for name in names:
        for candidate in (name, ctypes.util.find_library(name.removeprefix("lib").split(".so")[0].split(".dylib")[0])):
            if not candidate:
                continue
            try:
                return ctypes.CDLL(candidate)
            except OSError:
                continue
    return None


@functools.cache
def _fontconfig() -> ctypes.CDLL | None:
    lib = _load("libfontconfig.so.1", "libfontconfig-1.dll", "libfontconfig.1.dylib", "fontconfig")
    if lib is None:
        return None
    lib.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_char_p)]
    lib.FcPatternGetCharSet.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                        ctypes.POINTER(ctypes.c_void_p)]
    lib.FcCharSetHasChar.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    lib.FcGetVersion.restype = ctypes.c_int
    return lib


@functools.cache
def _config() -> int | None:
    """fontconfig's configuration as this process sees it (FONTCONFIG_FILE and the user's folders included)."""
    lib = _fontconfig()
    return lib.FcInitLoadConfigAndFonts() if lib is not None else None


@dataclass(frozen=True)
class Resolved:
    """The font file fontconfig chooses for a request, and whether it holds the characters asked for."""

    request: str
    file: str
    family: str
    covers: bool


def resolve_font(request: str, sample: str = "") -> Resolved | None:
    """The file fontconfig resolves `request` (a fontconfig pattern, e.g. 'serif:lang=zh-cn') to; None without
    fontconfig. `covers` is whether that file holds every character of `sample`: fontconfig's best match for a
    family the machine lacks is whatever font it has, which is not the same as a font for the script."""
    lib, config = _fontconfig(), _config()
    if lib is None or not config:
        return None
    pattern = lib.FcNameParse(request.encode())
    if not pattern:
        return None
    try:
        lib.FcConfigSubstitute(config, pattern, _FC_MATCH_PATTERN)
        lib.FcDefaultSubstitute(pattern)
        result = ctypes.c_int(0)
        match = lib.FcFontMatch(config, pattern, ctypes.byref(result))
        if not match:
            return None
        try:
            file, family, charset = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_void_p()
            if lib.FcPatternGetString(match, b"file", 0, ctypes.byref(file)) != _FC_RESULT_MATCH or not file.value:
                return None
            lib.FcPatternGetString(match, b"family", 0, ctypes.byref(family))
            covers = True
            if sample and lib.FcPatternGetCharSet(match, b"charset", 0, ctypes.byref(charset)) == _FC_RESULT_MATCH:
                covers = all(lib.FcCharSetHasChar(charset, ord(c)) for c in sample)
            return Resolved(request, os.fsdecode(file.value), (family.value or b"").decode(errors="replace"), covers)
        finally:
            lib.FcPatternDestroy(match)
    finally:
        lib.FcPatternDestroy(pattern)


def scripts_of(lang: str) -> list[Script]:
    """The scripts beyond the theme's fonts that text in this language needs."""
    return [SCRIPTS[k] for k in LANGUAGE_SCRIPTS.get(lang.split("-")[0].lower(), ())]


def scripts_in(text: str) -> list[Script]:
    """The scripts beyond the theme's fonts that this text uses."""
    return [script for script in SCRIPTS.values() if script.chars.search(text)]


@functools.cache
def has_font_for(script: Script) -> bool:
    """Whether fontconfig can give text in this script a font that holds it. Without fontconfig nothing can be
    said, so nothing is claimed (True)."""
    found = resolve_font(f"serif:lang={script.fc_lang}", script.sample)
    return found is None or found.covers


def install_line(script: Script) -> str:
    return (f"this machine has no font for {script.name} text; install one: `sudo apt-get install {script.debian}` "
            f"on Debian/Ubuntu, `brew install --cask {script.cask}` on macOS")


def missing_font(scripts: list[Script]) -> str | None:
    """One line naming the package that gives this machine a font for the first of these scripts it lacks."""
    lacking = [s for s in scripts if not has_font_for(s)]
    return install_line(lacking[0]) if lacking else None


def missing_script_font(lang: str) -> str | None:
    """missing_font for the scripts a language needs."""
    return missing_font(scripts_of(lang))


def _version_string(lib: ctypes.CDLL | None, function: str) -> str:
    if lib is None:
        return "not found"
    try:
        fn = getattr(lib, function)
    except AttributeError:
        return "unknown"
    fn.restype = ctypes.c_char_p
    return (fn() or b"unknown").decode()


@functools.cache
def system_libraries() -> dict[str, str]:
    """Pango, HarfBuzz and fontconfig versions, as the loaded libraries report them."""
    pango = _load("libpango-1.0.so.0", "libpango-1.0-0.dll", "libpango-1.0.dylib", "pango-1.0")
    harfbuzz = _load("libharfbuzz.so.0", "libharfbuzz-0.dll", "libharfbuzz.0.dylib", "harfbuzz")
    fc = _fontconfig()
    fc_version = "not found"
    if fc is not None:
        v = fc.FcGetVersion()
        fc_version = f"{v // 10000}.{v // 100 % 100}.{v % 100}"
    return {"pango": _version_string(pango, "pango_version_string"),
            "harfbuzz": _version_string(harfbuzz, "hb_version_string"), "fontconfig": fc_version}


@functools.cache
def package_versions() -> dict[str, str]:
    found = {}
    for name in OUTPUT_PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


@functools.cache
def engine_digest() -> str:
    """A digest of the engine's own files (code and the theme it carries), so a changed source file invalidates
    what it renders even when the version string stays the same."""
    h = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and p.suffix not in (".pyc", ".pyo")):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# The font digests this process has made, by the same key as the memo file's: a warm process (serve, a library
# caller, the tests) building with a new cache folder need not read every font file again.
_FONT_DIGESTS: dict[str, str] = {}


def _digest_file(path: Path, memo: dict[str, Any]) -> str:
    """A font file's sha256, remembered by its path, size and modification time (CJK fonts are 20 MB each), in
    `memo` and in this process."""
    stat = path.stat()
    key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    if key not in memo:
        if key not in _FONT_DIGESTS:
            _FONT_DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        memo[key] = _FONT_DIGESTS[key]
    return str(memo[key])


def font_requests() -> list[tuple[str, str]]:
    """The fontconfig requests a build makes of the system: the generic families (what any text the theme's own
    fonts lack falls back to) and, for each language in use, its script's fallback. (request, sample)."""
    requests = [("serif", ""), ("sans-serif", ""), ("monospace", "")]
    for script in SCRIPTS.values():  # a brief in any language may name a person or firm in these scripts
        requests += [(f"serif:lang={script.fc_lang}", script.sample), (f"sans-serif:lang={script.fc_lang}", script.sample)]
    return requests


def fonts(memo_path: Path | None = None) -> list[dict[str, Any]]:
    """For each request a build makes of the system fonts, the file fontconfig resolves it to, with size and
    digest. Digests are remembered in `memo_path` (a JSON file in the cache) by path, size and mtime."""
    memo: dict[str, Any] = {}
    if memo_path is not None:
        try:
            memo = json.loads(memo_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memo = {}
    before = len(memo)
    found: list[dict[str, Any]] = []
    for request, sample in font_requests():
        resolved = resolve_font(request, sample)
        if resolved is None:
            found.append({"request": request, "file": None})
            continue
        path = Path(resolved.file)
        try:
            entry = {"request": request, "family": resolved.family, "file": str(path), "bytes": path.stat().st_size,
                     "sha256": _digest_file(path, memo), "covers": resolved.covers}
        except OSError:
            entry = {"request": request, "file": str(path), "unreadable": True}
        found.append(entry)
    if memo_path is not None and len(memo) != before:
        try:
            memo_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo_path.with_name(f"{memo_path.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(memo), encoding="utf-8")
            tmp.replace(memo_path)
        except OSError:
            pass  # only a speed-up
    return found


def fingerprint(memo_path: Path | None = None) -> dict[str, Any]:
    """Everything outside the project that decides an output's bytes."""
    from briefwright import __version__
    return {"engine": __version__, "engine_files": engine_digest(),
            "python": sys.version.split()[0], "packages": package_versions(), "system": system_libraries(),
            "fonts": fonts(memo_path)}


def fingerprint_digest(fp: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fp, sort_keys=True).encode()).hexdigest()


def describe(fp: dict[str, Any]) -> str:
    """The fingerprint as lines for a person (`--version --verbose`)."""
    lines = [f"briefwright {fp['engine']} (engine files {fp['engine_files'][:16]})", f"python {fp['python']}",
             "system: " + ", ".join(f"{k} {v}" for k, v in fp["system"].items()),
             "packages: " + ", ".join(f"{k} {v}" for k, v in fp["packages"].items() if v != "not installed"),
             "fonts (what fontconfig resolves each request to):"]
    for f in fp["fonts"]:
        if f.get("file") is None:
            lines.append(f"  {f['request']}: nothing (no fontconfig)")
        else:
            lack = "" if f.get("covers", True) else "  (does not hold the script's characters)"
            lines.append(f"  {f['request']}: {f['file']} ({f.get('bytes', '?')} bytes, "
                         f"sha256 {str(f.get('sha256', '?'))[:16]}){lack}")
    lines.append(f"fingerprint {fingerprint_digest(fp)[:16]}")
    return "\n".join(lines)
