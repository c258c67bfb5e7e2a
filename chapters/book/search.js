/* search.js — the book's search, offline, with lunr.js (Debian's libjs-lunr, copied
 * into the book as lunr.min.js): search-index.js (written by build/book) holds every
 * section's heading and text; lunr indexes them here, stems the words (so "thread"
 * finds "threads") and ranks the sections. This file is the glue: a word matches
 * as a whole word (ranked first) or as the start of one ("fals" finds "false"),
 * never inside another ("read" does not find "threads"); each hit is listed with a
 * snippet around the word, and its link asks the page to mark the word
 * (?highlight=, book.js). It also opens the sidebar on a wide screen (it is folded
 * on a narrow one). */
(function () {
  "use strict";
  var entries = window.BOOK_INDEX || [];
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var sidebar = document.querySelector("details.sidebar");
  if (sidebar && window.matchMedia && !window.matchMedia("(min-width: 75rem)").matches) sidebar.open = false;
  // Links are relative to the book's folder; a page in source/ is one level down.
  var root = /\/source\/[^\/]*$/.test(window.location.pathname) ? "../" : "";

  var index = null;
  function built() {
    if (!index && window.lunr) {
      index = window.lunr(function () {
        this.ref("i");
        this.field("t", { boost: 5 });
        this.field("x");
        for (var i = 0; i < entries.length; i++) this.add({ i: String(i), t: entries[i].t, x: entries[i].x });
      });
    }
    return index;
  }

  function wordsOf(query) {
    return window.lunr ? window.lunr.tokenizer(query).map(function (token) { return token.toString(); })
                              .filter(function (w) { return w.length > 0; }) : [];
  }

  // Where `word` starts a word (never inside one: "read" is not in "threads").
  function wordStart(word) {
    return new RegExp("(^|[^A-Za-z0-9_])" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
  }

  // Around the first place where `word` starts a word in `text`.
  function snippet(text, word) {
    var match = wordStart(word).exec(text);
    var at = Math.max(0, (match ? match.index : 0) - 60);
    return (at > 0 ? "\u2026" : "") + text.substr(at, 180) + (at + 180 < text.length ? "\u2026" : "");
  }

  function search(query) {
    var words = wordsOf(query), idx = built();
    if (words.length === 0 || !idx) return [];
    var hits = idx.query(function (q) {
      words.forEach(function (word) {
        // Every word must be there: as itself (stemmed; ranked first) or as a word's start.
        q.term(word, { boost: 10, presence: window.lunr.Query.presence.OPTIONAL });
        q.term(word, { wildcard: window.lunr.Query.wildcard.TRAILING, usePipeline: false,
                       presence: window.lunr.Query.presence.OPTIONAL });
      });
    });
    // lunr's OPTIONAL terms rank; keep only the sections that hold every word.
    var results = [];
    hits.forEach(function (hit) {
      var entry = entries[Number(hit.ref)], text = entry.t + " " + entry.x;
      for (var i = 0; i < words.length; i++) if (!wordStart(words[i]).test(text)) return;
      results.push({ entry: entry, snippet: snippet(entry.x, words[0]), word: words[0] });
    });
    return results.slice(0, 20);
  }

  function show() {
    while (list.firstChild) list.removeChild(list.firstChild);
    var query = input.value.trim();
    if (!query) return;
    var results = search(query);
    if (results.length === 0) {
      var none = document.createElement("li");
      none.textContent = "Nothing found for \u201c" + query + "\u201d.";
      list.appendChild(none);
    }
    results.forEach(function (r) {
      var item = document.createElement("li"), link = document.createElement("a"), text = document.createElement("p");
      var parts = r.entry.u.split("#");
      link.href = root + parts[0] + "?highlight=" + encodeURIComponent(r.word) + (parts[1] ? "#" + parts[1] : "");
      link.textContent = r.entry.t;          // text, never HTML
      text.textContent = r.snippet;
      item.appendChild(link);
      item.appendChild(text);
      list.appendChild(item);
    });
    list.setAttribute("data-count", String(results.length));
  }

  if (input && list) input.addEventListener("input", show);
  window.bookSearch = search; // for the book's check (tests/book_check.sh)
})();
