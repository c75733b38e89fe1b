// The search page. Over HTTP: Pagefind, whose index comes in chunks as a query needs them (pagefind/). From file://,
// where a browser lets no page fetch that index, the page says so and searches a small index of briefs and key
// judgments that loads as a script (search-index.js); the same happens if Pagefind cannot start. Never a blank box.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  var note = document.getElementById("search-note");
  var choice = document.getElementById("search-lang");
  if (!input || !list) { return; }
  var script = document.currentScript || {dataset: {}};
  var PAGE_SIZE = 10;
  // Chinese and Japanese write no spaces between words. Pagefind's index has them split into words; the small index
  // is searched by overlapping character pairs (bigrams), each of which must occur, as CJK search engines index it;
  // a single character stands for itself. Other scripts split into words at anything not a letter or a digit.
  var CJK = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/;
  function words(text) {
    var out = [];
    text.toLowerCase().split(/[^\p{L}\p{N}]+/u).forEach(function (word) {
      word.split(CJK).forEach(function (part, i) {
        if (!part) { return; }
        if (i % 2 === 0) { out.push(part); return; }
        if (part.length === 1) { out.push(part); return; }
        for (var k = 0; k + 1 < part.length; k++) { out.push(part.slice(k, k + 2)); }
      });
    });
    return out;
  }

  // One result: its kind, its title linked, a passage (text, with the words found marked) and the briefs it is in.
  function item(kind, title, href, lang, passage, briefs) {
    var li = document.createElement("li");
    var label = document.createElement("span");
    label.className = "result-kind";
    label.textContent = kind;
    var link = document.createElement("a");
    link.href = href;
    link.textContent = title;
    if (lang) { link.lang = lang; link.hreflang = lang; }
    var text = document.createElement("p");
    text.className = "result-excerpt";
    if (lang) { text.lang = lang; }
    passage.forEach(function (part) {
      if (part.mark) {
        var mark = document.createElement("mark");
        mark.textContent = part.text;
        text.appendChild(mark);
      } else {
        text.appendChild(document.createTextNode(part.text));
      }
    });
    li.appendChild(label);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(link);
    li.appendChild(text);
    if (briefs) {
      var where = document.createElement("p");
      where.className = "result-briefs";
      where.textContent = "In: " + briefs;
      li.appendChild(where);
    }
    return li;
  }
  function said(count, query) {
    status.textContent = count + (count === 1 ? " result" : " results") + " for \u201c" + query + "\u201d";
  }

  // -- the small index (file://) -------------------------------------------------------------------------------
  function runSmall(query) {
    var index = window.BRIEFWRIGHT_INDEX || [];
    var terms = words(query);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    var hits = index.filter(function (entry) {
      var hay = (entry.title + " " + entry.text).toLowerCase();
      return terms.every(function (t) { return hay.indexOf(t) !== -1; });
    });
    hits.forEach(function (entry) {
      list.appendChild(item(entry.kind, entry.title, entry.href, entry.lang, [{text: entry.text}], null));
    });
    said(hits.length, query);
  }
  function small(why) {
    note.textContent = why;
    note.hidden = false;
    if (choice) { choice.disabled = true; }
    var start = function () { run = runSmall; runSmall(input.value); };
    if (window.BRIEFWRIGHT_INDEX) { start(); return; }
    var tag = document.createElement("script");
    tag.src = script.dataset.index;
    tag.onload = start;
    tag.onerror = function () { status.textContent = "The search index could not be read."; };
    document.head.appendChild(tag);
  }

  // -- Pagefind (http, https) ----------------------------------------------------------------------------------
  // One Pagefind per page: a second instance's WebAssembly replaces the first's (in Pagefind 1.5.2, pinned), so a
  // search in another language than the page's first one opens the page again with the query and that language.
  var made = null;
  var madeFor = null;
  var asked = 0;  // the latest query: an earlier one's results, coming later, are not shown
  function instance(lang) {
    if (madeFor !== null && madeFor !== lang) {
      var again = {q: input.value, lang: lang};
      if (auto) { again.auto = "1"; }
      window.location.search = "?" + new URLSearchParams(again).toString();
      return new Promise(function () {});
    }
    if (made === null) {
      madeFor = lang;
      made = import(new URL(script.dataset.pagefind, document.baseURI).href).then(function (pagefind) {
        // Pagefind searches the index of the language the page declares (<html lang>) when an instance is made: an
        // instance for another language is made while the page declares that one.
        var html = document.documentElement;
        var own = html.getAttribute("lang");
        html.setAttribute("lang", lang);
        try {
          return pagefind.createInstance({noWorker: true, excerptLength: 24});
        } finally {
          html.setAttribute("lang", own);
        }
      });
    }
    return made;
  }
  // Until the reader picks a language, it follows the query: Chinese or Japanese characters search the edition in
  // that language, other words the page's own.
  var auto = true;
  function languageFor(query) {
    if (choice && auto && query.trim()) {
      var cjk = Array.prototype.filter.call(choice.options, function (o) { return /^(zh|ja)/.test(o.value); });
      choice.value = CJK.test(query) && cjk.length ? cjk[0].value : choice.options[0].value;
    }
    return choice ? choice.value : (document.documentElement.getAttribute("lang") || "unknown").toLowerCase();
  }
  function excerpt(html) {  // Pagefind's excerpt: the record's text with < and > escaped and the words found in <mark>
    var out = [];
    html.split(/(<mark>|<\/mark>)/).reduce(function (marked, part) {
      if (part === "<mark>") { return true; }
      if (part === "</mark>") { return false; }
      if (part) { out.push({text: part.replace(/&lt;/g, "<").replace(/&gt;/g, ">"), mark: marked}); }
      return marked;
    }, false);
    return out;
  }
  // Ten results at a time: each shown result fetches its fragment (its text), so the rest wait for "Show more".
  var more = document.createElement("button");
  more.type = "button";
  more.className = "more-results";
  more.hidden = true;
  if (list.parentNode) { list.parentNode.insertBefore(more, list.nextSibling); }
  var pending = null;
  function show(found, from, query, lang, mine) {
    return Promise.all(found.results.slice(from, from + PAGE_SIZE).map(function (r) { return r.data(); })).then(function (data) {
      if (mine !== asked) { return; }
      if (from === 0) { list.textContent = ""; }
      var own = (document.documentElement.getAttribute("lang") || "").toLowerCase();
      data.forEach(function (d) {  // a record's address is from the site root, where this page is
        list.appendChild(item(d.meta.kind || "", d.meta.title || d.raw_url, (script.dataset.root || "") + d.raw_url,
                              lang === own ? null : lang, excerpt(d.excerpt || ""), d.meta.briefs || null));
      });
      var shown = from + data.length;
      said(found.results.length, query);
      if (shown < found.results.length) { status.textContent += " (the first " + shown + " shown)"; }
      more.hidden = shown >= found.results.length;
      more.textContent = "Show " + Math.min(PAGE_SIZE, found.results.length - shown) + " more";
      pending = more.hidden ? null : function () { return show(found, shown, query, lang, mine); };
    });
  }
  more.addEventListener("click", function () { if (pending) { pending(); } });
  function runPagefind(query) {
    var mine = ++asked;
    query = query.trim();
    more.hidden = true;
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    var lang = languageFor(query);
    instance(lang).then(function (search) {
      return search.debouncedSearch(query, {}, 150);
    }).then(function (found) {
      if (found === null || mine !== asked) { return null; }
      return show(found, 0, query, lang, mine);
    }).catch(function (error) {
      if (mine !== asked) { return; }
      small("Full search could not start here (" + error + "), so this searches briefs and key judgments only.");
    });
  }


  var here = window.location;
  var asking = new URLSearchParams(here.search);
  input.value = asking.get("q") || "";
  if (choice && asking.get("lang")) {
    choice.value = asking.get("lang");
    auto = asking.get("auto") === "1";
    input.focus();  // opened again for another language: the reader goes on typing
  }
  var run = function () {};
  if (here.protocol === "file:") {
    small("This copy of the site was opened from a file, and browsers do not let a page opened from a file load " +
          "the full search index. This searches briefs and key judgments only; to search every fact, source and open " +
          "question, open the site from its web address, or preview it with briefwright serve.");
  } else {
    // Pagefind's script, WebAssembly and table of pages load when the box is first used, before the first keystroke;
    // on a site in several languages, with the first keystroke, which says which language's index to load.
    run = runPagefind;
    if (!choice) { input.addEventListener("focus", function () { instance(languageFor(input.value)); }, {once: true}); }
    run(input.value);
  }
  // Words still being composed with an input method are not searched (nor is the language switched under them).
  input.addEventListener("input", function (event) { if (!event.isComposing) { run(input.value); } });
  input.addEventListener("compositionend", function () { run(input.value); });
  if (choice) { choice.addEventListener("change", function () { auto = false; run(input.value); }); }
  if (input.form) { input.form.addEventListener("submit", function (event) { event.preventDefault(); run(input.value); }); }
})();
